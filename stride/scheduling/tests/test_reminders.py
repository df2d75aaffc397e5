"""Reminder emails: sent once a day before each booked visit, retried after failures, and
never twice even when several workers run ``send_reminders`` at the same moment."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
import sqlite3
import time
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
from django.db.models import F
from django.utils import timezone

from stride.core.tests.process_race import script_run, workers_race
from stride.scheduling.models import Appointment, AppointmentStatus
from stride.scheduling.services import ReminderResult, appointment_reminder_send, reminders_send_due
from stride.scheduling.services.reminders import CLAIM_LEASE
from stride.scheduling.tests.conftest import NY, Clinic
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    TherapistFactory,
    UserFactory,
)

HERE = "stride.scheduling.tests.test_reminders"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(locmem.EmailBackend):
    """The in-memory backend with an SMTP-like delay, to widen race windows."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        time.sleep(0.05)
        return super().send_messages(messages)


class MovingBackend(locmem.EmailBackend):
    """Delivers, but staff move the visit while the email is on its way."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        hour = dt.timedelta(hours=1)
        Appointment.objects.update(
            start=F("start") + hour, end=F("end") + hour, buffer_end=F("buffer_end") + hour
        )
        return super().send_messages(messages)


def models_now() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


def due(clinic: Clinic, hours: float, **fields: Any) -> Appointment:
    """Save a booked visit starting ``hours`` from now (negative: in the past)."""
    fields.setdefault("patient", UserFactory.create(first_name="Grace", last_name="Hopper"))
    return AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=models_now() + dt.timedelta(hours=hours),
        **fields,
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_sends_one_reminder_for_a_visit_twenty_hours_ahead(clinic: Clinic) -> None:
    appointment = due(clinic, 20, reason="Secret knee history", red_flags=["night_pain"])

    output = run()

    assert output.strip() == "Reminders: 1 due; 1 sent, 0 failed, 0 skipped."
    (email,) = mail.outbox
    assert email.to == [appointment.patient.email]
    local = appointment.start.astimezone(NY)
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    subject = str(email.subject)
    assert subject.startswith("Reminder: your appointment on ")
    assert clock in subject and str(local.tzname()) in subject
    body = email.body
    for expected in (
        "Hello Grace,",
        "Initial evaluation with " + clinic.therapist.display_name,
        clinic.location.address_line,
        "Use the link in your confirmation email, or call us on (718) 555-0100",
        "24 hours' notice",
    ):
        assert expected in body, expected
    assert "Secret knee" not in body and "night" not in body.lower()
    assert isinstance(email, EmailMultiAlternatives)
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html" and "Grace" in str(html) and "Secret" not in str(html)
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None
    assert appointment.reminder_claimed_at is None and appointment.reminder_claim_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "fields"),
    [
        (30, {}),  # not due yet
        (-1, {}),  # started
        (20, {"status": AppointmentStatus.CANCELLED}),
        (20, {"status": AppointmentStatus.LATE_CANCELLED}),
        (20, {"status": AppointmentStatus.ARRIVED}),
        (20, {"reminder_sent_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}),
    ],
)
def test_sends_nothing_for_visits_not_due(
    clinic: Clinic, hours: float, fields: dict[str, Any]
) -> None:
    due(clinic, hours, **fields)
    assert run().strip() == "Reminders: 0 due; 0 sent, 0 failed, 0 skipped."
    assert mail.outbox == []


@pytest.mark.django_db
def test_hours_option_widens_the_window(clinic: Clinic) -> None:
    due(clinic, 30)
    run("--hours", "36")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("--hours", "0"), ("--hours", "-3"), ("--limit", "0")])
def test_bad_options_are_refused(clinic: Clinic, args: tuple[str, str]) -> None:
    with pytest.raises(CommandError):
        run(*args)


@pytest.mark.django_db
def test_running_twice_sends_once(clinic: Clinic) -> None:
    due(clinic, 20)
    due(clinic, 2)
    run()
    second = run()
    assert len(mail.outbox) == 2
    assert second.strip() == "Reminders: 0 due; 0 sent, 0 failed, 0 skipped."


@pytest.mark.django_db
def test_a_failing_mail_server_leaves_it_pending_for_the_next_run(
    clinic: Clinic, settings: Any
) -> None:
    appointment = due(clinic, 20)
    settings.EMAIL_BACKEND = f"{HERE}.FailingBackend"

    with pytest.raises(CommandError, match="1 reminder"):
        run()

    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    assert appointment.reminder_claimed_at is None  # released at once, not after the lease
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run().strip() == "Reminders: 1 due; 1 sent, 0 failed, 0 skipped."
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(clinic: Clinic) -> None:
    now = models_now()
    held = due(clinic, 20, reminder_claimed_at=now - dt.timedelta(minutes=1))
    abandoned = due(clinic, 10, reminder_claimed_at=now - CLAIM_LEASE - dt.timedelta(minutes=1))

    assert appointment_reminder_send(appointment_id=held.pk, now=now) == ReminderResult.SKIPPED
    assert appointment_reminder_send(appointment_id=abandoned.pk, now=now) == ReminderResult.SENT
    assert [m.to for m in mail.outbox] == [[abandoned.patient.email]]


@pytest.mark.django_db
def test_a_visit_moved_while_its_reminder_goes_out_stays_due(clinic: Clinic, settings: Any) -> None:
    appointment = due(clinic, 20)
    settings.EMAIL_BACKEND = f"{HERE}.MovingBackend"

    assert appointment_reminder_send(appointment_id=appointment.pk) == ReminderResult.SENT

    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None  # the new time gets its own reminder
    assert appointment.reminder_claim_id is None


@pytest.mark.django_db
def test_reminder_shows_the_local_time_after_the_dst_change(clinic: Clinic) -> None:
    now = dt.datetime(2026, 10, 31, 12, tzinfo=NY)
    AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=dt.datetime(2026, 11, 1, 9, tzinfo=NY),
    )
    results = reminders_send_due(now=now)
    assert results[ReminderResult.SENT] == 1
    assert "Sunday, November 1, 2026 at 9:00 AM EST" in mail.outbox[0].body


@pytest.mark.django_db
def test_limit_caps_one_run(clinic: Clinic) -> None:
    for hours in (1, 2, 3):
        due(clinic, hours)
    run("--limit", "2")
    assert len(mail.outbox) == 2
    run()
    assert len(mail.outbox) == 3


# --- Several workers at once ---------------------------------------------------------------------

WORKERS = 3
DUE = 30

# Each worker: start Django on the given database, wait until every worker is ready, then run
# the command with a slow in-memory mail backend and print what it sent.
WORKER = """
import json, os, sys, time
from pathlib import Path
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ.get("W_URL") or None, database_name=os.environ.get("W_NAME") or None)
from django.conf import settings
settings.EMAIL_BACKEND = "stride.scheduling.tests.test_reminders.SlowBackend"
from django.core import mail
from django.core.management import call_command
ready = Path(os.environ["W_READY"])
(ready / str(os.getpid())).touch()
deadline = time.time() + 60
while len(list(ready.iterdir())) < int(os.environ["W_COUNT"]) and time.time() < deadline:
    time.sleep(0.01)
