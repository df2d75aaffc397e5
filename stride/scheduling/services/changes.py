"""Changing a booked visit: cancelling, rescheduling, recording its outcome, its link."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from stride.accounts.models import User
from stride.integrations.services import webhook_event_enqueue
from stride.scheduling import availability as engine
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Therapist,
    manage_token_hash,
)
from stride.scheduling.selectors import booking_rules_get

from . import booking
from .errors import (
    BookingInvalid,
    CancellationWindowPassed,
    SlotUnavailable,
    full_clean_or_invalid,
)
from .notifications import appointment_event_queue

# Staff-recorded outcomes (appointment_mark): from status -> statuses it may become.
MARK_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.CONFIRMED: frozenset(
        {
            AppointmentStatus.ARRIVED,
            AppointmentStatus.COMPLETED,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.LATE_CANCELLED,
        }
    ),
    AppointmentStatus.ARRIVED: frozenset({AppointmentStatus.COMPLETED}),
    # A patient marked absent who turns up late.
    AppointmentStatus.NO_SHOW: frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED}),
}


def _appointment_lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "appointment_type")
        .get(pk=appointment.pk)
    )


def _window_check(*, appointment: Appointment, now: dt.datetime) -> None:
    """Raise CancellationWindowPassed when a patient is too close to the visit to change it."""
    window = booking_rules_get(location=appointment.location).cancellation_window
    deadline = appointment.start - window
    if now > deadline:
        raise CancellationWindowPassed(deadline)


def appointment_cancel(
    *,
    appointment: Appointment,
    by_patient: bool,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Appointment:
    """Cancel a booked appointment and free its time at once; return the updated row.

    Patients may cancel only until ``cancellation_window_hours`` before the start (else
    CancellationWindowPassed); staff may cancel at any time. Cancelling a cancelled appointment
    changes nothing. ``notify=False`` sends the patient no email (erasure: there is no one to
    tell).

    Locks: the appointment row until commit.
    """
    now = now if now is not None else timezone.now()
    with transaction.atomic():
        locked = _appointment_lock(appointment)
        if locked.status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
            return locked
        if locked.status != AppointmentStatus.CONFIRMED:
            raise BookingInvalid("status", "Only booked appointments can be cancelled.")
        if by_patient:
            _window_check(appointment=locked, now=now)
        locked.status = AppointmentStatus.CANCELLED
        locked.cancelled_at = now
        full_clean_or_invalid(locked)
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        webhook_event_enqueue(event="appointment.cancelled", appointment=locked)
        if notify:
            appointment_event_queue(event="cancelled", appointment=locked)
    return locked


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: dt.datetime,
    therapist: Therapist | None = None,
    by_patient: bool,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to ``start`` (and optionally another therapist), in place.

    Keeps the id, the manage token and the visit's own length and buffer. Patients are held to
    the cancellation window and every online rule; staff only to the overlap check. The old
    time is not busy for the new one, so a visit can slide by less than its length.

    Locks: the old and new therapists' rows (in primary-key order), then the appointment row.
    """
    now = now if now is not None else timezone.now()
    start = booking.require_aware(start)
    with transaction.atomic():
        target = therapist if therapist is not None else appointment.therapist
        therapists = booking.therapists_lock(appointment.therapist, target)
        locked = _appointment_lock(appointment)
        if locked.status != AppointmentStatus.CONFIRMED:
            raise BookingInvalid("status", "Only booked appointments can be rescheduled.")
        if locked.therapist_id not in therapists:  # moved by someone else meanwhile
            raise BookingInvalid("therapist", "This appointment changed; reload and try again.")
        new_therapist = therapists[target.pk]
        if by_patient:
            _window_check(appointment=locked, now=now)
        booking.therapist_check(
            therapist=new_therapist,
            appointment_type=locked.appointment_type,
            enforce_rules=by_patient,
        )
        if by_patient and not locked.appointment_type.bookable_online:
            raise BookingInvalid("appointment_type", "Please call us to change this visit.")
        duration = locked.end - locked.start
        buffer_after = locked.buffer_end - locked.end
        booking.slot_check(
            therapist=new_therapist,
            start=start,
            duration=duration,
            buffer_after=buffer_after,
            now=now,
            enforce_rules=by_patient,
            exclude_appointment_id=locked.pk,
        )
        locked.therapist = new_therapist
        locked.location = new_therapist.location
        locked.start = start
        locked.end = start + duration
        locked.buffer_end = locked.end + buffer_after
        locked.reminder_sent_at = None  # the new time gets its own reminder
        full_clean_or_invalid(locked)
        try:
            with transaction.atomic():
                locked.save()
        except (IntegrityError, OperationalError) as exc:
            if booking.is_clash(exc):
                raise SlotUnavailable(engine.BUSY) from exc
            raise
        webhook_event_enqueue(event="appointment.rescheduled", appointment=locked)
        appointment_event_queue(event="rescheduled", appointment=locked)
    return locked


def appointment_mark(
    *,
    appointment: Appointment,
    status: str,
    by: User,
    now: dt.datetime | None = None,
) -> Appointment:
    """Record what happened to a visit (arrived, completed, no-show, late cancellation).

    Staff only (PermissionDenied otherwise). Allowed changes are in ``MARK_TRANSITIONS``; a
    no-show or completion cannot be recorded before the visit starts. A late cancellation
    frees the time like a cancellation and is counted separately (CLINICAL.md §6).

    Locks: the appointment row until commit.
    """
    if not by.is_clinic_staff:
        raise PermissionDenied("Only clinic staff record appointment outcomes.")
    now = now if now is not None else timezone.now()
    with transaction.atomic():
        locked = _appointment_lock(appointment)
        if locked.status == status:
            return locked
        if status not in MARK_TRANSITIONS.get(locked.status, frozenset()):
            raise BookingInvalid(
                "status", f"A {locked.get_status_display().lower()} appointment cannot be {status}."
            )
        if (
            status in (AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED)
            and now < locked.start
        ):
            raise BookingInvalid("status", "This visit has not started yet.")
        locked.status = status
        fields = ["status", "updated_at"]
        if status == AppointmentStatus.LATE_CANCELLED:
            locked.cancelled_at = now
            fields.append("cancelled_at")
        full_clean_or_invalid(locked)
        locked.save(update_fields=fields)
        if status == AppointmentStatus.LATE_CANCELLED:
            webhook_event_enqueue(event="appointment.cancelled", appointment=locked)
            appointment_event_queue(event="cancelled", appointment=locked)
    return locked


def appointment_token_rotate(*, appointment: Appointment) -> str:
    """Issue a new manage token for the appointment (the old link stops working); return it.

    For staff resending a lost link: only the token's hash is stored, so it cannot be re-read.

    Locks: the appointment row until commit.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _appointment_lock(appointment)
        locked.manage_token_hash = manage_token_hash(token)
        locked.save(update_fields=["manage_token_hash", "updated_at"])
    return token
