"""Create an Appointment: read the posted FHIR resource, then book through ``appointment_book``.

The booking service keeps its guarantees (therapist row lock, re-checked slot, the database's
overlap guard); this module only turns the resource into its arguments and its refusals into
OperationOutcomes naming the element at fault. Online rules apply to everyone, staff included,
so whatever ``Slot`` search offers can be booked and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from pydantic import ValidationError

from stride.accounts.models import Role, User
from stride.scheduling import availability as engine
from stride.scheduling.models import Appointment, AppointmentType, Therapist
from stride.scheduling.selectors import (
    appointment_type_list_online,
    therapist_list_bookable,
    therapist_list_public,
)
from stride.scheduling.services import BookingInvalid, SlotUnavailable, appointment_book

from .errors import FhirError, Issue
from .resources import appointment_type_system, slot_key_parse
from .search import EARLIEST_YEAR, LATEST_YEAR, pk_parse

# Statuses a client may ask for; the booking is made "booked" either way.
REQUESTABLE_STATUSES = frozenset({"proposed", "pending", "booked"})
# FHIR's ParticipationStatus, a required binding of Appointment.participant.status.
PARTICIPATION_STATUSES = frozenset({"accepted", "declined", "tentative", "needs-action"})
MAX_ISSUES = 10


def invalid(expression: str, diagnostics: str) -> FhirError:
    """Return the 422 for a well-formed Appointment the clinic cannot book as asked."""
    return FhirError(422, "processing", diagnostics, expression=[expression])


def _fhirpath(loc: tuple[Any, ...]) -> str:
    path = "Appointment"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _structure_error(exc: ValidationError) -> FhirError:
    issues = [
        Issue("structure", str(error.get("msg", "Invalid value.")), (_fhirpath(error["loc"]),))
        for error in exc.errors()[:MAX_ISSUES]
    ]
    first, *more = issues or [Issue("structure", "Not a valid Appointment.")]
    return FhirError(
        400, first.code, first.diagnostics, expression=first.expression, more=tuple(more)
    )


def appointment_parse(body: bytes) -> FhirAppointment:
    """Return the posted body as an R4B Appointment; 400 naming each element at fault."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise FhirError(400, "structure", "The body is not valid JSON.") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Appointment":
        raise FhirError(
            400,
            "structure",
            "Post an Appointment resource.",
            expression=["Appointment.resourceType"],
        )
    data.pop("id", None)  # The server assigns the id on create.
    try:
        return FhirAppointment.model_validate(data)
    except ValidationError as exc:
        raise _structure_error(exc) from None
    except (ValueError, TypeError, RecursionError):
        raise FhirError(400, "structure", "Not a valid Appointment.") from None


@dataclass(frozen=True)
class Participants:
    """The Patient and Practitioner an Appointment names, with their element paths."""

    patient: str | None = None
    patient_path: str = "Appointment.participant"
    practitioner: str | None = None
    practitioner_path: str = "Appointment.participant"


def _participants(resource: FhirAppointment) -> Participants:
    found: dict[str, tuple[str, str]] = {}
    for index, participant in enumerate(resource.participant or ()):
        if str(participant.status) not in PARTICIPATION_STATUSES:
            raise FhirError(
                400,
                "code-invalid",
                "Use accepted, declined, tentative or needs-action.",
                expression=[f"Appointment.participant[{index}].status"],
            )
        path = f"Appointment.participant[{index}].actor"
        reference = participant.actor.reference if participant.actor else None
        if reference is None:
            continue  # A participant given by display only (e.g. the location) books nothing.
        kind, _, ident = str(reference).partition("/")
        if kind not in ("Patient", "Practitioner") or not ident or "/" in ident:
            raise invalid(path, "Refer to a Patient/<id> or a Practitioner/<id>.")
        if kind in found:
            raise invalid(path, f"Name one {kind} only.")
        found[kind] = (ident, path)
    patient, practitioner = found.get("Patient"), found.get("Practitioner")
    return Participants(
        patient=patient[0] if patient else None,
        patient_path=patient[1] if patient else "Appointment.participant",
        practitioner=practitioner[0] if practitioner else None,
        practitioner_path=practitioner[1] if practitioner else "Appointment.participant",
    )


