"""Daily exercise reminders: at the clinic's local reminder time, once a day, never when the
session is already logged, and never twice even when several workers run at the same moment."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
import sqlite3
import time
import uuid
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from stride.accounts.models import User
from stride.core.tests.process_race import script_run, workers_race
from stride.programs.models import (
    ExerciseProgram,
    ExerciseReminder,
    ProgramStatus,
    SessionLog,
)
from stride.programs.selectors.programs import version_current
from stride.programs.services.programs import program_reminder_set, program_status_set
from stride.programs.services.reminders import (
    CLAIM_LEASE,
    ReminderResult,
    exercise_reminder_send,
    exercise_reminders_send_due,
)
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.tests.factories import LocationFactory, TherapistFactory, UserFactory

HERE = "stride.programs.tests.test_exercise_reminders"
NY = zoneinfo.ZoneInfo("America/New_York")
LA = "America/Los_Angeles"
START = dt.date(2026, 1, 5)
JUNE_10 = dt.date(2026, 6, 10)


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(locmem.EmailBackend):
    """The in-memory backend with an SMTP-like delay, to widen race windows."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        time.sleep(0.05)
        return super().send_messages(messages)


def ny(day: dt.date, hour: int, minute: int = 0, *, fold: int = 0) -> dt.datetime:
    """Return ``day hour:minute`` in New York as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY).replace(fold=fold)
    return local.astimezone(dt.UTC)


def reminded(
    at: dt.time | None = dt.time(8), *, therapist: Any = None, **kwargs: Any
) -> ExerciseProgram:
    """Prescribe a program started on START with a daily reminder at ``at``."""
    kwargs.setdefault("exercises", 1)
    program = program_prescribe(start=START, therapist=therapist, **kwargs)
    return program_reminder_set(program=program, at=at)


def send(now: dt.datetime) -> list[str]:
    """Run the reminders at ``now``; return the recipients emailed by this run."""
    before = len(mail.outbox)
    exercise_reminders_send_due(now=now)
    return [message.to[0] for message in mail.outbox[before:]]


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("send_exercise_reminders", *args, stdout=out)
    return out.getvalue()


# --- When a reminder goes -------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(SITE_URL="https://clinic.example.org")
def test_sends_one_reminder_at_the_local_time_without_clinical_details() -> None:
    program = reminded(dt.time(8))
    exercise = version_current(program=program).items.get().exercise

    assert send(ny(JUNE_10, 8)) == [program.patient.email]

    (email,) = mail.outbox
    assert email.subject == "Time for your exercises"
    assert "https://clinic.example.org/my/" in email.body
    assert isinstance(email, EmailMultiAlternatives)
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html" and "https://clinic.example.org/my/" in str(html)
    for text in (email.body, str(html), str(email.subject)):
        assert exercise.name not in text
        assert program.title not in text
        assert "pain" not in text.lower()
    reminder = ExerciseReminder.objects.get()
    assert (reminder.program, reminder.on) == (program, JUNE_10)
    assert reminder.sent_at is not None


@pytest.mark.django_db
def test_nothing_goes_before_the_reminder_time() -> None:
    reminded(dt.time(8))
    assert send(ny(JUNE_10, 7, 59)) == []
    assert not ExerciseReminder.objects.exists()


@pytest.mark.django_db
def test_two_runs_on_one_day_send_one_email_and_the_next_day_another() -> None:
    program = reminded(dt.time(8))
    assert send(ny(JUNE_10, 8, 5)) == [program.patient.email]
    assert send(ny(JUNE_10, 20)) == []
    assert send(ny(JUNE_10, 23, 59)) == []
    assert send(ny(JUNE_10 + dt.timedelta(days=1), 8)) == [program.patient.email]
    assert list(ExerciseReminder.objects.values_list("on", flat=True).order_by("on")) == [
        JUNE_10,
        JUNE_10 + dt.timedelta(days=1),
    ]


@pytest.mark.django_db
def test_skipped_when_todays_session_is_already_logged() -> None:
    program = reminded(dt.time(8))
    SessionLog.objects.create(
        program=program, version=version_current(program=program), on=JUNE_10, completion="done"
    )
    assert send(ny(JUNE_10, 9)) == []
    assert exercise_reminder_send(program_id=program.pk, now=ny(JUNE_10, 9)) == (
        ReminderResult.SKIPPED
    )
    assert not ExerciseReminder.objects.exists()
    # Yesterday's session does not count for today.
    assert send(ny(JUNE_10 + dt.timedelta(days=1), 9)) == [program.patient.email]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ProgramStatus.SUSPENDED, ProgramStatus.ENDED])
def test_paused_and_ended_programs_are_skipped(status: ProgramStatus) -> None:
    program = reminded(dt.time(8))
    program_status_set(program=program, status=status)
    assert send(ny(JUNE_10, 9)) == []
    assert exercise_reminder_send(program_id=program.pk, now=ny(JUNE_10, 9)) == (
        ReminderResult.SKIPPED
    )


@pytest.mark.django_db
def test_programs_without_a_time_not_started_or_of_inactive_patients_are_skipped() -> None:
    reminded(None)
    program_reminder_set(
        program=program_prescribe(start=JUNE_10 + dt.timedelta(days=1), exercises=1),
        at=dt.time(8),
    )
    inactive = reminded(dt.time(8))
    User.objects.filter(pk=inactive.patient_id).update(is_active=False)
    assert send(ny(JUNE_10, 12)) == []


@pytest.mark.django_db
def test_the_clinics_time_zone_decides() -> None:
    los_angeles = TherapistFactory.create(location=LocationFactory.create(timezone=LA))
    west = reminded(dt.time(8), therapist=los_angeles)
    east = reminded(dt.time(8))
    # 08:00 in New York is 05:00 in Los Angeles.
    assert send(ny(JUNE_10, 8)) == [east.patient.email]
    assert send(ny(JUNE_10, 11)) == [west.patient.email]


# --- Daylight saving in New York ---------------------------------------------------------------------

SPRING_FORWARD = dt.date(2026, 3, 8)  # 02:00 EST → 03:00 EDT
FALL_BACK = dt.date(2026, 11, 1)  # 02:00 EDT → 01:00 EST


@pytest.mark.django_db
def test_dst_spring_forward_keeps_the_local_time() -> None:
    program = reminded(dt.time(8))
    # 08:00 EDT is 12:00 UTC (the day before, 08:00 EST was 13:00 UTC).
    assert send(dt.datetime(2026, 3, 8, 11, 59, tzinfo=dt.UTC)) == []
    assert send(dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)) == [program.patient.email]
    assert ExerciseReminder.objects.get().on == SPRING_FORWARD


@pytest.mark.django_db
def test_dst_a_time_skipped_in_spring_goes_right_after_the_change() -> None:
    program = reminded(dt.time(2, 30))
    assert send(dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC)) == []  # 01:59 EST
    assert send(dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC)) == [program.patient.email]  # 03:00
    assert ExerciseReminder.objects.get().on == SPRING_FORWARD


@pytest.mark.django_db
def test_dst_a_time_repeated_in_autumn_sends_once() -> None:
    program = reminded(dt.time(1, 30))
    first, second = ny(FALL_BACK, 1, 30), ny(FALL_BACK, 1, 30, fold=1)
    assert second - first == dt.timedelta(hours=1)
    assert send(first) == [program.patient.email]
    assert send(second) == []
    assert ExerciseReminder.objects.get().on == FALL_BACK


# --- Failures and abandoned claims -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_mail_server_leaves_it_for_the_next_run(settings: Any) -> None:
    program = reminded(dt.time(0))
    settings.EMAIL_BACKEND = f"{HERE}.FailingBackend"

    with pytest.raises(CommandError, match="1 exercise reminder"):
        run_command()

    assert not ExerciseReminder.objects.exists()  # our claim was deleted at once
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_command().strip() == "Exercise reminders: 1 due; 1 sent, 0 failed, 0 skipped."
    assert [m.to for m in mail.outbox] == [[program.patient.email]]
    assert run_command().strip() == "Exercise reminders: 0 due; 0 sent, 0 failed, 0 skipped."


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over() -> None:
    now = ny(JUNE_10, 9)
    held, abandoned = reminded(dt.time(8)), reminded(dt.time(8))
    stale_id = uuid.uuid4()
    ExerciseReminder.objects.create(
        program=held, on=JUNE_10, claimed_at=now - dt.timedelta(minutes=1), claim_id=uuid.uuid4()
    )
    ExerciseReminder.objects.create(
        program=abandoned,
        on=JUNE_10,
        claimed_at=now - CLAIM_LEASE - dt.timedelta(minutes=1),
        claim_id=stale_id,
    )

    assert exercise_reminder_send(program_id=held.pk, now=now) == ReminderResult.SKIPPED
    assert exercise_reminder_send(program_id=abandoned.pk, now=now) == ReminderResult.SENT
    assert exercise_reminder_send(program_id=abandoned.pk, now=now) == ReminderResult.SKIPPED

    assert [m.to for m in mail.outbox] == [[abandoned.patient.email]]
    taken = ExerciseReminder.objects.get(program=abandoned)
    assert taken.claim_id != stale_id and taken.sent_at == now


@pytest.mark.django_db
def test_a_sent_reminder_is_never_taken_over() -> None:
    now = ny(JUNE_10, 9)
    program = reminded(dt.time(8))
    ExerciseReminder.objects.create(
        program=program,
        on=JUNE_10,
        claimed_at=now - dt.timedelta(hours=1),
        claim_id=uuid.uuid4(),
        sent_at=now - dt.timedelta(hours=1),
    )
    assert exercise_reminder_send(program_id=program.pk, now=now) == ReminderResult.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db
def test_command_limit() -> None:
    for _ in range(3):
        reminded(dt.time(0))
    assert "2 sent" in run_command("--limit", "2")
    assert "1 sent" in run_command()
    with pytest.raises(CommandError):
        run_command("--limit", "0")


# --- Several workers at once -------------------------------------------------------------------------

WORKERS = 3
DUE = 30
RACE_NOW = ny(JUNE_10, 10)

# Each worker: start Django on the given database, wait until every worker is ready, then send
# the due reminders at one fixed time with a slow in-memory mail backend and print the recipients.
WORKER = """
import datetime as dt, json, os, sys, time
from pathlib import Path
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ.get("W_URL") or None, database_name=os.environ.get("W_NAME") or None)
from django.conf import settings
settings.EMAIL_BACKEND = "stride.programs.tests.test_exercise_reminders.SlowBackend"
from django.core import mail
from stride.programs.services.reminders import exercise_reminders_send_due
ready = Path(os.environ["W_READY"])
(ready / str(os.getpid())).touch()
deadline = time.time() + 60
while len(list(ready.iterdir())) < int(os.environ["W_COUNT"]) and time.time() < deadline:
    time.sleep(0.01)
