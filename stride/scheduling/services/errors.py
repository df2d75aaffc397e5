"""What the booking services raise: errors whose messages are fit to show the patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from stride.scheduling import availability as engine

# What each availability reason means to a patient.
SLOT_MESSAGES = {
    engine.IN_PAST: "That time has passed.",
    engine.TOO_SOON: "That time is too soon to book online; please call us.",
    engine.BEYOND_HORIZON: "That date is too far ahead to book yet.",
    engine.OUTSIDE_HOURS: "The therapist does not see patients at that time.",
    engine.OFF_GRID: "Appointments start on the times shown; please pick one of them.",
    engine.UNAVAILABLE: "The therapist is away or the clinic is closed at that time.",
    engine.BUSY: "That time has just been taken; please choose another.",
}


class BookingError(Exception):
    """A booking request the clinic cannot accept; the message is fit to show the patient."""


class SlotUnavailable(BookingError):
    """The requested time cannot be booked; ``reason`` is one of ``availability.REASONS``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(SLOT_MESSAGES.get(reason, "That time cannot be booked."))


class BookingInvalid(BookingError):
    """A booking input is wrong; ``field`` names the input, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class CancellationWindowPassed(BookingError):
    """The patient is too close to the visit to cancel or reschedule it online."""

    def __init__(self, deadline: dt.datetime) -> None:
        self.deadline = deadline
        super().__init__("It is too late to change this appointment online; please call us.")


def full_clean_or_invalid(instance: models.Model, **kwargs: Any) -> None:
    """Run ``full_clean`` and report its first error as BookingInvalid."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field, messages = next(iter(errors.items()))
        raise BookingInvalid(field, messages[0]) from exc
