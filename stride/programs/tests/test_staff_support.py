"""Shared set-up for the therapist's pages: a clinic's people and programs, and alert helpers.

No tests here; the ``test_staff_*`` and ``test_dashboard*`` modules import from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.programs import rules
from stride.programs.models import ExerciseProgram, PainScore, ProgramAlert, SessionLog
from stride.programs.selectors.programs import program_today
from stride.scheduling.models import Therapist
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    StaffUserFactory,
    TherapistFactory,
    UserFactory,
)

from .factories import program_prescribe


@dataclass
class People:
    therapist: Therapist
    other: Therapist  # another therapist, with a patient of their own
    front_desk: User
    admin: User
    patient: User  # the therapist's patient, with a program started 14 days ago
    program: ExerciseProgram
    other_patient: User  # the other therapist's
    other_program: ExerciseProgram
    stranger: User  # a patient of nobody's


def people_build() -> People:
    therapist = TherapistFactory.create(user__first_name="Maya", user__last_name="Chen")
    other = TherapistFactory.create(location=therapist.location)
    patient = UserFactory.create(first_name="Alex", last_name="Rivera")
    other_patient = UserFactory.create(first_name="Blake", last_name="Other")
    return People(
        therapist=therapist,
        other=other,
        front_desk=StaffUserFactory.create(),
        admin=UserFactory.create(role=Role.ADMIN, is_staff=True, email="boss@stridept.example"),
        patient=patient,
        program=program_prescribe(patient=patient, therapist=therapist),
        other_patient=other_patient,
        other_program=program_prescribe(patient=other_patient, therapist=other),
        stranger=UserFactory.create(first_name="Casey", last_name="Nobody"),
    )


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def alert_add(
    program: ExerciseProgram,
    kind: rules.AlertKind = rules.AlertKind.NOT_IMPROVING,
    *,
    severity: rules.Severity | None = None,
    since: dt.date | None = None,
    flag: bool = True,
    **extra: Any,
) -> ProgramAlert:
    """Record an alert directly, as ``program_evaluate`` would (keys made unique per call)."""
    defaults = {
        rules.AlertKind.RED_FLAG_EMERGENCY: (
            rules.Severity.EMERGENCY,
            "escalation.red_flag.emergency",
        ),
        rules.AlertKind.RED_FLAG_URGENT: (rules.Severity.URGENT, "escalation.red_flag.urgent"),
        rules.AlertKind.GETTING_WORSE: (
            rules.Severity.HIGH,
            "escalation.getting_worse.exercise_pain",
        ),
        rules.AlertKind.NOT_IMPROVING: (rules.Severity.MODERATE, "escalation.not_improving"),
        rules.AlertKind.LOW_ADHERENCE: (rules.Severity.LOW, "escalation.low_adherence.nudge"),
    }
    default_severity, message_key = defaults[kind]
    since = since or program.start_date
    return ProgramAlert.objects.create(
        program=program,
        kind=kind.value,
        severity=(severity or default_severity).value,
        episode_key=f"{kind}:{since}:{ProgramAlert.objects.count()}",
        message_key=extra.pop("message_key", message_key),
        since=since,
        flag_therapist=flag,
        suggest_booking=extra.pop("suggest_booking", True),
        **extra,
    )


def logs_add(
    program: ExerciseProgram, *, days: int, pains: list[int] | None = None, done: int | None = None
) -> None:
    """Log sessions (done) on the ``done`` latest of the last ``days`` days, and daily pains.

    Rows are written directly, like the demo, so no escalation runs in between.
    """
    from stride.programs.selectors.programs import version_current

    today = program_today(program)
    version = version_current(program=program)
    first = today - dt.timedelta(days=days - 1)
    done = days if done is None else done
    for offset in range(days):
        on = first + dt.timedelta(days=offset)
        if offset >= days - done:
            SessionLog.objects.create(program=program, version=version, on=on, completion="done")
        if pains is not None and offset < len(pains):
            PainScore.objects.create(program=program, on=on, nprs=pains[offset])


def future(days: int = 3, hour: int = 15) -> dt.datetime:
    """Return an instant ``days`` from now at ``hour``:00 UTC."""
    return (timezone.now() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def visit_add(patient: User, therapist: Therapist, start: dt.datetime, **kwargs: Any) -> Any:
    return AppointmentFactory.create(patient=patient, therapist=therapist, start=start, **kwargs)
