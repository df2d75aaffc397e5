"""The email outbox: saved before sending, sent at once, retried with backoff, expired, purged,
never sent twice by racing senders, and visible to clinic admins."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stride.accounts.models import Role
from stride.core.models import OutgoingEmail
from stride.core.outbox import (
    BACKOFF,
    CLAIM_LEASE,
    EMAIL_MAX_ATTEMPTS,
    SendResult,
    email_queue,
    email_send,
    emails_delete_for_address,
    emails_expire,
    emails_purge,
    emails_send_due,
)
from stride.core.tests.mail_backends import HERE as BACKENDS
from stride.core.tests.process_race import script_run, workers_race
from stride.scheduling.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
DOWN = f"{BACKENDS}.SMTPDownBackend"
REFUSING = f"{BACKENDS}.RefusingBackend"
Status = OutgoingEmail.Status


def message(to: str = "pat@example.com", **kwargs: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=kwargs.pop("subject", "Your appointment is booked"),
        body=kwargs.pop("body", "See you on Monday."),
        from_email="Clinic <noreply@clinic.example>",
        to=[to],
        reply_to=["desk@clinic.example"],
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative("<p>See you on Monday.</p>", "text/html")
    email.attach("visit.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    email.attach("map.png", b"\x89PNG\r\n\x1a\n\x00\xff", "image/png")
    return email


def queue(capture: Any, **kwargs: Any) -> OutgoingEmail:
    """Queue one email in a committed transaction (its first attempt runs on commit)."""
    to = kwargs.pop("to", "pat@example.com")
    with capture(execute=True):
        email = email_queue(message=message(to), kind=kwargs.pop("kind", "test"), **kwargs)
    email.refresh_from_db()
    return email


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_queued_email", *args, stdout=out)
    return out.getvalue()


# --- Queue and first attempt ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_is_saved_first_and_sent_on_commit_as_it_was_built(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            email_queue(message=message(), kind="test")
        assert OutgoingEmail.objects.get().status == Status.PENDING
        assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()

    (sent,) = mail.outbox
    assert isinstance(sent, EmailMultiAlternatives)
    original = message()
    assert (sent.subject, sent.body, sent.from_email) == (
        original.subject,
        original.body,
        original.from_email,
    )
    assert (sent.to, sent.reply_to) == (original.to, original.reply_to)
    assert sent.alternatives == original.alternatives
    assert sent.attachments == original.attachments  # text decoded, binary as bytes
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    row = OutgoingEmail.objects.get()
    assert sent.extra_headers["Message-ID"] == row.headers["Message-ID"]
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.finished_at is not None and row.claim_id is None


@pytest.mark.django_db
def test_a_rolled_back_change_queues_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                email_queue(message=message(), kind="test")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_email_without_recipients_is_refused() -> None:
    with pytest.raises(ValueError, match="recipient"):
        email_queue(message=EmailMultiAlternatives("Hi", "Body"), kind="test")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("backend", "error"),
    [(DOWN, "SMTPException"), (REFUSING, "ConnectionRefusedError")],
)
def test_a_failing_server_keeps_the_email_for_a_retry_that_sends_it_once(
    backend: str,
    error: str,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = backend
    with caplog.at_level(logging.WARNING):
        email = queue(django_capture_on_commit_callbacks)

    assert (email.status, email.attempts, email.last_error) == (Status.PENDING, 1, error)
    assert email.next_attempt_at is not None
    assert abs(email.next_attempt_at - email.created_at - BACKOFF[0]) < dt.timedelta(seconds=5)
    assert "pat@example.com" not in caplog.text and "Monday" not in caplog.text
    assert mail.outbox == []

    settings.EMAIL_BACKEND = LOCMEM
    assert "0 due" in run()  # not due yet: the backoff holds
    later = timezone.now() + BACKOFF[0]
    assert emails_send_due(now=later) == {SendResult.SENT: 1}
    assert emails_send_due(now=later + dt.timedelta(hours=1)) == {}
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 2, "")


@pytest.mark.django_db
def test_retries_follow_the_backoff_then_give_up_and_stay_visible(
    settings: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = DOWN
    email = queue(django_capture_on_commit_callbacks)
    waits = []
    for _ in range(EMAIL_MAX_ATTEMPTS - 1):
        assert email.next_attempt_at is not None
        due_at = email.next_attempt_at
        assert email_send(email_id=email.pk, now=due_at - dt.timedelta(seconds=1)) == (
            SendResult.SKIPPED
        )
        previous = due_at
        with caplog.at_level(logging.ERROR):
            result = email_send(email_id=email.pk, now=due_at)
        email.refresh_from_db()
        if result == SendResult.RETRYING:
            assert email.next_attempt_at is not None
            waits.append(email.next_attempt_at - previous)

    assert waits == list(BACKOFF[1:])
    assert result == SendResult.FAILED
    assert (email.status, email.attempts, email.next_attempt_at) == (
        Status.FAILED,
        EMAIL_MAX_ATTEMPTS,
        None,
    )
    assert email.body == "See you on Monday."  # not secret: kept for staff to retry
    assert f"outgoing email {email.pk} (test): attempt {EMAIL_MAX_ATTEMPTS} failed" in caplog.text
    assert emails_purge(now=timezone.now() + dt.timedelta(days=365)) == 0  # failed ones stay


@pytest.mark.django_db
def test_a_secret_email_is_erased_once_sent(django_capture_on_commit_callbacks: Any) -> None:
    email = queue(django_capture_on_commit_callbacks, secret=True)
    assert email.status == Status.SENT
    assert (email.body, email.alternatives, email.attachments, email.headers) == ("", [], [], {})
    assert email.subject == "Your appointment is booked"  # what and to whom stays for the admin
    assert "See you on Monday." in mail.outbox[0].body


@pytest.mark.django_db
def test_a_secret_email_given_up_is_erased(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = DOWN
    email = queue(django_capture_on_commit_callbacks, secret=True)
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=EMAIL_MAX_ATTEMPTS - 1)
    assert email_send(email_id=email.pk, now=email.next_attempt_at) == SendResult.FAILED
    email.refresh_from_db()
    assert (email.status, email.body, email.attachments) == (Status.FAILED, "", [])


@pytest.mark.django_db
def test_an_expired_email_is_never_sent_and_its_secret_erased(
    settings: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = DOWN
    expires = timezone.now() + dt.timedelta(minutes=30)
    secret = queue(django_capture_on_commit_callbacks, expires_at=expires, secret=True)
    plain = queue(django_capture_on_commit_callbacks, expires_at=expires, to="b@example.com")
    settings.EMAIL_BACKEND = LOCMEM
    after = expires + dt.timedelta(seconds=1)

    assert email_send(email_id=secret.pk, now=after) == SendResult.SKIPPED
    assert emails_send_due(now=after) == {}
    with caplog.at_level(logging.WARNING):
        assert emails_expire(now=after) == 2
    assert mail.outbox == []
    secret.refresh_from_db()
    plain.refresh_from_db()
    assert (secret.status, secret.body, secret.attachments) == (Status.EXPIRED, "", [])
    assert (plain.status, plain.body) == (Status.EXPIRED, "See you on Monday.")
    assert f"outgoing email {secret.pk} (test): expired before it could be sent" in caplog.text
    assert emails_expire(now=after) == 0


@pytest.mark.django_db
def test_sent_and_expired_emails_are_deleted_after_the_retention_period(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert settings.STRIDE_EMAIL_RETENTION_DAYS == 7
    sent = queue(django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = DOWN
    pending = queue(django_capture_on_commit_callbacks, to="b@example.com")
    assert sent.finished_at is not None
    week = dt.timedelta(days=7)

    assert emails_purge(now=sent.finished_at + week) == 0
    assert emails_purge(now=sent.finished_at + week + dt.timedelta(seconds=1)) == 1
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [pending.pk]
    settings.STRIDE_EMAIL_RETENTION_DAYS = 0
    assert emails_purge() == 0  # pending emails are never purged


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = DOWN
    email = queue(django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = LOCMEM
    now = timezone.now() + dt.timedelta(hours=1)
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_at=now - dt.timedelta(minutes=1))
    assert email_send(email_id=email.pk, now=now) == SendResult.SKIPPED
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_at=now - CLAIM_LEASE - dt.timedelta(seconds=1)
    )
    assert email_send(email_id=email.pk, now=now) == SendResult.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_run_stops_after_three_failures_in_a_row(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = DOWN
    emails = [queue(django_capture_on_commit_callbacks, to=f"p{n}@example.com") for n in range(5)]
    later = timezone.now() + dt.timedelta(hours=1)
    assert emails_send_due(now=later) == {SendResult.RETRYING: 3}
    attempts = sorted(OutgoingEmail.objects.values_list("attempts", flat=True))
    assert attempts == [1, 1, 2, 2, 2]  # the untried two keep their attempts
    assert len(emails) == 5


@pytest.mark.django_db
def test_the_command_reports_and_exits_1_while_the_server_is_down(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = DOWN
    email = queue(django_capture_on_commit_callbacks)
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(CommandError, match="1 email"):
        run()
    settings.EMAIL_BACKEND = LOCMEM
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert run().strip() == (
        "Outgoing email: 1 due; 1 sent, 0 retrying, 0 failed, 0 skipped; 0 expired; "
        "0 deleted after 7 days."
    )
    with pytest.raises(CommandError):
        run("--limit", "0")


@pytest.mark.django_db
def test_erasure_deletes_every_email_to_the_address(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    queue(django_capture_on_commit_callbacks, to="Pat@Example.com")
    settings.EMAIL_BACKEND = DOWN
    queue(django_capture_on_commit_callbacks, to="Pat Patient <pat@example.com>")
    kept = queue(django_capture_on_commit_callbacks, to="xpat@example.com")
    assert emails_delete_for_address("pat@example.com") == 2
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [kept.pk]


# --- The admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clinic_admins_see_failed_emails_and_retry_them(
    settings: Any, django_capture_on_commit_callbacks: Any, admin_client: Client
) -> None:
    settings.EMAIL_BACKEND = DOWN
    plain = queue(django_capture_on_commit_callbacks)
    secret = queue(django_capture_on_commit_callbacks, secret=True, to="b@example.com")
    OutgoingEmail.objects.update(status=Status.FAILED, finished_at=timezone.now())
    changelist = reverse("admin:core_outgoingemail_changelist")

    listing = admin_client.get(changelist, {"status__exact": "failed"})
    assert listing.status_code == 200
    assert "pat@example.com" in listing.content.decode()
    assert "SMTPException" in listing.content.decode()
    shown = admin_client.get(reverse("admin:core_outgoingemail_change", args=[plain.pk]))
    assert "See you on Monday." in shown.content.decode()
    assert 'name="_save"' not in shown.content.decode()
    hidden = admin_client.get(reverse("admin:core_outgoingemail_change", args=[secret.pk]))
    assert "See you on Monday." not in hidden.content.decode()
    assert admin_client.get(reverse("admin:core_outgoingemail_add")).status_code == 403

    settings.EMAIL_BACKEND = LOCMEM
    response = admin_client.post(
        changelist,
        {"action": "retry_now", "_selected_action": [plain.pk, secret.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Retried 1: 1 sent." in page
    assert "erased emails cannot be retried" in page
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.THERAPIST, Role.FRONT_DESK])
def test_other_staff_cannot_open_the_outbox_even_with_the_permission(role: str) -> None:
    user = UserFactory.create(role=role, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:core_outgoingemail_changelist")).status_code == 403
    assert Client().get(reverse("admin:core_outgoingemail_changelist")).status_code == 302


# --- Several senders at once ---------------------------------------------------------------------

WORKERS = 3
DUE = 30

# Each worker: start Django on the given database, wait for the others, run the command with a
# slow in-memory backend and print every recipient it sent to.
WORKER = """
import json, os, time
from pathlib import Path
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ.get("W_URL") or None, database_name=os.environ.get("W_NAME") or None)
from django.conf import settings
settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.SlowBackend"
from django.core import mail
from django.core.management import call_command
ready = Path(os.environ["W_READY"])
(ready / str(os.getpid())).touch()
deadline = time.time() + 60
while len(list(ready.iterdir())) < int(os.environ["W_COUNT"]) and time.time() < deadline:
    time.sleep(0.01)
