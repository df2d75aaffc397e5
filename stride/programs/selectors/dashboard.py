"""Reads for the therapist's side: the patient list with who needs attention, and one record.

Everything here is scoped through ``program_queryset_for_staff`` and
``patient_queryset_for_staff``: a therapist sees their own patients and programs, an admin all,
front desk none. The patient list runs the same number of queries for 3 patients as for 3,000,
and reads only what one page shows: patients needing attention are few (open alerts), so they
are ordered from their alerts; everyone else is ordered by name in the database and read a
page at a time. Each row's facts over a program's whole history (last log, pain against the
first rating) are aggregated in SQL, as ``program_progress`` computes them for one program.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from django.db.models import (
    Case,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.utils import timezone

from stride.accounts.models import Role, User
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

_RED_FLAGS = frozenset(RedFlag.values)
_SEVERITY_RANK = Case(
    *(When(severity=severity.value, then=V(rank)) for rank, severity in enumerate(rules.Severity)),
    default=V(len(rules.Severity)),
    output_field=IntegerField(),
)


def alert_reason(alert: ProgramAlert) -> str:
    """Return why ``alert`` fired, in plain words for the therapist."""
    red_flag = RedFlag(alert.red_flag).label.lower() if alert.red_flag in _RED_FLAGS else ""
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


def _name_order(patient: User) -> tuple[str, str, str]:
    return (patient.last_name, patient.first_name, patient.email)


@dataclass
class DashboardPatients:
    """The caller's patients in list order, read a slice at a time (a Paginator's object_list).

    Patients needing attention (an open, flagged alert not yet dealt with) come first, by the
    severity of their most pressing alert, then by how long it has held, then by name; then
    everyone else by name. Each patient read carries ``attention_rank``, ``attention_since``
    (None when not needing attention) and ``current_program`` (the open program the caller
    may see, else their latest, else None) for ``patient_rows``.
    """

    user: Any
    patients: QuerySet[User]  # in scope and matching the search
    search: str = ""
    attention_only: bool = False
    _attention: list[tuple[int, int, dt.date]] | None = None

    def attention(self) -> list[tuple[int, int, dt.date]]:
        """Return (patient id, severity rank, since) of those needing attention, in order."""
        if self._attention is None:
            pressing: dict[int, tuple[int, dt.date, tuple[str, str, str]]] = {}
            # The patients of the caller's own programs are all in scope: only the search (and
            # the role the scope requires) applies.
            rows = (
                _attention_alerts(self.user)
                .filter(_search_q(self.search, "program__patient__"))
                .filter(program__patient__role=Role.PATIENT)
                .order_by()  # sorted below; the default ordering would join and sort programs
                .annotate(severity_rank=_SEVERITY_RANK)
                .values_list(
                    "program__patient_id",
                    "severity_rank",
                    "since",
                    "program__patient__last_name",
                    "program__patient__first_name",
                    "program__patient__email",
                )
            )
            for patient_id, rank, since, *name in rows:
                key = (rank, since, (name[0], name[1], name[2]))
                if patient_id not in pressing or key < pressing[patient_id]:
                    pressing[patient_id] = key
            ordered = sorted(pressing.items(), key=lambda item: item[1])
            self._attention = [(pk, rank, since) for pk, (rank, since, _) in ordered]
        return self._attention

    def count(self) -> int:
        if self.attention_only:
            return len(self.attention())
        return self.patients.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[User]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> User: ...

    @overload
    def __getitem__(self, index: slice) -> list[User]: ...

    def __getitem__(self, index: int | slice) -> User | list[User]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1):
            raise TypeError("DashboardPatients supports plain slices only")
        start, stop = index.start or 0, index.stop
        if stop is None or start < 0 or stop < 0:
            raise ValueError("DashboardPatients needs a bounded, non-negative slice")
        attention = self.attention()
        shown = attention[start:stop]
        users = (
            {u.pk: u for u in User.objects.filter(pk__in=[pk for pk, _, _ in shown])}
            if shown
            else {}
        )
        page: list[User] = []
        for pk, rank, since in shown:
            patient = users[pk]
            patient.attention_rank, patient.attention_since = rank, since  # type: ignore[attr-defined]
            page.append(patient)
        wanted = stop - start - len(shown)
        if wanted > 0 and not self.attention_only:
            offset = max(0, start - len(attention))
            # Those needing attention and matching the search are the ones just read.
            calm = self.patients.exclude(pk__in=[pk for pk, _, _ in attention]).order_by(
                "last_name", "first_name", "email", "pk"
            )[offset : offset + wanted]
            for patient in calm:
                patient.attention_rank = patient.attention_since = None  # type: ignore[attr-defined]
                page.append(patient)
        _current_programs_attach(self.user, page)
        return page


_ROW_PROGRAM_FIELDS = (
    "patient_id",
    "therapist_id",
    "title",
    "status",
    "start_date",
    "sessions_per_week",
    "therapist__location_id",
    "therapist__location__timezone",
)


def _current_programs_attach(user: Any, patients: Sequence[User]) -> None:
    """Set ``current_program`` on each patient: the open program ``user`` may see, else the
    latest one, else None (one query)."""
    current: dict[int, ExerciseProgram] = {}
    by_pk = {p.pk: p for p in patients}
    # The patients are in hand; of the therapist only the location's time zone is needed.
    programs = (
        program_queryset_for_staff(user=user)
        .filter(patient__in=list(by_pk))
        .select_related(None)
        .select_related("therapist__location")
        # What the rows read (patient_rows, the row markup); built for every patient shown.
        .only(*_ROW_PROGRAM_FIELDS)
    )
    for program in programs:
        program.patient = by_pk[program.patient_id]
        key = (program.is_open, program.start_date, program.pk)
        held = current.get(program.patient_id)
        if held is None or key > (held.is_open, held.start_date, held.pk):
            current[program.patient_id] = program
    for patient in patients:
        patient.current_program = current.get(patient.pk)  # type: ignore[attr-defined]


def patient_list_for_dashboard(
    *, user: Any, search: str = "", attention_only: bool = False
) -> DashboardPatients:
    """Return ``user``'s patients, those needing attention first, then by name.

    ``search`` matches every word against first name, last name or email; ``attention_only``
    keeps those needing attention. Read it a page at a time (see ``DashboardPatients``).
    """
    patients = patient_queryset_for_staff(user=user).filter(_search_q(search))
    return DashboardPatients(
        user=user, patients=patients, search=search, attention_only=attention_only
    )


def _search_q(search: str, prefix: str = "") -> Q:
    """Match every word of ``search`` against a patient's first name, last name or email."""
    matches = Q()
    for word in search.split():
        matches &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return matches


