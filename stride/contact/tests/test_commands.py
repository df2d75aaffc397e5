"""send_contact_notifications: retries pending clinic notifications exactly once each."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from stride.contact.models import NOTIFICATION_MAX_ATTEMPTS

from .factories import ContactMessageFactory

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("send_contact_notifications", stdout=out)
    return out.getvalue()


def test_command_sends_pending_notifications_once(clinic_inbox):
    pending = ContactMessageFactory(notification_attempts=2, last_notification_error="TimeoutError")
    ContactMessageFactory(notification_sent_at=timezone.now(), notification_attempts=1)
    ContactMessageFactory(notification_attempts=NOTIFICATION_MAX_ATTEMPTS)

    output = run()
    assert "1 pending" in output and "1 sent" in output
    assert [m.subject for m in mail.outbox] == [f"New contact message from {pending.name}"]
    pending.refresh_from_db()
    assert pending.notification_sent_at is not None
    assert pending.notification_attempts == 3

    assert "0 pending" in run()
    assert len(mail.outbox) == 1


def test_command_records_failures_and_keeps_them_pending(clinic_inbox, settings):
    settings.EMAIL_BACKEND = "stride.contact.tests.backends.FailingEmailBackend"
    message = ContactMessageFactory()
    assert "1 failed" in run()
    message.refresh_from_db()
    assert message.notification_attempts == 1
    assert message.notification_sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "1 sent" in run()
    assert len(mail.outbox) == 1


def test_command_respects_limit(clinic_inbox):
    ContactMessageFactory.create_batch(3)
    call_command("send_contact_notifications", "--limit", "2", stdout=StringIO())
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_message_once(clinic_inbox, settings):
    """Two workers (threads with their own connections) race over the same pending rows."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        # The in-memory test database shares one cache between connections and answers
        # "table is locked" instead of waiting; a file database serialises writers.
        pytest.skip("needs a server database; run with DATABASE_URL=postgres://...")

    settings.EMAIL_BACKEND = "stride.contact.tests.backends.SlowEmailBackend"
    messages = ContactMessageFactory.create_batch(5)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            run()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"New contact message from {m.name}" for m in messages)
