"""Writes of the booking core: patients, bookings, cancellations, reschedules and outcomes.

Booking never trusts an earlier read: each service re-checks the slot while it holds the
therapist's row lock, and the database's overlap guard (migration 0003) backs that check.
Import services from here; the modules behind it are an implementation detail.
"""

from .booking import appointment_book
from .calendar_feed import (
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
    patient_calendar_feed_revoke,
    patient_calendar_feed_rotate,
)
from .changes import (
    MARK_TRANSITIONS,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    appointment_token_rotate,
)
from .errors import BookingError, BookingInvalid, CancellationWindowPassed, SlotUnavailable
from .notifications import appointment_event_queue
from .patients import patient_get_or_create
from .reminders import ReminderResult, appointment_reminder_send, reminders_send_due
from .time_off import TimeOffCreated, time_off_create, time_off_delete

__all__ = [
    "MARK_TRANSITIONS",
    "BookingError",
    "BookingInvalid",
    "CancellationWindowPassed",
    "ReminderResult",
    "SlotUnavailable",
    "TimeOffCreated",
    "appointment_book",
    "appointment_cancel",
    "appointment_event_queue",
    "appointment_mark",
    "appointment_reminder_send",
    "appointment_reschedule",
    "appointment_token_rotate",
    "calendar_feed_token_revoke",
    "calendar_feed_token_rotate",
    "patient_calendar_feed_revoke",
    "patient_calendar_feed_rotate",
    "patient_get_or_create",
    "reminders_send_due",
    "time_off_create",
    "time_off_delete",
]
