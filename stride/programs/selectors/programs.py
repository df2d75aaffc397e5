"""Reads of programs, scoped to who asks: the patient themselves, their therapist, or an admin.

Every ``*_for_*`` getter raises the model's ``DoesNotExist`` alike for a missing row and for
someone else's, so a caller can answer 404 without leaking that the row exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.scheduling.models import Appointment

from .. import rules
from ..models import (
    OPEN_STATUSES,
    ExerciseProgram,
    ExerciseStep,
    PainScore,
    ProgramAlert,
    ProgramItem,
    ProgramVersion,
    PsfsCheckin,
    SessionLog,
    SymptomReport,
)


def program_today(program: ExerciseProgram, now: dt.datetime | None = None) -> dt.date:
    """Return today's date where the program's clinic is (the patient's logging day)."""
    return timezone.localtime(now or timezone.now(), program.therapist.location.tzinfo).date()


def _programs() -> QuerySet[ExerciseProgram]:
    return ExerciseProgram.objects.select_related(
        "patient", "therapist", "therapist__user", "therapist__location"
    )


def program_get_open_for_patient(*, patient: Any) -> ExerciseProgram | None:
    """Return the patient's open (active or paused) program, or None."""
    if not getattr(patient, "is_authenticated", False) or patient.role != Role.PATIENT:
        return None
    return _programs().filter(patient=patient, status__in=OPEN_STATUSES).first()


def program_queryset_for_staff(*, user: Any) -> QuerySet[ExerciseProgram]:
    """Return the programs ``user`` may see: a therapist their own, an admin all, others none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ExerciseProgram.objects.none()
    if user.role == Role.ADMIN:
        return _programs()
    if user.role == Role.THERAPIST:
        return _programs().filter(therapist__user=user)
    # Front desk sees appointments, never clinical logs.
    return ExerciseProgram.objects.none()


def program_get_for_staff(*, user: Any, pk: int) -> ExerciseProgram:
    """Return program ``pk`` if ``user`` may see it; else raise ``ExerciseProgram.DoesNotExist``."""
    return program_queryset_for_staff(user=user).get(pk=pk)


def patient_queryset_for_staff(*, user: Any) -> QuerySet[User]:
    """Return the patients whose clinical record ``user`` may see.

    A therapist's own patients are those they prescribed a program to or have an appointment
    with; an admin sees every patient; front desk and others see none.
    """
    patients = User.objects.filter(role=Role.PATIENT)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return patients.none()
    if user.role == Role.ADMIN:
        return patients
    if user.role == Role.THERAPIST:
        # Two indexed subqueries rather than joins and DISTINCT over every appointment.
        return patients.filter(
            Q(pk__in=ExerciseProgram.objects.filter(therapist__user=user).values("patient_id"))
            | Q(pk__in=Appointment.objects.filter(therapist__user=user).values("patient_id"))
        )
    return patients.none()


def patient_get_for_staff(*, user: Any, pk: int) -> User:
    """Return patient ``pk`` if ``user`` may see their record; else raise ``User.DoesNotExist``."""
    return patient_queryset_for_staff(user=user).get(pk=pk)


def version_current(*, program: ExerciseProgram) -> ProgramVersion:
    """Return the newest version with its items, exercises and steps (four queries)."""
    return (
        ProgramVersion.objects.filter(program=program)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ProgramItem.objects.select_related("exercise").prefetch_related(
                    Prefetch("exercise__steps", queryset=ExerciseStep.objects.order_by("number"))
                ),
            )
        )
        .order_by("-number")
        .first()
    ) or _missing_version(program)


def _missing_version(program: ExerciseProgram) -> ProgramVersion:
    raise ProgramVersion.DoesNotExist(f"program {program.pk} has no version")


def version_list(*, program: ExerciseProgram) -> QuerySet[ProgramVersion]:
    """Return every version, newest first, with its items and who made it."""
    return (
        ProgramVersion.objects.filter(program=program)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("items", queryset=ProgramItem.objects.select_related("exercise"))
        )
        .order_by("-number")
    )


def rules_window(program: ExerciseProgram) -> rules.ProgramWindow:
    return rules.ProgramWindow(
        start=program.start_date, sessions_per_week=program.sessions_per_week
    )


def rules_sessions(program: ExerciseProgram, today: dt.date) -> list[rules.SessionEntry]:
    rows = SessionLog.objects.filter(program=program, on__lte=today).order_by("on", "created_at")
    return [
        rules.SessionEntry(on=on, completion=rules.Completion(completion), pain_during=pain)
        for on, completion, pain in rows.values_list("on", "completion", "pain_during")
    ]


def rules_pains(program: ExerciseProgram, today: dt.date) -> list[rules.PainEntry]:
    rows = PainScore.objects.filter(program=program, on__lte=today).order_by("on", "created_at")
    return [rules.PainEntry(on=on, nprs=nprs) for on, nprs in rows.values_list("on", "nprs")]


def rules_red_flags(program: ExerciseProgram, today: dt.date) -> list[rules.RedFlagAnswer]:
    rows = SymptomReport.objects.filter(
        program=program, on__lte=today, resolved_at__isnull=True
    ).order_by("on", "created_at")
    return [
        rules.RedFlagAnswer(on=on, code=rules.RedFlag(code))
        for on, code in rows.values_list("on", "code")
    ]


def rules_psfs(program: ExerciseProgram) -> list[rules.PsfsEntry]:
    """Return the PSFS check-ins that rate 3 to 5 activities, oldest first."""
    entries = []
    for checkin in PsfsCheckin.objects.filter(program=program).prefetch_related(
        "ratings__activity"
    ):
        ratings = tuple(
            r.score for r in sorted(checkin.ratings.all(), key=lambda r: r.activity.position)
        )
        if 3 <= len(ratings) <= 5:
            entries.append(rules.PsfsEntry(on=checkin.on, ratings=ratings))
    return entries


def alert_list_open(*, program: ExerciseProgram) -> list[ProgramAlert]:
    """Return the program's alerts that still hold, most pressing first."""
    alerts = list(program.alerts.filter(cleared_at__isnull=True))
    return sorted(alerts, key=lambda a: (a.rank, -a.created_at.timestamp()))