def _type_from_concept(resource: FhirAppointment) -> AppointmentType | None:
    """Return the type ``appointmentType`` names by our code system (or none); None if unnamed.

    Codings of other systems (e.g. HL7's v2-0276 ROUTINE) are ignored.
    """
    concept = resource.appointmentType
    codes = [
        str(coding.code)
        for coding in (concept.coding or () if concept else ())
        if coding.code and coding.system in (None, appointment_type_system())
    ]
    if not codes:
        return None
    found = appointment_type_list_online().filter(slug__in=codes).first()
    if found is None:
        raise invalid(
            "Appointment.appointmentType",
            "Unknown appointment type: give the code (slug) of one that can be booked online.",
        )
    return found


def _therapist(pk_text: str | None, *, appointment_type: AppointmentType, path: str) -> Therapist:
    pk = pk_parse(pk_text) if pk_text else None
    if pk is None:
        raise invalid(path, "Name the Practitioner, e.g. Practitioner/1.")
    therapist = therapist_list_bookable(appointment_type=appointment_type).filter(pk=pk).first()
    if therapist is not None:
        return therapist
    other = therapist_list_public().filter(pk=pk).first()
    if other is None:
        raise invalid(path, "Unknown practitioner.")
    raise invalid(path, f"{other.display_name} does not offer {appointment_type.name}.")


@dataclass(frozen=True)
class BookingRequest:
    """What to book, read from the resource, with the element each input came from."""

    therapist: Therapist
    appointment_type: AppointmentType
    start: dt.datetime
    time_path: str
    type_path: str
    practitioner_path: str


def _by_slot(resource: FhirAppointment, participants: Participants) -> BookingRequest:
    slots = resource.slot or []
    if len(slots) > 1:
        raise invalid("Appointment.slot", "Book one slot per appointment.")
    reference = str(slots[0].reference or "")
    kind, _, slot_id = reference.partition("/")
    key = slot_key_parse(slot_id) if kind == "Slot" else None
    appointment_type = (
        appointment_type_list_online().filter(pk=key.appointment_type_id).first() if key else None
    )
    therapist = (
        therapist_list_bookable(appointment_type=appointment_type)
        .filter(pk=key.therapist_id)
        .first()
        if key and appointment_type
        else None
    )
    if key is None or appointment_type is None or therapist is None:
        raise invalid("Appointment.slot[0]", "Unknown slot: use one that Slot search returned.")
    if participants.practitioner is not None and participants.practitioner != str(therapist.pk):
        raise invalid(participants.practitioner_path, "This is not the slot's practitioner.")
    named_type = _type_from_concept(resource)
    if named_type is not None and named_type != appointment_type:
        raise invalid("Appointment.appointmentType", "This is not the slot's appointment type.")
    if resource.start is not None and resource.start != key.start:
        raise invalid("Appointment.start", "This is not the slot's start.")
    return BookingRequest(
        therapist=therapist,
        appointment_type=appointment_type,
        start=key.start,
        time_path="Appointment.slot[0]",
        type_path="Appointment.slot[0]",
        practitioner_path="Appointment.slot[0]",
    )


def _by_time(resource: FhirAppointment, participants: Participants) -> BookingRequest:
    start = resource.start
    if start is None:
        raise invalid(
            "Appointment.start",
            "Give a slot, or a start with a Practitioner participant and an appointmentType.",
        )
    if not EARLIEST_YEAR <= start.year <= LATEST_YEAR:
        raise invalid("Appointment.start", "That time is out of range.")
    appointment_type = _type_from_concept(resource)
    if appointment_type is None:
        raise invalid("Appointment.appointmentType", "Give the appointment type to book.")
    therapist = _therapist(
        participants.practitioner,
        appointment_type=appointment_type,
        path=participants.practitioner_path,
    )
    return BookingRequest(
        therapist=therapist,
        appointment_type=appointment_type,
        start=start,
        time_path="Appointment.start",
        type_path="Appointment.appointmentType",
        practitioner_path=participants.practitioner_path,
    )


