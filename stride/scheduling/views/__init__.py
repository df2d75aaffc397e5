"""Public booking pages, each booked visit's private manage pages and the patient's feed."""

from .booking import book, book_confirmed, book_details, book_therapist, book_time
from .common import TAKEN_MESSAGE
from .feeds import patient_feed
from .manage import manage, manage_calendar, manage_cancel, manage_reschedule

__all__ = [
    "TAKEN_MESSAGE",
    "book",
    "book_confirmed",
    "book_details",
    "book_therapist",
    "book_time",
    "manage",
    "manage_calendar",
    "manage_cancel",
    "manage_reschedule",
    "patient_feed",
]
