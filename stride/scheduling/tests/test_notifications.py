"""Emails to the patient on booking, rescheduling and cancelling, each with its .ics file."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar

from stride.core.models import OutgoingEmail
from stride.scheduling.models import Appointment, AppointmentStatus, RedFlag
from stride.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_event_queue,
    appointment_mark,
    appointment_reschedule,
    notifications,
)
from stride.scheduling.tests.conftest import MONDAY, NOW, NY, Clinic, local
from stride.scheduling.tests.factories import InsurancePlanFactory

pytestmark = pytest.mark.django_db


def book(clinic: Clinic, start: dt.datetime, *, now: dt.datetime = NOW, **kwargs: Any) -> Any:
    kwargs.setdefault("patient", clinic.patient)
    kwargs.setdefault("therapist", clinic.therapist)
    kwargs.setdefault("appointment_type", clinic.evaluation)
    return appointment_book(start=start, now=now, **kwargs)


def event_of(email: Any) -> Any:
    """Return the single VEVENT of the email's .ics attachment (and check the file around it)."""
    ((filename, content, mimetype),) = email.attachments
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar"
    calendar = Calendar.from_ical(content)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "America/New_York"
    (event,) = calendar.walk("VEVENT")
    return event


def html_of(email: Any) -> str:
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    return str(html)


def test_booking_emails_a_confirmation_with_the_calendar_file_and_manage_link(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))

    (email,) = mailoutbox
    assert email.to == [clinic.patient.email]
    assert email.subject == "Your appointment is booked: Monday, December 7, 2026 at 10:00 AM EST"
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    manage = (
        f"http://127.0.0.1:8000/appointments/{appointment.pk}/manage/{appointment.manage_token}/"
    )
    assert manage in email.body
    assert f'href="{manage}"' in html_of(email)
    assert "Monday, December 7, 2026 at 10:00 AM EST (until 11:00 AM)" in email.body
    assert clinic.therapist.display_name in email.body
    assert clinic.location.address_line in email.body
    event = event_of(email)
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == local(MONDAY, 10)
    assert event.decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2026, 12, 7, 10)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_emails_never_carry_clinical_details(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(
            clinic,
            local(MONDAY, 10),
            reason="Sciatica after lifting",
            red_flags=[RedFlag.NIGHT_PAIN, RedFlag.WEIGHT_LOSS],
        )
        appointment_cancel(appointment=appointment, by_patient=True, now=NOW)

    assert len(mailoutbox) == 2
    for email in mailoutbox:
        everything = email.subject + email.body + html_of(email)
        everything += str(email.attachments[0][1])
        for secret in ("Sciatica", "night", "weight loss", "night_pain", "weight_loss"):
            assert secret.lower() not in everything.lower()


def test_a_plan_needing_a_referral_asks_the_patient_to_bring_it(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    hmo = InsurancePlanFactory.create(name="Blue Cross HMO", referral_required=True)
    ppo = InsurancePlanFactory.create(name="Aetna PPO")
    with django_capture_on_commit_callbacks(execute=True):
        book(clinic, local(MONDAY, 10), insurance_plan=hmo)
        book(clinic, local(MONDAY, 14), insurance_plan=ppo, patient=clinic.returning)

    needs, free = mailoutbox
    assert "Please bring your doctor's referral" in needs.body
    assert "bring your doctor's referral" in html_of(needs)
    assert "referral" not in free.body


def test_rescheduling_emails_the_new_time_with_the_same_event_updated(
    clinic: Clinic,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [NOW]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])  # what updated_at records
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))
    booked_event = event_of(mailoutbox[0])
    clock[0] = NOW + dt.timedelta(minutes=5)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment,
            start=local(MONDAY + dt.timedelta(days=1), 14),
            by_patient=True,
            now=NOW + dt.timedelta(minutes=5),
        )

    email = mailoutbox[1]
    assert email.subject == "Your appointment has moved to Tuesday, December 8, 2026 at 2:00 PM EST"
    assert "/manage/" not in email.body  # the token is not stored; the first email has it
    assert "Use the private link in your booking confirmation email" in email.body
    event = event_of(email)
    assert event["UID"] == booked_event["UID"]
    assert event.decoded("DTSTART") == local(MONDAY + dt.timedelta(days=1), 14)
    assert int(event["SEQUENCE"]) > int(booked_event["SEQUENCE"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancelling_emails_a_cancelled_event(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))
        appointment_cancel(appointment=appointment, by_patient=True, now=NOW)

    email = mailoutbox[1]
    assert (
        email.subject == "Your appointment on Monday, December 7, 2026 at 10:00 AM EST is cancelled"
    )
    assert "http://127.0.0.1:8000/book/" in email.body
    event = event_of(email)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"


def test_a_late_cancellation_recorded_by_staff_is_emailed_too(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))
        appointment_mark(
            appointment=appointment,
            status=AppointmentStatus.LATE_CANCELLED,
            by=clinic.staff,
            now=local(MONDAY, 8),
        )

    assert str(event_of(mailoutbox[1])["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("day", "hour", "abbreviation", "utc_hour"),
    [
        (dt.date(2026, 10, 30), 9, "EDT", 13),  # Friday before the change
        (dt.date(2026, 11, 2), 9, "EST", 14),  # Monday after it (2026-11-01)
    ],
)
def test_times_stay_local_across_the_daylight_saving_change(
    clinic: Clinic,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    day: dt.date,
    hour: int,
    abbreviation: str,
    utc_hour: int,
) -> None:
    now = dt.datetime(2026, 10, 20, 12, tzinfo=NY)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(day, hour), now=now)

    assert appointment.start.astimezone(dt.UTC).hour == utc_hour
    (email,) = mailoutbox
    assert f"at 9:00 AM {abbreviation}" in email.subject
    assert f"at 9:00 AM {abbreviation}" in email.body
    event = event_of(email)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART").replace(tzinfo=None) == dt.datetime.combine(day, dt.time(9))
    assert event.decoded("DTSTART").astimezone(dt.UTC).hour == utc_hour
    assert event.decoded("DTEND").replace(tzinfo=None) == dt.datetime.combine(day, dt.time(10))


def test_a_failing_mail_server_never_breaks_booking(
    clinic: Clinic,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.SMTPDownBackend"
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))

    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CONFIRMED
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.attempts) == ("appointment.booked", "pending", 1)
    (record,) = [r for r in caplog.records if "attempt 1 failed" in r.getMessage()]
    message = record.getMessage()
    assert message.startswith(
        f"outgoing email {email.pk} (appointment.booked): attempt 1 failed (SMTPException)"
    )
    assert clinic.patient.email not in message
    assert mailoutbox == []


def test_a_template_failure_is_logged_and_the_booking_stands(
    clinic: Clinic,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise ValueError("template exploded")

    monkeypatch.setattr(notifications, "appointment_event_email_build", broken)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        appointment = book(clinic, local(MONDAY, 10))

    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CONFIRMED
    assert f"appointment {appointment.pk}: booked email not queued (ValueError)" in caplog.text
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []


def test_unknown_events_send_nothing(
    clinic: Clinic, mailoutbox: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    OutgoingEmail.objects.all().delete()
    with caplog.at_level(logging.WARNING):
        appointment_event_queue(event="exploded", appointment=appointment)
    assert not OutgoingEmail.objects.exists()
    assert f"appointment {appointment.pk}: no email for event 'exploded'" in caplog.text


def test_a_rolled_back_booking_sends_nothing(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                book(clinic, local(MONDAY, 10))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