def _patient(caller: User, *, is_staff: bool, participants: Participants) -> User:
    """Return whom the visit is for: the signed-in patient, or the patient staff named."""
    pk = pk_parse(participants.patient) if participants.patient else None
    if not is_staff:
        if participants.patient is not None and pk != caller.pk:
            raise FhirError(
                403,
                "forbidden",
                "Patients book for themselves only.",
                expression=[participants.patient_path],
            )
        return caller
    if participants.patient is None:
        raise invalid(participants.patient_path, "Name the Patient the visit is for.")
    patient = User.objects.filter(pk=pk, role=Role.PATIENT).first() if pk else None
    if patient is None:
        raise invalid(participants.patient_path, "Unknown patient.")
    return patient


def _reason(resource: FhirAppointment) -> str:
    texts = [str(code.text) for code in resource.reasonCode or () if code.text]
    reason = "; ".join(texts)
    # PostgreSQL stores no NUL and no database a lone surrogate: refuse both before saving.
    try:
        reason.encode()
    except UnicodeEncodeError:
        raise invalid("Appointment.reasonCode", "Use valid Unicode text.") from None
    if "\x00" in reason:
        raise invalid("Appointment.reasonCode", "Remove the NUL character.")
    return reason


@contextmanager
def _refusals(request: BookingRequest, participants: Participants) -> Iterator[None]:
    """Turn the booking service's refusals into FHIR errors on the element at fault.

    A taken time (another visit, time off, a closure) is 409; a time that is never bookable
    online (past, too soon, too far, off the grid, outside hours) is 422.
    """
    try:
        yield
    except SlotUnavailable as exc:
        if exc.reason in (engine.BUSY, engine.UNAVAILABLE):
            raise FhirError(409, "conflict", str(exc), expression=[request.time_path]) from exc
        raise invalid(request.time_path, str(exc)) from exc
    except BookingInvalid as exc:
        path = {
            "therapist": request.practitioner_path,
            "appointment_type": request.type_path,
            "patient": participants.patient_path,
            "start": request.time_path,
            "reason": "Appointment.reasonCode",
        }.get(exc.field, "Appointment")
        raise invalid(path, exc.message) from exc


def appointment_create(*, caller: User, is_staff: bool, body: bytes) -> Appointment:
    """Book the Appointment posted in ``body`` for ``caller`` (a patient) or as staff.

    Raises FhirError: 400 for a body that is not an Appointment, 403 when a patient names
    another patient, 409 when the time is taken, 422 for anything else the clinic refuses.
    """
    resource = appointment_parse(body)
    status = str(resource.status)
    if status not in REQUESTABLE_STATUSES:
        raise invalid("Appointment.status", "Use booked (or proposed or pending) to book.")
    participants = _participants(resource)
    patient = _patient(caller, is_staff=is_staff, participants=participants)
    request = (
        _by_slot(resource, participants) if resource.slot else _by_time(resource, participants)
    )
    minutes = request.appointment_type.duration_minutes
    lasts = f"This visit lasts {minutes} minutes."
    if resource.end is not None and resource.end != request.start + dt.timedelta(minutes=minutes):
        raise invalid("Appointment.end", lasts)
    if resource.minutesDuration is not None and resource.minutesDuration != minutes:
        raise invalid("Appointment.minutesDuration", lasts)
    reason = _reason(resource)
    with _refusals(request, participants):
        return appointment_book(
            patient=patient,
            therapist=request.therapist,
            appointment_type=request.appointment_type,
            start=request.start,
            reason=reason,
            booked_by=caller if is_staff else None,
        )
