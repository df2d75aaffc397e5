"""Emails to the patient when a visit is booked, moved or cancelled, queued with the change.

Each email has a plain-text body, a simple HTML alternative and the visit as an iCalendar
attachment with the appointment's stable UID, so a calendar app updates or cancels the event
it already holds. Times go through ``stride.core.timefmt`` in the location's zone. No email
carries clinical details (reason for visit, screening answers).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from stride.core import timefmt
from stride.core.outbox import email_queue
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


def appointment_event_queue(
    *, event: str, appointment: Appointment, manage_token: str | None = None
) -> None:
    """Queue the patient's email about ``event`` (booked, rescheduled, cancelled); never raise.

    Precondition: inside the transaction that changes ``appointment`` (the email is saved with
    the change and its first attempt follows commit; see ``stride.core.outbox``). The email is
    not sent once the visit is over, and the booked one, which carries the manage link, keeps
    its content only until it is sent. A failure to build or save it is logged with the
    appointment id only (no address, no details) and leaves the booking as it is.
    """
    if event not in SUBJECTS:
        logger.warning("appointment %s: no email for event %r", appointment.pk, event)
        return
    try:
        email_queue(
            message=appointment_event_email_build(
                event=event, appointment=appointment, manage_token=manage_token
            ),
            kind=f"appointment.{event}",
            # A visit already over when it changes (staff recording the past) still gets its email.
            expires_at=appointment.end if appointment.end > timezone.now() else None,
            secret=manage_token is not None,
        )
    except Exception as exc:  # a broken template or a vanished row; the booking stands.
        logger.exception(
            "appointment %s: %s email not queued (%s)", appointment.pk, event, type(exc).__name__
        )
