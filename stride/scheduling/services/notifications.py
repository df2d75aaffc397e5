"""Emails to the patient when a visit is booked, moved or cancelled; always sent after commit.

Each email has a plain-text body, a simple HTML alternative and the visit as an iCalendar
attachment with the appointment's stable UID, so a calendar app updates or cancels the event
it already holds. Times go through ``stride.core.timefmt`` in the location's zone. No email
carries clinical details (reason for visit, screening answers).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from stride.core import timefmt
from stride.scheduling.ics import appointments_to_ical
from stride.scheduling.links import appointment_manage_url
from stride.scheduling.models import Appointment
from stride.scheduling.selectors import booking_rules_get

logger = logging.getLogger(__name__)

# The events the booking services announce, with each email's subject.
SUBJECTS = {
    "booked": "Your appointment is booked: {when}",
    "rescheduled": "Your appointment has moved to {when}",
    "cancelled": "Your appointment on {when} is cancelled",
}


def appointment_event_email_build(
    *, event: str, appointment: Appointment, manage_token: str | None = None
) -> EmailMultiAlternatives:
    """Build the patient's email about ``event`` (one of ``SUBJECTS``) with its .ics file.

    ``manage_token`` is known only when the visit is booked (only its hash is stored), so
    later emails point to the first one, or the phone, for changes.
    """
    location = appointment.location
    tz = location.tzinfo
    plan = appointment.insurance_plan
    when = timefmt.format_datetime(appointment.start, tz)
    context = {
        "event": event,
        "patient_name": appointment.patient.first_name or appointment.patient.get_full_name(),
        "when": when,
        "ends": timefmt.format_time(appointment.end, tz),
        "type_name": appointment.appointment_type.name,
        "therapist_name": appointment.therapist.display_name,
        "location": location,
        "manage_url": appointment_manage_url(appointment, manage_token) if manage_token else "",
        "book_url": f"{settings.SITE_URL}{reverse('scheduling:book')}",
        "referral_required": bool(plan and plan.referral_required),
        "has_insurance": plan is not None,
        "cancellation_window_hours": booking_rules_get(location=location).cancellation_window_hours,
    }
    email = EmailMultiAlternatives(
        subject=SUBJECTS[event].format(when=when),
        body=render_to_string("scheduling/email/appointment_event.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.patient.email],
        reply_to=[location.email] if location.email else None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(
        render_to_string("scheduling/email/appointment_event.html", context), "text/html"
    )
    email.attach(
        f"appointment-{appointment.pk}.ics",
        appointments_to_ical([appointment], name=f"{location.name} appointment"),
        "text/calendar",
    )
    return email


def appointment_event_send(
    *, event: str, appointment_id: int, manage_token: str | None = None
) -> None:
    """Tell the patient about a booking event (booked, rescheduled, cancelled); never raise.

    Runs after commit. A failing mail server is logged with the appointment id only (no
    address, no details) and leaves the booking as it is.
    """
    if event not in SUBJECTS:
        logger.warning("appointment %s: no email for event %r", appointment_id, event)
        return
    try:
        appointment = Appointment.objects.select_related(
            "location", "therapist", "appointment_type", "patient", "insurance_plan"
        ).get(pk=appointment_id)
        appointment_event_email_build(
            event=event, appointment=appointment, manage_token=manage_token
        ).send()
    except Exception as exc:  # SMTP down, timeouts, refused recipients, a vanished row.
        logger.warning(
            "appointment %s: %s email not sent (%s)", appointment_id, event, type(exc).__name__
        )
        return
    logger.info("appointment %s: %s email sent", appointment_id, event)


def on_commit_send(event: str, appointment: Appointment, manage_token: str | None = None) -> None:
    """Call ``appointment_event_send`` once the current transaction commits (never on rollback)."""
    appointment_id = appointment.pk
    transaction.on_commit(
        lambda: appointment_event_send(
            event=event, appointment_id=appointment_id, manage_token=manage_token
        ),
        robust=True,
    )
