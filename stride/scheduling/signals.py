"""Cache invalidation: bump the generations behind cached pages and cached free slots."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from stride.accounts.models import Role, User
from stride.core.generations import BOOKING, CONTENT, generation_bump, generation_bump_on_change

from .models import (
    Appointment,
    AppointmentType,
    BookingRules,
    ClinicClosure,
    Location,
    OpeningHours,
    Therapist,
    TimeOff,
    WorkingHours,
)

# Fields of an appointment that decide whether it holds its therapist's time.
_BUSY_FIELDS = frozenset({"therapist", "therapist_id", "start", "end", "buffer_end", "status"})


def connect() -> None:
    """Connect the receivers (from ``SchedulingConfig.ready()``)."""
    # Public pages show the clinic, its opening hours and the team.
    generation_bump_on_change(CONTENT, models=[Location, OpeningHours, Therapist])
    generation_bump_on_change(
        BOOKING,
        models=[
            Location,
            Therapist,
            AppointmentType,
            WorkingHours,
            TimeOff,
            ClinicClosure,
            BookingRules,
        ],
        relations=[Therapist.appointment_types.through],
    )


@receiver(post_save, sender=Appointment)
@receiver(post_delete, sender=Appointment)
def _appointment_changed(instance: Appointment, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    # Saves of reminder bookkeeping only (update_fields without a busy field) free or take no time.
    if update_fields is None or not _BUSY_FIELDS.isdisjoint(update_fields):
        generation_bump(BOOKING)


@receiver(post_save, sender=User)
def _staff_user_changed(instance: User, **kwargs: Any) -> None:
    # Only active therapists are offered; a patient's save (or anyone's sign-in time) is not
    # about that.
    update_fields = kwargs.get("update_fields")
    if instance.role == Role.PATIENT or (
        update_fields is not None and "is_active" not in update_fields
    ):
        return
    generation_bump(BOOKING)
