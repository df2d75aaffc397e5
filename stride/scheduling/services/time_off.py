"""Therapists' time off as staff record it: added over booked visits with a warning, or removed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from stride.accounts.models import User
from stride.scheduling import selectors_staff
from stride.scheduling.models import Appointment, Therapist, TimeOff, TimeOffKind

from . import booking
from .errors import BookingInvalid, full_clean_or_invalid


@dataclass(frozen=True)
class TimeOffCreated:
    """The new time off and the booked visits it overlaps (still booked: staff decide)."""

    time_off: TimeOff
    overlapping: list[Appointment]


def _permission_check(*, by: User, therapist: Therapist) -> None:
    if not selectors_staff.staff_may_manage(
        user=by, therapist_id=therapist.pk, therapist_user_id=therapist.user_id
    ):
        raise PermissionDenied("You may only change your own time off.")


def time_off_create(
    *,
    therapist: Therapist,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = TimeOffKind.OTHER,
    note: str = "",
    by: User,
) -> TimeOffCreated:
    """Record time off for ``therapist`` from ``start`` to ``end`` (aware datetimes).

    A therapist may add only their own; front desk and admins anyone's (else PermissionDenied).
    Time off over booked visits is allowed: they stay booked and are returned in
    ``overlapping`` so staff can move or cancel them. Raises BookingInvalid for bad input.

    Locks: the therapist row until commit, like booking, so no visit is booked into the time
    off between the insert and the overlap read.
    """
    _permission_check(by=by, therapist=therapist)
    start, end = booking.require_aware(start), booking.require_aware(end)
    with transaction.atomic():
        locked = booking.therapists_lock(therapist)[therapist.pk]
        time_off = TimeOff(
            therapist=locked, start=start, end=end, kind=kind, note=" ".join(note.split())
        )
        full_clean_or_invalid(time_off)
        time_off.save()
        overlapping = selectors_staff.appointment_list_overlapping(
            therapist=locked, start=start, end=end
        )
    return TimeOffCreated(time_off=time_off, overlapping=overlapping)


def time_off_delete(*, time_off: TimeOff, by: User) -> None:
    """Remove time off; the therapist becomes bookable again at once.

    Same permission as ``time_off_create``. Removing time off that is already gone is a no-op.
    """
    therapist = time_off.therapist
    _permission_check(by=by, therapist=therapist)
    if time_off.pk is None:
        raise BookingInvalid("time_off", "This time off is not saved.")
    TimeOff.objects.filter(pk=time_off.pk).delete()
