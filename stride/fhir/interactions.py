"""The read and search interactions of each resource type, behind the endpoints in ``views``.

Searches take a :class:`~stride.fhir.http.Search`, reads the caller and a primary key; both
return the resource (a searchset Bundle for searches). A read of a row that is missing or not
the caller's raises one of ``NOT_FOUND``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.resource import Resource
from fhir_core.fhirabstractmodel import FHIRAbstractModel

from stride.accounts.models import User
from stride.scheduling.api import MAX_AVAILABILITY_DAYS
from stride.scheduling.models import Appointment, AppointmentType, BookingRules, Therapist
from stride.scheduling.selectors import (
    booking_rules_get,
    location_get_primary,
    slot_list_available,
)

from . import selectors
from .auth import Caller, caller_require
from .capability import SUPPORTED
from .errors import FhirError, bad_param
from .http import Search
from .resources import (
    appointment_resource,
    appointment_type_system,
    patient_resource,
    practitioner_resource,
    schedule_resource,
    searchset,
    slot_resource,
)
from .search import (
    Params,
    Span,
    count_parse,
    date_span,
    local_days,
    offset_parse,
    params_check,
    reference_parse,
    single,
    tokens_parse,
)

# The booking API's limit on one availability request.
MAX_SLOT_DAYS = MAX_AVAILABILITY_DAYS
APPOINTMENT_PAGE = 50
APPOINTMENT_PAGE_MAX = 100
NAME_MODIFIERS = ("", "exact", "contains")


def _names(resource_type: str, *extra: str) -> frozenset[str]:
    """Return the parameters a search accepts: those the CapabilityStatement lists, and ``extra``."""
    return SUPPORTED[resource_type].param_names | set(extra)


def _clinic_zone() -> zoneinfo.ZoneInfo:
    """Return the zone dates in searches are read in: the primary clinic's."""
    location = location_get_primary()
    return location.tzinfo if location is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- Practitioner and Schedule -------------------------------------------------------------------


def _name_filter(params: Params) -> tuple[str | None, str]:
    given = [(modifier, f"name:{modifier}" if modifier else "name") for modifier in NAME_MODIFIERS]
    found = [(modifier, name) for modifier, name in given if name in params]
    if not found:
        return None, ""
    if len(found) > 1:
        raise bad_param(found[1][1], "Give one name parameter.")
    modifier, name = found[0]
    value = (single(params, name) or "").strip()
    if not value or len(value) > 120:
        raise bad_param(name, "Give 1 to 120 characters of the name.")
    if "\x00" in value:  # PostgreSQL cannot compare text holding NUL: refuse it here, not 500
        raise bad_param(name, "The name cannot contain NUL characters.")
    return value, modifier


def practitioner_search(search: Search) -> FHIRAbstractModel:
    """Return the public therapists, optionally by name."""
    params_check(search.params, _names("Practitioner", "name:exact", "name:contains"))
    name, modifier = _name_filter(search.params)
    therapists = selectors.practitioner_list(name=name, match=modifier)
    resources = [practitioner_resource(t) for t in therapists]
    return searchset(
        resources, base_url=search.base_url, self_url=search.url(), total=len(resources)
    )


def practitioner_read(caller: Caller, pk: int) -> FHIRAbstractModel:
    """Return one public therapist."""
    return practitioner_resource(selectors.practitioner_get(pk=pk))


def _schedules(therapists: Sequence[Therapist]) -> list[Resource]:
    now = timezone.now()
    rules: dict[int, BookingRules] = {}
    resources: list[Resource] = []
    for therapist in therapists:
        if therapist.location_id not in rules:
            rules[therapist.location_id] = booking_rules_get(location=therapist.location)
        resources.append(
            schedule_resource(
                therapist,
                appointment_types=selectors.appointment_types_offered(therapist=therapist),
                rules=rules[therapist.location_id],
                now=now,
            )
        )
    return resources


def schedule_search(search: Search) -> FHIRAbstractModel:
    """Return the public therapists' schedules, optionally one practitioner's."""
    params_check(search.params, _names("Schedule"))
    therapists = selectors.practitioner_list()
    actor = single(search.params, "actor")
    if actor is not None:
        pk = reference_parse(
            actor, name="actor", resource_type="Practitioner", base_url=search.base_url
        )
        therapists = therapists.filter(pk=pk) if pk is not None else therapists.none()
    resources = _schedules(list(therapists))
    return searchset(
        resources, base_url=search.base_url, self_url=search.url(), total=len(resources)
    )


def schedule_read(caller: Caller, pk: int) -> FHIRAbstractModel:
    """Return one public therapist's schedule."""
    therapist = selectors.practitioner_get(pk=pk)
    return _schedules([therapist])[0]


# --- Slot ----------------------------------------------------------------------------------------


def _type_codes(params: Params, name: str) -> set[str] | None:
    """Return the appointment type codes asked for, None when the parameter is absent."""
    if name not in params:
        return None
    return {
        token.code
        for token in tokens_parse(params[name], name=name)
        if token.system in (None, appointment_type_system())
    }


