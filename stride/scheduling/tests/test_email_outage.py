"""Booking while the mail server is down: the booking succeeds, its email waits in the outbox
and the retry run delivers it exactly once; a visit that is over is never announced late.

"Now" is frozen at the conftest's NOW (Tuesday 2026-12-01 12:00 New York) and moved by
``Clock``; the outbox reads the same ``timezone.now``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from stride.core.models import OutgoingEmail
from stride.core.tests.mail_backends import HERE as BACKENDS
from stride.scheduling.models import Appointment
from stride.scheduling.services import appointment_cancel
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock(NOW.astimezone(dt.UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    cache.clear()  # the primary location is cached across tests
    yield frozen
    cache.clear()


def retry_run() -> str:
    """Run the cron command as it runs every minute; return its summary."""
    out = io.StringIO()
    # It exits 1 while emails keep failing; the summary says which.
    with contextlib.suppress(CommandError):
        call_command("send_queued_email", stdout=out)
    return out.getvalue()


def web_booking(client: Client, clinic: Clinic) -> Any:
    return client.post(
        "/book/details/",
        {
            "type": clinic.evaluation.slug,
            "therapist": clinic.therapist.slug,
            "start": local(MONDAY, 10).isoformat(timespec="minutes"),
            "idempotency_key": uuid.uuid4().hex,
            "name": "Pat Example",
            "email": "pat@example.org",
            "phone": "(718) 555-0101",
            "date_of_birth": "1980-03-27",
            "reason": "Low back pain since October",
            "insurance_plan": "",
            "consent": "on",
        },
    )


def api_booking(client: Client, clinic: Clinic) -> Any:
    body = {
        "appointment_type": clinic.evaluation.pk,
        "therapist": clinic.therapist.pk,
        "start": local(MONDAY, 10).isoformat(),
        "patient": {"name": "Pat Example", "email": "pat@example.org", "phone": "555-0101"},
    }
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("channel", "status", "backend"),
    [
        (web_booking, 303, "SMTPDownBackend"),
        (api_booking, 201, "RefusingBackend"),
        (web_booking, 303, "RefusingBackend"),
        (api_booking, 201, "SMTPDownBackend"),
    ],
)
def test_booking_succeeds_and_its_confirmation_is_delivered_once_by_the_retry(
    channel: Any,
    status: int,
    backend: str,
    client: Client,
    clinic: Clinic,
    clock: Clock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        override_settings(EMAIL_BACKEND=f"{BACKENDS}.{backend}"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = channel(client, clinic)
        assert "0 sent" in retry_run()  # still down: nothing goes, nothing is lost

    assert response.status_code == status, response.content
    appointment = Appointment.objects.get(patient__email="pat@example.org")
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.to) == (
        "appointment.booked",
        "pending",
        ["pat@example.org"],
    )
    assert email.secret and email.expires_at == appointment.end
    assert f"/appointments/{appointment.pk}/manage/" in email.body
    assert mail.outbox == []

    clock.now += dt.timedelta(minutes=1)  # the server is back by the next cron run
    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert "1 due; 1 sent" in retry_run()
        clock.now += dt.timedelta(hours=2)
        assert "0 due" in retry_run()

    (sent,) = mail.outbox
    assert sent.to == ["pat@example.org"]
    assert sent.subject == "Your appointment is booked: Monday, December 7, 2026 at 10:00 AM EST"
    assert f"/appointments/{appointment.pk}/manage/" in sent.body
    assert sent.attachments[0][0] == f"appointment-{appointment.pk}.ics"
    email.refresh_from_db()
    assert (email.status, email.body, email.attachments) == ("sent", "", [])  # link erased


def test_a_confirmation_still_waiting_when_the_visit_is_over_is_never_sent(
    client: Client, clinic: Clinic, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        override_settings(EMAIL_BACKEND=f"{BACKENDS}.SMTPDownBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert api_booking(client, clinic).status_code == 201
    clock.now = local(MONDAY, 11).astimezone(dt.UTC)  # the visit's end

    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert "1 expired" in retry_run()
    assert mail.outbox == []
    email = OutgoingEmail.objects.get()
    assert (email.status, email.body) == ("expired", "")


def test_a_cancellation_during_an_outage_is_delivered_after_it(
    clinic: Clinic, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = api_booking(Client(), clinic).json()["id"]
    mail.outbox.clear()
    with (
        override_settings(EMAIL_BACKEND=f"{BACKENDS}.RefusingBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appointment_cancel(
            appointment=Appointment.objects.get(pk=appointment), by_patient=False, now=clock.now
        )
    assert Appointment.objects.get(pk=appointment).status == "cancelled"

    clock.now += dt.timedelta(minutes=1)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        retry_run()
        retry_run()
    (sent,) = mail.outbox
    assert sent.subject.startswith("Your appointment on Monday, December 7, 2026")
    cancelled = OutgoingEmail.objects.get(kind="appointment.cancelled")
    assert cancelled.status == "sent" and not cancelled.secret
    assert "cancelled" in cancelled.body  # kept (no link) until the retention period ends