exercise_reminders_send_due(now=dt.datetime.fromisoformat(os.environ["W_NOW"]))
print(json.dumps([m.to[0] for m in getattr(mail, "outbox", [])]))
"""

PREPARE = """
import os
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ["W_URL"], database_name=None)
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stride.programs.tests.test_exercise_reminders import reminder_programs_create
reminder_programs_create(int(os.environ["W_DUE"]))
"""


def reminder_programs_create(count: int) -> list[int]:
    """Create ``count`` programs of one therapist, each due for its 08:00 reminder at RACE_NOW."""
    therapist = TherapistFactory.create()
    return [
        reminded(dt.time(8), therapist=therapist, patient=UserFactory.create()).pk
        for _ in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_postgresql_workers_racing_send_each_reminder_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: an in-memory SQLite test database cannot be shared with worker "
            "processes (the SQLite file race below covers SQLite)"
        )
    ids = reminder_programs_create(DUE)  # committed: the workers see them

    sent = workers_race(
        WORKER,
        tmp_path,
        {"W_NOW": RACE_NOW.isoformat(), "W_URL": "", "W_NAME": connection.settings_dict["NAME"]},
        workers=WORKERS,
    )

    assert len(sent) == DUE
    assert len(set(sent)) == DUE
    rows = ExerciseReminder.objects.filter(program__in=ids, on=JUNE_10, sent_at__isnull=False)
    assert rows.count() == DUE


def test_sqlite_file_workers_racing_send_each_reminder_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file race runs in the SQLite pass of the suite (DATABASE_URL unset)")
    path = tmp_path / "exercise-reminders.sqlite3"
    env = {"W_URL": f"sqlite:///{path}", "W_NAME": "", "W_DUE": str(DUE)}
    script_run(PREPARE, env)

    sent = workers_race(WORKER, tmp_path, {**env, "W_NOW": RACE_NOW.isoformat()}, workers=WORKERS)

    assert len(sent) == DUE
    assert len(set(sent)) == DUE
    with sqlite3.connect(path) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM programs_exercisereminder WHERE sent_at IS NOT NULL"
        ).fetchone()
    assert count == DUE
