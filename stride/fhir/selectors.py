"""Reads behind the FHIR API, scoped to the caller: a patient sees only their own rows.

Rows another patient owns raise ``DoesNotExist`` exactly like missing ones, so an id never tells
a patient that someone else's appointment exists.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from stride.accounts.models import STAFF_ROLES, Role, User
from stride.scheduling.models import Appointment, AppointmentType, Therapist
from stride.scheduling.selectors import (
    appointment_get_for_patient,
    appointment_type_list_online,
    therapist_list_public,
)

_ONLINE_TYPES = "online_types"


def practitioner_list(*, name: str | None = None, match: str = "") -> QuerySet[Therapist]:
    """Return the public therapists, optionally those whose name matches ``name``.

    Each carries its online-bookable types, read with :func:`appointment_types_offered`.

    ``match`` is the FHIR string modifier: "" (a word starts with it), "exact" or "contains".
    """
    therapists = therapist_list_public().prefetch_related(
        Prefetch(
            "appointment_types", queryset=appointment_type_list_online(), to_attr=_ONLINE_TYPES
        )
    )
    if name is None:
        return therapists.order_by("pk")
    if match == "exact":
        therapists = therapists.filter(display_name=name)
    elif match == "contains":
        therapists = therapists.filter(display_name__icontains=name)
    else:
        therapists = therapists.filter(
            Q(display_name__istartswith=name) | Q(display_name__icontains=f" {name}")
        )
    return therapists.order_by("pk")


def practitioner_get(*, pk: int) -> Therapist:
    """Return one public therapist; raises ``Therapist.DoesNotExist`` for any other."""
    return practitioner_list().get(pk=pk)


def appointment_types_offered(*, therapist: Therapist) -> list[AppointmentType]:
    """Return the online-bookable types the therapist offers, in the clinic's order."""
    prefetched: list[AppointmentType] | None = getattr(therapist, _ONLINE_TYPES, None)
    if prefetched is not None:
        return prefetched
    return list(appointment_type_list_online().filter(therapists=therapist))


def _is_staff(user: User) -> bool:
    return user.is_active and user.role in STAFF_ROLES


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "therapist", "appointment_type", "location", "patient"
    )


def appointment_list_for_user(
    *,
    user: User,
    patient_id: int | None = None,
    start_from: dt.datetime | None = None,
    start_before: dt.datetime | None = None,
) -> QuerySet[Appointment]:
    """Return the appointments ``user`` may see, by start then id.

    Staff see everyone's; a patient only their own, so asking for another patient's gives
    nothing. ``patient_id`` narrows to one patient; the bounds to starts in [from, before).
    """
    appointments = _appointments()
    if not _is_staff(user):
        if patient_id is not None and patient_id != user.pk:
            return appointments.none()
        patient_id = user.pk
    if patient_id is not None:
        appointments = appointments.filter(patient_id=patient_id)
    if start_from is not None:
        appointments = appointments.filter(start__gte=start_from)
    if start_before is not None:
        appointments = appointments.filter(start__lt=start_before)
    return appointments.order_by("start", "pk")


def appointment_get_for_user(*, user: User, pk: int) -> Appointment:
    """Return one appointment ``user`` may see.

    Raises ``Appointment.DoesNotExist`` alike for a missing row and another patient's.
    """
    if _is_staff(user):
        return _appointments().get(pk=pk)
    return appointment_get_for_patient(patient=user, pk=pk)


def patient_get_for_user(*, user: User, pk: int) -> User:
    """Return the patient ``pk`` if ``user`` may see them: themselves, or any patient for staff.

    Raises ``User.DoesNotExist`` alike for a missing patient and one the caller may not see.
    """
    patients = User.objects.filter(role=Role.PATIENT)
    if not _is_staff(user):
        patients = patients.filter(pk=user.pk)
    return patients.get(pk=pk)
