"""Reads for the patient's own pages under /my/, each scoped to the signed-in patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from stride.scheduling.models import Appointment, AppointmentType, Therapist
from stride.scheduling.selectors import appointment_list_for_patient

from ..models import Completion, ExerciseProgram, PsfsActivity, SessionLog

UPCOMING_LIMIT = 5


def appointment_list_upcoming(*, patient: Any, limit: int = UPCOMING_LIMIT) -> list[Appointment]:
    """Return the patient's next booked visits, soonest first (none for anyone else)."""
    if not getattr(patient, "is_authenticated", False):
        return []
    return list(appointment_list_for_patient(patient=patient, upcoming=True)[:limit])


def follow_up_type_get(*, therapist: Therapist) -> AppointmentType | None:
    """Return the visit a patient on a program books with ``therapist`` to review it.

    That is the therapist's online type for returning patients named like "Follow-up"; else any
    online type for returning patients they offer; None when they offer neither.
    """
    return (
        therapist.appointment_types.filter(bookable_online=True, new_patients=False)
        .annotate(
            named_follow_up=Case(
                When(name__icontains="follow", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("named_follow_up", "order", "duration_minutes", "pk")
        .first()
    )


def session_logged_on(*, program: ExerciseProgram, on: dt.date) -> bool:
    """Return whether the program has a done or partly done session dated ``on``."""
    sessions = SessionLog.objects.filter(program=program, on=on)
    return sessions.exclude(completion=Completion.SKIPPED).exists()


def psfs_activity_list(*, program: ExerciseProgram) -> list[PsfsActivity]:
    """Return the activities the patient rates at each PSFS check-in, in order."""
    return list(PsfsActivity.objects.filter(program=program).order_by("position"))
