"""Reads for the therapist's side: the patient list with who needs attention, and one record.

Everything here is scoped through ``program_queryset_for_staff`` and
``patient_queryset_for_staff``: a therapist sees their own patients and programs, an admin all,
front desk none. The patient list runs the same number of queries for 2 patients as for 200: it
fetches the page's programs, logs, alerts and visits in bulk and runs the ``rules`` functions on
those rows, as ``program_progress`` does for one program.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import (
    Case,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.utils import timezone

from stride.accounts.models import User
from stride.scheduling.models import Appointment, AppointmentStatus, RedFlag

from .. import rules
from ..models import (
    OPEN_STATUSES,
    ExerciseProgram,
    PainScore,
    ProgramAlert,
    ProgramVersion,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
    SymptomReport,
)
from .programs import (
    alert_list_open,
    patient_queryset_for_staff,
    program_queryset_for_staff,
    program_today,
    rules_window,
    version_current,
    version_list,
)
from .progress import Progress, program_progress, progress_chart_data

# How many recent logs of each kind the patient page lists.
RECENT_LOGS = 20

# The therapist's words for each alert the rules raise (CLINICAL.md §1 and §5); the patient's
# own wording lives with the patient pages.
ALERT_REASONS = {
    "escalation.red_flag.emergency": "Reported an emergency warning sign: {red_flag}. "
    "The program is paused.",
    "escalation.red_flag.urgent": "Reported an urgent warning sign: {red_flag}.",
    "escalation.getting_worse.pain_rising": "Pain is 2 or more points above where it started, "
    "on two logs in a row.",
    "escalation.getting_worse.exercise_pain": "Logged pain of 7/10 or more during exercise.",
    "escalation.not_improving": "Two weeks into the program, doing most sessions, and pain has "
    "not improved.",
    "escalation.low_adherence.nudge": "Did fewer than 30% of the sessions last week.",
    "escalation.low_adherence.therapist_told": "Did fewer than 30% of the sessions two weeks "
    "in a row.",
}

_SEVERITY_RANK = Case(
    *(When(severity=severity.value, then=V(rank)) for rank, severity in enumerate(rules.Severity)),
    default=V(len(rules.Severity)),
    output_field=IntegerField(),
)


def alert_reason(alert: ProgramAlert) -> str:
    """Return why ``alert`` fired, in plain words for the therapist."""
    red_flag = RedFlag(alert.red_flag).label.lower() if alert.red_flag in RedFlag.values else ""
    template = ALERT_REASONS.get(alert.message_key)
    if template is None:
        return alert.get_kind_display()
    return template.format(red_flag=red_flag or "a warning sign")


@dataclass(frozen=True)
class AlertLine:
    alert: ProgramAlert
    reason: str


def _lines(alerts: Sequence[ProgramAlert]) -> list[AlertLine]:
    return [AlertLine(alert=a, reason=alert_reason(a)) for a in alerts]


def _attention_alerts(user: Any) -> QuerySet[ProgramAlert]:
    """Return the alerts that put a patient on top of ``user``'s list: flagged, not dealt with.

    Alerts of ended programs no longer call for action.
    """
    return ProgramAlert.objects.filter(
        program__in=program_queryset_for_staff(user=user).values("pk"),
        program__status__in=OPEN_STATUSES,
        flag_therapist=True,
        cleared_at__isnull=True,
        acknowledged_at__isnull=True,
    )


def patient_list_for_dashboard(
    *, user: Any, search: str = "", attention_only: bool = False
) -> QuerySet[User]:
    """Return ``user``'s patients, those needing attention first, then by name.

    Needing attention means an open, flagged alert not yet dealt with; such patients are ordered
    by its severity (most pressing first), then by how long it has held. Each row is annotated
    with ``attention_rank``, ``attention_since`` and ``current_program_id`` (the open program
    the caller may see, else their latest), for ``patient_rows``. ``search`` matches every word
    against first name, last name or email.
    """
    scoped = patient_queryset_for_staff(user=user)
    patients = User.objects.filter(pk__in=scoped.values("pk"))
    for word in search.split():
        patients = patients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    pressing = (
        _attention_alerts(user)
        .filter(program__patient=OuterRef("pk"))
        .annotate(severity_rank=_SEVERITY_RANK)
        .order_by("severity_rank", "since")
    )
    current = (
        program_queryset_for_staff(user=user)
        .filter(patient=OuterRef("pk"))
        .annotate(
            closed=Case(
                When(status__in=OPEN_STATUSES, then=V(0)), default=V(1), output_field=IntegerField()
            )
        )
        .order_by("closed", "-start_date", "-pk")
    )
    patients = patients.annotate(
        attention_rank=Subquery(pressing.values("severity_rank")[:1]),
        attention_since=Subquery(pressing.values("since")[:1]),
        current_program_id=Subquery(current.values("pk")[:1]),
    )
    if attention_only:
        patients = patients.filter(attention_rank__isnull=False)
    return patients.order_by(
        Case(When(attention_rank__isnull=True, then=V(1)), default=V(0)),
        "attention_rank",
        "attention_since",
        "last_name",
        "first_name",
        "email",
    )


@dataclass(frozen=True)
class PatientRow:
    """One line of the therapist's patient list."""

    patient: User
    program: ExerciseProgram | None
    last_log: dt.date | None
    this_week: rules.Adherence | None
    pain_trend: rules.Trend | None
    alerts: list[AlertLine]
    next_appointment: Appointment | None

    @property
    def needs_attention(self) -> bool:
        return getattr(self.patient, "attention_rank", None) is not None