@dataclass(frozen=True)
class PatientRow:
    """One line of the therapist's patient list."""

    patient: User
    program: ExerciseProgram | None
    last_log: dt.date | None
    this_week: rules.Adherence | None
    pain_trend: rules.Trend | None
    alerts: list[AlertLine]
    next_appointment: NextVisit | None

    @property
    def needs_attention(self) -> bool:
        return getattr(self.patient, "attention_rank", None) is not None


def _week_start(program: ExerciseProgram, today: dt.date) -> dt.date | None:
    """Return the first day of the program week holding ``today`` (as ``program_progress``)."""
    if today < program.start_date:
        return None
    weeks = (today - program.start_date).days // 7
    return program.start_date + weeks * rules.WEEK


@dataclass(frozen=True)
class _History:
    """What a row shows of a program's whole history, aggregated in SQL up to its today."""

    last_session: dt.date | None
    last_pain: dt.date | None
    baseline_nprs: int | None  # the first usual-pain rating on or after the start
    latest_nprs: int | None  # the last one up to today
    two_ratings: bool  # at least two such ratings: a trend can be told

    @property
    def last_log(self) -> dt.date | None:
        logged = [d for d in (self.last_session, self.last_pain) if d is not None]
        return max(logged) if logged else None

    @property
    def pain_trend(self) -> rules.Trend | None:
        """The NPRS trend against the baseline, exactly as ``program_progress`` tells it."""
        if not self.two_ratings or self.baseline_nprs is None or self.latest_nprs is None:
            return None
        return rules.pain_trend(self.baseline_nprs, self.latest_nprs)