call_command("send_reminders", stdout=open(os.devnull, "w"))
print(json.dumps([m.to[0] for m in getattr(mail, "outbox", [])]))
"""

PREPARE = """
import os
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ["W_URL"], database_name=None)
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stride.scheduling.tests.test_reminders import due_appointments_create
due_appointments_create(int(os.environ["W_DUE"]))
"""


def due_appointments_create(count: int) -> list[int]:
    """Create ``count`` booked visits of one therapist, all due within the next 24 hours."""
    visit = AppointmentTypeFactory.create(duration_minutes=30)
    therapist = TherapistFactory.create(types=[visit])
    now = models_now()
    return [
        AppointmentFactory.create(
            therapist=therapist,
            appointment_type=visit,
            patient=UserFactory.create(),
            start=now + dt.timedelta(hours=1, minutes=35 * n),
        ).pk
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_postgresql_workers_racing_send_each_reminder_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: an in-memory SQLite test database cannot be shared with worker "
            "processes (the SQLite file race below covers SQLite)"
        )
    ids = due_appointments_create(DUE)  # committed: the workers see them

    sent = workers_race(
        WORKER, tmp_path, {"W_URL": "", "W_NAME": connection.settings_dict["NAME"]}, workers=WORKERS
    )

    assert len(sent) == DUE
    assert len(set(sent)) == DUE
    rows = Appointment.objects.filter(pk__in=ids)
    assert (
        rows.filter(reminder_sent_at__isnull=False, reminder_claim_id__isnull=True).count() == DUE
    )


def test_sqlite_file_workers_racing_send_each_reminder_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file race runs in the SQLite pass of the suite (DATABASE_URL unset)")
    path = tmp_path / "reminders.sqlite3"
    env = {"W_URL": f"sqlite:///{path}", "W_NAME": ""}
    script_run(PREPARE, {**env, "W_DUE": str(DUE)})

    sent = workers_race(WORKER, tmp_path, env, workers=WORKERS)

    assert len(sent) == DUE
    assert len(set(sent)) == DUE
    with sqlite3.connect(path) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM scheduling_appointment "
            "WHERE reminder_sent_at IS NOT NULL AND reminder_claim_id IS NULL"
        ).fetchone()
    assert count == DUE
