"""``manage.py evaluate_programs``: the daily run of the escalation rules over open programs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from stride.programs.models import ProgramAlert, ProgramStatus, SessionLog
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.programs import program_status_set
from stride.programs.tests.factories import program_prescribe

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("evaluate_programs", stdout=out)
    return out.getvalue().strip()


def test_low_adherence_is_found_without_any_log_and_recorded_once() -> None:
    # Two program weeks over, nothing logged: CLINICAL.md §5 low adherence (nudge, then flag).
    program = program_prescribe(exercises=1)

    first = run()

    alerts = list(ProgramAlert.objects.filter(program=program))
    assert {alert.kind for alert in alerts} == {"low_adherence"}
    assert first == f"Programs evaluated: {len(alerts)} new alert{'' if len(alerts) == 1 else 's'}."
    assert run() == "Programs evaluated: 0 new alerts."
    assert ProgramAlert.objects.count() == len(alerts)


def test_a_flagged_alert_emails_the_therapist(django_capture_on_commit_callbacks) -> None:
    program = program_prescribe(exercises=1)
    version = version_current(program=program)
    # Logged straight to the table, so only the command evaluates it: pain 8 during exercise.
    SessionLog.objects.create(
        program=program,
        version=version,
        on=program_today(program),
        completion="done",
        pain_during=8,
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    kinds = set(ProgramAlert.objects.values_list("kind", flat=True))
    assert "getting_worse" in kinds
    assert output.startswith("Programs evaluated: ")
    assert [m.to for m in mail.outbox] == [[program.therapist.user.email]]


def test_ended_programs_are_left_alone() -> None:
    program = program_prescribe(exercises=1, start=dt.date(2026, 1, 5))
    program_status_set(program=program, status=ProgramStatus.ENDED)
    assert run() == "Programs evaluated: 0 new alerts."
    assert not ProgramAlert.objects.exists()


def test_no_programs_no_alerts() -> None:
    assert run() == "Programs evaluated: 0 new alerts."
