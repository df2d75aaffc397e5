"""Stride's rows as FHIR R4B resources, each validated by its fhir.resources model.

Ids are primary keys: a therapist is ``Practitioner/<pk>`` and ``Schedule/<pk>``, a patient
``Patient/<user pk>``. A Slot has no row; its id names the therapist, the appointment type and
the start in UTC (``<therapist>-<type>-<YYYYMMDDTHHMMSSZ>``), so booking a slot by reference
needs no stored state. Times carry the location's UTC offset.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from stride.accounts.models import User
from stride.scheduling import availability as engine
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookingRules,
    Therapist,
)

from .search import pk_parse

# Appointment.status for each of Stride's statuses.
APPOINTMENT_STATUS = {
    AppointmentStatus.CONFIRMED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "noshow",
    AppointmentStatus.LATE_CANCELLED: "cancelled",
}
_SLOT_ID = re.compile(
    r"(?P<therapist>[0-9]{1,19})-(?P<type>[0-9]{1,19})-(?P<start>[0-9]{8}T[0-9]{6}Z)"
)
_SLOT_START = "%Y%m%dT%H%M%SZ"


def appointment_type_system() -> str:
    """Return the code system of the clinic's appointment types (codes are their slugs)."""
    return f"{settings.SITE_URL}/fhir/CodeSystem/appointment-type"


def practitioner_identifier_system() -> str:
    """Return the identifier system of therapists (values are their public slugs)."""
    return f"{settings.SITE_URL}/therapists"


def _instant(value: dt.datetime, tz: dt.tzinfo) -> str:
    return value.astimezone(tz).isoformat()


def _type_concept(appointment_type: AppointmentType) -> dict[str, Any]:
    return {
        "coding": [
            {
                "system": appointment_type_system(),
                "code": appointment_type.slug,
                "display": appointment_type.name,
            }
        ],
        "text": appointment_type.name,
    }


def _practitioner_reference(therapist: Therapist) -> dict[str, str]:
    return {"reference": f"Practitioner/{therapist.pk}", "display": therapist.display_name}


def _patient_name(user: User) -> str:
    return user.get_full_name() or user.email


# --- Slot ids ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotKey:
    """What a Slot id stands for: a therapist, an appointment type and a start instant."""

    therapist_id: int
    appointment_type_id: int
    start: dt.datetime

    @property
    def id(self) -> str:
        start = self.start.astimezone(dt.UTC).strftime(_SLOT_START)
        return f"{self.therapist_id}-{self.appointment_type_id}-{start}"


def slot_key_parse(slot_id: str) -> SlotKey | None:
    """Return what a Slot id stands for, or None when it is not one of ours."""
    match = _SLOT_ID.fullmatch(slot_id)
    if match is None:
        return None
    therapist_id, type_id = pk_parse(match["therapist"]), pk_parse(match["type"])
    try:
        start = dt.datetime.strptime(match["start"], _SLOT_START).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    if therapist_id is None or type_id is None:
        return None
    return SlotKey(therapist_id, type_id, start)


# --- Resources -----------------------------------------------------------------------------------


def practitioner_resource(therapist: Therapist) -> Practitioner:
    """Return a public therapist as a Practitioner: name and credentials, no contact details."""
    data: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": str(therapist.pk),
        "identifier": [{"system": practitioner_identifier_system(), "value": therapist.slug}],
        "active": True,
        "name": [{"text": therapist.display_name}],
    }
    if therapist.credentials:
        data["qualification"] = [{"code": {"text": therapist.credentials}}]
    return Practitioner.model_validate(data)


def schedule_resource(
    therapist: Therapist,
    *,
    appointment_types: Sequence[AppointmentType],
    rules: BookingRules,
    now: dt.datetime,
) -> Schedule:
    """Return the therapist's bookable calendar: what they offer and how far ahead it opens."""
    tz = therapist.location.tzinfo
    last_day = now.astimezone(tz).date() + dt.timedelta(days=rules.horizon_days)
    horizon_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    data: dict[str, Any] = {
        "resourceType": "Schedule",
        "id": str(therapist.pk),
        "active": True,
        "actor": [_practitioner_reference(therapist)],
        "planningHorizon": {
            "start": _instant(now + dt.timedelta(minutes=rules.min_notice_minutes), tz),
            "end": _instant(horizon_end, tz),
        },
        "comment": (
            f"Online booking with {therapist.display_name} at {therapist.location.name} "
            f"({therapist.location.timezone})."
        ),
    }
    if appointment_types:
        data["serviceType"] = [_type_concept(t) for t in appointment_types]
    return Schedule.model_validate(data)


def slot_resource(slot: engine.Slot, *, appointment_type: AppointmentType) -> Slot:
    """Return one free slot of the availability engine for ``appointment_type``."""
    key = SlotKey(slot.therapist_id, appointment_type.pk, slot.start)
    concept = _type_concept(appointment_type)
    return Slot.model_validate(
        {
            "resourceType": "Slot",
            "id": key.id,
            "serviceType": [concept],
            "appointmentType": concept,
            "schedule": {"reference": f"Schedule/{slot.therapist_id}"},
            "status": "free",
            # The engine gives both in the location's zone, so the offset is the local one.
            "start": slot.start.isoformat(),
            "end": slot.end.isoformat(),
        }
    )


def appointment_resource(appointment: Appointment, *, show_reason: bool) -> FhirAppointment:
    """Return an appointment; the patient's own words (``reason``) only when ``show_reason``.

    Staff calendars never show the reason for a visit, so staff callers do not get it here.
    """
    tz = appointment.location.tzinfo
    therapist = appointment.therapist
    patient = appointment.patient
    data: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "status": APPOINTMENT_STATUS[AppointmentStatus(appointment.status)],
        "serviceType": [_type_concept(appointment.appointment_type)],
        "appointmentType": _type_concept(appointment.appointment_type),
        "description": f"{appointment.appointment_type.name} with {therapist.display_name}",
        "start": _instant(appointment.start, tz),
        "end": _instant(appointment.end, tz),
        "minutesDuration": max(1, int((appointment.end - appointment.start).total_seconds() // 60)),
        "created": _instant(appointment.created_at, tz),
        "participant": [
            {
                "actor": {"reference": f"Patient/{patient.pk}", "display": _patient_name(patient)},
                "required": "required",
                "status": "accepted",
            },
            {
                "actor": _practitioner_reference(therapist),
                "required": "required",
                "status": "accepted",
            },
            {
                "actor": {"display": appointment.location.name},
                "required": "information-only",
                "status": "accepted",
            },
        ],
    }
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        data["cancelationReason"] = {"text": appointment.get_status_display()}
    if show_reason and appointment.reason:
        data["reasonCode"] = [{"text": appointment.reason}]
    return FhirAppointment.model_validate(data)


def patient_resource(user: User) -> Patient:
    """Return a patient as the minimum other resources refer to: name and email."""
    name: dict[str, Any] = {"text": _patient_name(user)}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return Patient.model_validate(
        {
            "resourceType": "Patient",
            "id": str(user.pk),
            "active": user.is_active,
            "name": [name],
            "telecom": [{"system": "email", "value": user.email}],
        }
    )


def searchset(
    resources: Sequence[Resource],
    *,
    base_url: str,
    self_url: str,
    total: int,
    next_url: str | None = None,
) -> Bundle:
    """Return a searchset Bundle of ``resources`` (all matches) with its self and next links."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    entries = [
        {
            "fullUrl": f"{base_url}/{resource.get_resource_type()}/{resource.id}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    }
    if entries:  # FHIR allows no empty arrays.
        data["entry"] = entries
    return Bundle.model_validate(data)