call_command("send_queued_email", stdout=open(os.devnull, "w"))
print(json.dumps([m.to[0] for m in getattr(mail, "outbox", [])]))
"""

PREPARE = """
import os
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ["W_URL"], database_name=None)
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stride.core.tests.test_outbox import due_emails_create
due_emails_create(int(os.environ["W_DUE"]))
"""


def due_emails_create(count: int) -> None:
    """Save ``count`` emails left pending by a failed first attempt and due now."""
    now = timezone.now()
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            kind="test",
            from_email="noreply@clinic.example",
            to=[f"p{n}@example.com"],
            subject="Hello",
            body="Body",
            attempts=1,
            next_attempt_at=now,
        )
        for n in range(count)
    )


@pytest.mark.django_db(transaction=True)
def test_postgresql_senders_racing_send_each_email_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: an in-memory SQLite test database cannot be shared with worker "
            "processes (the SQLite file race below covers SQLite)"
        )
    due_emails_create(DUE)  # committed: the workers see them

    sent = workers_race(
        WORKER, tmp_path, {"W_URL": "", "W_NAME": connection.settings_dict["NAME"]}, workers=WORKERS
    )

    assert len(sent) == DUE and len(set(sent)) == DUE
    assert OutgoingEmail.objects.filter(status=Status.SENT, attempts=2).count() == DUE


def test_sqlite_file_senders_racing_send_each_email_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file race runs in the SQLite pass of the suite (DATABASE_URL unset)")
    env = {"W_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}", "W_NAME": ""}
    script_run(PREPARE, {**env, "W_DUE": str(DUE)})

    sent = workers_race(WORKER, tmp_path, env, workers=WORKERS)

    assert len(sent) == DUE and len(set(sent)) == DUE


# --- Every email goes through the outbox or a sender with its own durable state -----------------

# Modules that send directly, each keeping its own record of what is due, so a failed email is
# retried by its own command and "sent" is set only after the mail server accepted it.
DIRECT_SENDERS = {
    "stride/core/outbox.py": "the outbox itself",
    "stride/contact/services.py": "ContactMessage.notification_sent_at; staff replies raise",
    "stride/scheduling/services/reminders.py": "Appointment.reminder_sent_at and its claim",
    "stride/programs/services/reminders.py": "ExerciseReminder rows and their claims",
}
SENDING = re.compile(
    r"\.send\(\s*(fail_silently\s*=\s*\w+)?\s*\)|\bsend_mail\(|\bsend_mass_mail\("
    r"|\bmail_admins\(|\bmail_managers\(|\bsend_messages\("
)


def test_emails_leave_only_through_the_outbox_or_a_durable_sender() -> None:
    offenders = []
    for path in sorted((ROOT / "stride").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if "/tests/" in where or "/migrations/" in where or where in DIRECT_SENDERS:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if SENDING.search(code) and not code.lstrip().startswith("def "):
                offenders.append(f"{where}:{number}: {line.strip()}")
    assert offenders == [], "queue emails with stride.core.outbox.email_queue"
