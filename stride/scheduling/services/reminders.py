"""Reminder emails a day before each booked visit, sent once even by several workers at once.

How a reminder is claimed, sent and recorded (``appointment_reminder_send``):

1. Claim: one conditional UPDATE sets ``reminder_claimed_at`` and a fresh ``reminder_claim_id``
   where the row is still booked, due, unreminded and unclaimed (or its claim is older than
   ``CLAIM_LEASE``). The database runs it atomically on both backends (PostgreSQL re-checks the
   WHERE after waiting for a concurrent writer's row lock; SQLite serialises writers), so a
   rowcount of 1 means this worker, and no other, owns the reminder.
2. Send, outside any transaction: no row lock or SQLite write lock is held across a slow or
   hanging SMTP server, so bookings never wait for mail.
3. Record: set ``reminder_sent_at`` and clear the claim, where the claim is still ours and the
   visit still starts when the email said. A failed send clears the claim instead, so the next
   run retries; if the visit was moved meanwhile the claim is cleared too, and the new time gets
   its own reminder (rescheduling resets ``reminder_sent_at``).

Delivery is at least once. A duplicate is possible only when a worker dies, or stalls for longer
than ``CLAIM_LEASE``, after the mail server accepted the email and before step 3: the claim then
expires and another run sends again. The lease is far above ``EMAIL_TIMEOUT`` so a merely slow
send is not duplicated. A reminder is never lost: an unrecorded one stays due until the visit
starts.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from collections import Counter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from stride.core import timefmt
from stride.scheduling import selectors_staff
from stride.scheduling.models import Appointment, AppointmentStatus
from stride.scheduling.selectors import booking_rules_get

logger = logging.getLogger(__name__)

# The common default (CLINICAL.md §6): a reminder 24 hours before the visit.
REMINDER_LEAD = dt.timedelta(hours=24)
# How long a claim holds before another worker may take the reminder over.
CLAIM_LEASE = dt.timedelta(minutes=10)


class ReminderResult(enum.Enum):
    """What ``appointment_reminder_send`` did with one appointment."""

    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due any more, already sent, or claimed by another worker


def reminder_email_build(*, appointment: Appointment) -> EmailMultiAlternatives:
    """Build the patient's reminder: time in the location's zone, where, whom, how to change it.

    Carries no clinical details (no reason, no screening answers) and no manage link: only the
    link's hash is stored, so the email points to the confirmation email or the phone.
    """
    location = appointment.location
    tz = location.tzinfo
    context = {
        "appointment": appointment,
        "patient_name": appointment.patient.first_name or appointment.patient.get_full_name(),
        "when": timefmt.format_datetime(appointment.start, tz),
        "ends": timefmt.format_time(appointment.end, tz),
        "type_name": appointment.appointment_type.name,
        "therapist_name": appointment.therapist.display_name,
        "location": location,
        "cancellation_window_hours": booking_rules_get(location=location).cancellation_window_hours,
    }
    subject = f"Reminder: your appointment on {context['when']}"
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("scheduling/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.patient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(
        render_to_string("scheduling/email/reminder.html", context), "text/html"
    )
    return email


def _claim_release(appointment_id: int, claim_id: uuid.UUID) -> None:
    Appointment.objects.filter(pk=appointment_id, reminder_claim_id=claim_id).update(
        reminder_claimed_at=None, reminder_claim_id=None
    )


def appointment_reminder_send(
    *,
    appointment_id: int,
    now: dt.datetime | None = None,
    within: dt.timedelta = REMINDER_LEAD,
) -> ReminderResult:
    """Send the appointment's reminder if it is due and no other worker has it; never raise
    for a mail failure.

    Due: booked (confirmed), starting after ``now`` and at most ``within`` from it, and not yet
    reminded. See the module docstring for the claim and its at-least-once edge.

    Locks: none held across the send; the claim is a single conditional UPDATE.
    """
    now = now if now is not None else timezone.now()
    claim_id = uuid.uuid4()
    claimed = (
        Appointment.objects.filter(
            pk=appointment_id,
            status=AppointmentStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=now + within,
        )
        .filter(Q(reminder_claimed_at__isnull=True) | Q(reminder_claimed_at__lt=now - CLAIM_LEASE))
        .update(reminder_claimed_at=now, reminder_claim_id=claim_id)
    )
    if claimed != 1:
        return ReminderResult.SKIPPED

    try:
        appointment = Appointment.objects.select_related(
            "location", "therapist", "appointment_type", "patient"
        ).get(pk=appointment_id)
        if appointment.status != AppointmentStatus.CONFIRMED or not (
            now < appointment.start <= now + within
        ):
            # Cancelled or moved between the claim and this read: nothing to send now.
            _claim_release(appointment_id, claim_id)
            return ReminderResult.SKIPPED
        reminder_email_build(appointment=appointment).send()
    except Exception as exc:  # SMTP down, timeouts, refused recipients, bad templates.
        _claim_release(appointment_id, claim_id)
        logger.warning(
            "appointment %s: reminder failed (%s); left for the next run",
            appointment_id,
            type(exc).__name__,
        )
        return ReminderResult.FAILED

    recorded = Appointment.objects.filter(
        pk=appointment_id, reminder_claim_id=claim_id, start=appointment.start
    ).update(reminder_sent_at=now, reminder_claimed_at=None, reminder_claim_id=None)
    if recorded != 1:
        # Moved while the email went out (or the claim expired and was taken over).
        _claim_release(appointment_id, claim_id)
        logger.warning("appointment %s: changed while its reminder was sent", appointment_id)
    else:
        logger.info("appointment %s: reminder sent", appointment_id)
    return ReminderResult.SENT


def reminders_send_due(
    *,
    now: dt.datetime | None = None,
    within: dt.timedelta = REMINDER_LEAD,
    limit: int | None = None,
) -> Counter[ReminderResult]:
    """Send every due reminder (at most ``limit``); return how many were sent, failed, skipped.

    Safe to run from cron every few minutes and on several machines at once: each reminder is
    claimed before it is sent (see the module docstring).
    """
    listed_at = now if now is not None else timezone.now()
    results: Counter[ReminderResult] = Counter()
    for appointment_id in selectors_staff.appointment_list_reminder_due(
        now=listed_at, within=within, limit=limit
    ):
        results[
            appointment_reminder_send(appointment_id=appointment_id, now=now, within=within)
        ] += 1
    return results