def _histories(
    programs: dict[int, ExerciseProgram], todays: dict[int, dt.date]
) -> dict[int, _History]:
    """Return each program's history facts: one query per distinct "today" (per time zone).

    Each fact is a subquery reading a handful of rows through the (program, on) indexes, so
    the cost does not grow with 90 days of logs.
    """
    by_today: dict[dt.date, list[int]] = defaultdict(list)
    for pk, today in todays.items():
        by_today[today].append(pk)
    facts: dict[int, _History] = {}
    for today, ids in by_today.items():
        pains = PainScore.objects.filter(program=OuterRef("pk"), on__lte=today)
        usual = pains.filter(on__gte=OuterRef("start_date"))
        rows = (
            ExerciseProgram.objects.filter(pk__in=ids)
            .annotate(
                last_session=Subquery(
                    SessionLog.objects.filter(program=OuterRef("pk"), on__lte=today)
                    .order_by("-on")
                    .values("on")[:1]
                ),
                last_pain=Subquery(pains.order_by("-on").values("on")[:1]),
                baseline_nprs=Subquery(usual.order_by("on", "created_at").values("nprs")[:1]),
                latest_nprs=Subquery(usual.order_by("-on", "-created_at").values("nprs")[:1]),
                second_rating=Subquery(usual.order_by("on", "created_at").values("pk")[1:2]),
            )
            .values_list(
                "pk",
                "last_session",
                "last_pain",
                "baseline_nprs",
                "latest_nprs",
                "second_rating",
            )
        )
        for pk, last_session, last_pain, baseline, latest, second in rows:
            facts[pk] = _History(last_session, last_pain, baseline, latest, second is not None)
    return facts


@dataclass(frozen=True, slots=True)
class NextVisit:
    """What the patient list shows of a patient's next visit."""

    pk: int
    start: dt.datetime
    timezone: str  # the location's
    appointment_type: str
    therapist: str


def _next_visits(patient_ids: list[int], now: dt.datetime) -> dict[int, NextVisit]:
    """Return each patient's next confirmed visit after ``now`` (two queries).

    The first visit time of each patient, then the visits at those times, read as values: a
    subquery per patient cost more to compile, and whole appointments more to build, than
    the query cost to run.
    """
    confirmed = Appointment.objects.filter(status=AppointmentStatus.CONFIRMED).order_by()
    firsts = dict(
        confirmed.filter(patient__in=patient_ids, start__gt=now)
        .values("patient_id")
        .annotate(first=Min("start"))
        .values_list("patient_id", "first")
    )
    if not firsts:
        return {}
    visits: dict[int, NextVisit] = {}
    candidates = (
        confirmed.filter(patient__in=list(firsts), start__in=set(firsts.values()))
        .order_by("start", "pk")
        .values_list(
            "patient_id",
            "pk",
            "start",
            "location__timezone",
            "appointment_type__name",
            "therapist__display_name",
        )
    )
    for patient_id, pk, start, zone, appointment_type, therapist in candidates:
        if start == firsts[patient_id] and patient_id not in visits:
            visits[patient_id] = NextVisit(pk, start, zone, appointment_type, therapist)
    return visits


def patient_rows(
    *, user: Any, patients: Sequence[User], now: dt.datetime | None = None
) -> list[PatientRow]:
    """Return a row for each of ``patients`` (from ``patient_list_for_dashboard``), in order.

    Four queries whatever the number of patients and logs: each program's history facts (one
    query per time zone of the clinics), this week's sessions, open alerts and next visits.
    """
    now = now or timezone.now()
    programs = {
        program.pk: program
        for p in patients
        if (program := getattr(p, "current_program", None)) is not None
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
    histories = _histories(programs, todays) if programs else {}
    alerts: dict[int, list[ProgramAlert]] = defaultdict(list)
    if programs:
        for alert in ProgramAlert.objects.filter(
            program__in=list(programs), cleared_at__isnull=True, acknowledged_at__isnull=True
        ).order_by("program_id", "pk"):
            alerts[alert.program_id].append(alert)
    next_visits = _next_visits([p.pk for p in patients], now)
    result = []
    for patient in patients:
        program = getattr(patient, "current_program", None)
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
            history = histories[pk]
            row = replace(
                row,
                last_log=history.last_log,
                this_week=rules.weekly_adherence(sessions[pk], rules_window(program), week_start)
                if week_start
                else None,
                pain_trend=history.pain_trend,
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