def _week_start(program: ExerciseProgram, today: dt.date) -> dt.date | None:
    """Return the first day of the program week holding ``today`` (as ``program_progress``)."""
    if today < program.start_date:
        return None
    weeks = (today - program.start_date).days // 7
    return program.start_date + weeks * rules.WEEK


def _pain_trend(pains: Sequence[rules.PainEntry], start: dt.date) -> rules.Trend | None:
    """Return the NPRS trend against the baseline, exactly as ``program_progress`` computes it."""
    usual = [p for p in pains if p.on >= start]
    if len(usual) < 2:
        return None
    return rules.pain_trend(usual[0].nprs, usual[-1].nprs)


def patient_rows(
    *, user: Any, patients: Sequence[User], now: dt.datetime | None = None
) -> list[PatientRow]:
    """Return a row for each of ``patients`` (from ``patient_list_for_dashboard``), in order.

    Six queries whatever the number of patients: programs, this week's sessions, the last
    session of each program, pain ratings, open alerts and next visits.
    """
    now = now or timezone.now()
    program_ids = [p.current_program_id for p in patients if p.current_program_id]  # type: ignore[attr-defined]
    programs = {
        program.pk: program
        for program in program_queryset_for_staff(user=user).filter(pk__in=program_ids)
    }
    todays = {pk: program_today(program, now) for pk, program in programs.items()}
    week_starts = {
        pk: start
        for pk, program in programs.items()
        if program.is_open and (start := _week_start(program, todays[pk])) is not None
    }

    sessions: dict[int, list[rules.SessionEntry]] = defaultdict(list)
    if week_starts:
        rows = (
            SessionLog.objects.filter(program__in=week_starts, on__gte=min(week_starts.values()))
            .order_by("program_id", "on", "created_at")
            .values_list("program_id", "on", "completion", "pain_during")
        )
        for program_id, on, completion, pain in rows:
            if on <= todays[program_id]:
                sessions[program_id].append(
                    rules.SessionEntry(
                        on=on, completion=rules.Completion(completion), pain_during=pain
                    )
                )
    last_session = dict(
        SessionLog.objects.filter(program__in=programs)
        .values("program")
        .annotate(last=Max("on"))
        .values_list("program", "last")
    )
    pains: dict[int, list[rules.PainEntry]] = defaultdict(list)
    for program_id, on, nprs in (
        PainScore.objects.filter(program__in=programs)
        .order_by("program_id", "on", "created_at")
        .values_list("program_id", "on", "nprs")
    ):
        if on <= todays[program_id]:
            pains[program_id].append(rules.PainEntry(on=on, nprs=nprs))
    alerts: dict[int, list[ProgramAlert]] = defaultdict(list)
    for alert in ProgramAlert.objects.filter(
        program__in=programs, cleared_at__isnull=True, acknowledged_at__isnull=True
    ).order_by("program_id", "pk"):
        alerts[alert.program_id].append(alert)
    upcoming = (
        Appointment.objects.filter(
            patient=OuterRef("pk"), status=AppointmentStatus.CONFIRMED, start__gt=now
        )
        .order_by("start")
        .values("pk")[:1]
    )
    next_visits = {
        visit.patient_id: visit
        for visit in Appointment.objects.filter(
            pk__in=Subquery(
                User.objects.filter(pk__in=[p.pk for p in patients])
                .annotate(next_visit=Subquery(upcoming))
                .filter(next_visit__isnull=False)
                .values("next_visit")
            )
        ).select_related("therapist", "location", "appointment_type")
    }

    result = []
    for patient in patients:
        program = programs.get(patient.current_program_id)  # type: ignore[attr-defined]
        row = PatientRow(
            patient=patient,
            program=program,
            last_log=None,
            this_week=None,
            pain_trend=None,
            alerts=[],
            next_appointment=next_visits.get(patient.pk),
        )
        if program is not None:
            pk, week_start = program.pk, week_starts.get(program.pk)
            logged = [
                d for d in (last_session.get(pk), pains[pk][-1].on if pains[pk] else None) if d
            ]
            row = replace(
                row,
                last_log=max(logged) if logged else None,
                this_week=rules.weekly_adherence(sessions[pk], rules_window(program), week_start)
                if week_start
                else None,
                pain_trend=_pain_trend(pains[pk], program.start_date),
                alerts=_lines(sorted(alerts[pk], key=lambda a: (a.rank, a.since))),
            )
        result.append(row)
    return result