def slot_search(search: Search) -> FHIRAbstractModel:
    """Return a schedule's free slots starting between two bounds at most 31 local days apart.

    Every parameter is checked before anything is looked up, so a bad value is a 400 whether
    or not the schedule exists.
    """
    params = search.params
    params_check(params, _names("Slot"))
    codes = _type_codes(params, "appointment-type")
    schedule = single(params, "schedule")
    if schedule is None:
        raise bad_param("schedule", "Give the schedule, e.g. schedule=Schedule/1.")
    pk = reference_parse(
        schedule, name="schedule", resource_type="Schedule", base_url=search.base_url
    )
    therapist = selectors.practitioner_list().filter(pk=pk).first() if pk is not None else None
    tz = therapist.location.tzinfo if therapist is not None else _clinic_zone()
    span = date_span(params.get("start", ()), name="start", tz=tz)
    if span.lower is None or span.upper is None:
        raise bad_param("start", "Give both bounds, e.g. start=ge2026-12-07&start=lt2026-12-14.")
    slots: list[Resource] = []
    if not span.is_empty:
        first_day, last_day = local_days(span, tz)
        if (last_day - first_day).days >= MAX_SLOT_DAYS:
            raise FhirError(
                400,
                "too-costly",
                f"Ask for at most {MAX_SLOT_DAYS} days at a time.",
                expression=["start"],
            )
        if therapist is not None:
            offered = selectors.appointment_types_offered(therapist=therapist)
            slots = _free_slots(
                therapist,
                [t for t in offered if codes is None or t.slug in codes],
                span=span,
                first_day=first_day,
                last_day=last_day,
            )
    return searchset(slots, base_url=search.base_url, self_url=search.url(), total=len(slots))


def _free_slots(
    therapist: Therapist,
    appointment_types: Sequence[AppointmentType],
    *,
    span: Span,
    first_day: dt.date,
    last_day: dt.date,
) -> list[Resource]:
    """Return the therapist's free slots of each type starting inside ``span``.

    Sorted by start, then by the clinic's order of types.
    """
    found = []
    for order, appointment_type in enumerate(appointment_types):
        for slot in slot_list_available(
            appointment_type=appointment_type,
            first_day=first_day,
            last_day=last_day,
            therapist=therapist,
        ):
            if span.contains(slot.start):
                found.append((slot.start, order, slot, appointment_type))
    found.sort(key=lambda item: (item[0], item[1]))
    return [slot_resource(slot, appointment_type=t) for _, _, slot, t in found]


# --- Appointment and Patient ---------------------------------------------------------------------


def appointment_search(search: Search) -> FHIRAbstractModel:
    """Return the appointments the caller may see, by start, a page at a time."""
    params = search.params
    params_check(params, _names("Appointment", "_count", "_offset"))
    user = caller_require(search.caller)
    count = count_parse(params, default=APPOINTMENT_PAGE, maximum=APPOINTMENT_PAGE_MAX)
    offset = offset_parse(params)
    patient = single(params, "patient")
    patient_id = (
        reference_parse(patient, name="patient", resource_type="Patient", base_url=search.base_url)
        if patient is not None
        else None
    )
    span = date_span(params.get("date", ()), name="date", tz=_clinic_zone())
    appointments = selectors.appointment_list_for_user(
        user=user, patient_id=patient_id, start_from=span.lower, start_before=span.upper
    )
    if (patient is not None and patient_id is None) or span.is_empty:
        appointments = appointments.none()
    total = appointments.count()
    page = list(appointments[offset : offset + count])
    resources = [appointment_resource(a, show_reason=a.patient_id == user.pk) for a in page]
    next_url = None
    if offset + count < total:
        next_url = search.url(_count=str(count), _offset=str(offset + count))
    return searchset(
        resources,
        base_url=search.base_url,
        self_url=search.url(),
        total=total,
        next_url=next_url,
    )


def appointment_read(caller: Caller, pk: int) -> FHIRAbstractModel:
    """Return one appointment the caller may see."""
    user = caller_require(caller)
    appointment = selectors.appointment_get_for_user(user=user, pk=pk)
    return appointment_resource(appointment, show_reason=appointment.patient_id == user.pk)


def patient_read(caller: Caller, pk: int) -> FHIRAbstractModel:
    """Return the signed-in patient, or for staff any patient."""
    user = caller_require(caller)
    return patient_resource(selectors.patient_get_for_user(user=user, pk=pk))


SEARCHES: dict[str, Callable[[Search], FHIRAbstractModel]] = {
    "Practitioner": practitioner_search,
    "Schedule": schedule_search,
    "Slot": slot_search,
    "Appointment": appointment_search,
}
READS: dict[str, Callable[[Caller, int], FHIRAbstractModel]] = {
    "Practitioner": practitioner_read,
    "Schedule": schedule_read,
    "Appointment": appointment_read,
    "Patient": patient_read,
}
# What a read raises for a row that is missing or not the caller's.
NOT_FOUND = (Therapist.DoesNotExist, Appointment.DoesNotExist, User.DoesNotExist)
