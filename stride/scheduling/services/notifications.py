"""The hook through which booking events reach the patient, always after commit."""

from __future__ import annotations

from django.db import transaction

from stride.scheduling.models import Appointment


def appointment_event_send(
    *, event: str, appointment_id: int, manage_token: str | None = None
) -> None:
    """Tell the patient about a booking event (booked, rescheduled, cancelled).

    Runs after commit. A no-op until the notification emails land; they replace this body.
    """


def on_commit_send(event: str, appointment: Appointment, manage_token: str | None = None) -> None:
    """Call ``appointment_event_send`` once the current transaction commits (never on rollback)."""
    appointment_id = appointment.pk
    transaction.on_commit(
        lambda: appointment_event_send(
            event=event, appointment_id=appointment_id, manage_token=manage_token
        )
    )