def alert_get_for_staff(*, user: Any, pk: int) -> ProgramAlert:
    """Return alert ``pk`` if ``user`` may see its program; else ``ProgramAlert.DoesNotExist``."""
    return ProgramAlert.objects.select_related("program").get(
        pk=pk, program__in=program_queryset_for_staff(user=user).values("pk")
    )


@dataclass(frozen=True)
class ProgramRecord:
    """One program as the therapist reviews it: prescription, history, logs and progress."""

    program: ExerciseProgram
    today: dt.date
    version: ProgramVersion
    versions: list[ProgramVersion]
    progress: Progress
    chart_data: dict[str, object]
    alerts: list[AlertLine]  # still holding and not yet dealt with
    alerts_dealt_with: list[AlertLine]  # still holding, acknowledged by a therapist
    symptom_reports: list[SymptomReport]  # not yet resolved
    sessions: list[SessionLog]
    pains: list[PainScore]
    psfs_checkins: list[PsfsCheckin]


@dataclass(frozen=True)
class PatientRecord:
    patient: User
    programs: list[ExerciseProgram]  # those the caller may see, newest first
    record: ProgramRecord | None  # the one shown
    has_open_program: bool  # any therapist's: a new one cannot be prescribed while it lasts
    upcoming: list[Appointment]
    past: list[Appointment]


def program_record(*, program: ExerciseProgram, now: dt.datetime | None = None) -> ProgramRecord:
    """Return everything the patient page shows of ``program`` (a program the caller may see)."""
    today = program_today(program, now)
    progress = program_progress(program=program, today=today)
    holding = alert_list_open(program=program)
    return ProgramRecord(
        program=program,
        today=today,
        version=version_current(program=program),
        versions=list(version_list(program=program)),
        progress=progress,
        chart_data=progress_chart_data(progress),
        alerts=_lines([a for a in holding if a.acknowledged_at is None]),
        alerts_dealt_with=_lines([a for a in holding if a.acknowledged_at is not None]),
        symptom_reports=list(
            program.symptom_reports.filter(resolved_at__isnull=True).order_by("on", "created_at")
        ),
        sessions=list(program.sessions.order_by("-on", "-created_at")[:RECENT_LOGS]),
        pains=list(program.pains.order_by("-on", "-created_at")[:RECENT_LOGS]),
        psfs_checkins=list(
            program.psfs_checkins.order_by("-on", "-created_at").prefetch_related(
                Prefetch("ratings", queryset=PsfsRating.objects.select_related("activity"))
            )[:RECENT_LOGS]
        ),
    )


def patient_record(
    *, user: Any, patient: User, program_pk: int | None = None, now: dt.datetime | None = None
) -> PatientRecord:
    """Return the patient page of ``patient`` (already checked with ``patient_get_for_staff``).

    Shows program ``program_pk`` when given and visible to ``user`` (else raises
    ``ExerciseProgram.DoesNotExist``); otherwise the open program, else the latest one.
    """
    now = now or timezone.now()
    programs = list(
        program_queryset_for_staff(user=user).filter(patient=patient).order_by("-start_date", "-pk")
    )
    if program_pk is not None:
        shown = next((p for p in programs if p.pk == program_pk), None)
        if shown is None:
            raise ExerciseProgram.DoesNotExist(f"no program {program_pk} for this caller")
    else:
        shown = next((p for p in programs if p.is_open), programs[0] if programs else None)
    visits = list(
        Appointment.objects.filter(patient=patient)
        .select_related("therapist", "location", "appointment_type")
        .order_by("start")
    )
    return PatientRecord(
        patient=patient,
        programs=programs,
        record=program_record(program=shown, now=now) if shown else None,
        has_open_program=ExerciseProgram.objects.filter(
            patient=patient, status__in=OPEN_STATUSES
        ).exists(),
        upcoming=[v for v in visits if v.start > now and v.status == AppointmentStatus.CONFIRMED],
        past=[v for v in reversed(visits) if v.start <= now],
    )
