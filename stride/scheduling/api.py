"""The public booking API: visit types, therapists, free slots, and bookings managed by token.

Patients need no account. A new booking answers once with a manage token; sent back as
``Authorization: Bearer <token>`` it reads, cancels or reschedules that booking and no other.
Every refusal uses the shared error shape of ``stride.api.errors``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import AfterValidator, EmailStr, field_validator

from stride.api.errors import ApiError, FieldsInvalid
from stride.api.schemas import (
    EARLIEST_DATE,
    LATEST_DATE,
    Day,
    ErrorOut,
    Id,
    InvalidOut,
    PlainText,
)
from stride.contact.validators import validate_phone_characters, validate_phone_digits
from stride.core.generations import BOOKING, generation_cached
from stride.core.ratelimit import Rate, client_ip, rate_limit_hit

from . import availability as engine
from .links import appointment_manage_url
from .models import (
    EMERGENCY_RED_FLAGS,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Location,
    RedFlag,
    Therapist,
)
from .selectors import (
    appointment_get_by_token,
    appointment_type_list_online,
    booking_rules_get,
    insurance_plan_list_active,
    slot_listing_get,
    therapist_list_bookable,
    therapist_list_public,
)
from .services import (
    BookingInvalid,
    CancellationWindowPassed,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    patient_get_or_create,
)

router = Router(tags=["booking"])

MAX_AVAILABILITY_DAYS = 31
EMERGENCY_MESSAGE = (
    "These symptoms need emergency care now: go to the nearest emergency department or call "
    "911. Please do not wait for a physical therapy appointment."
)


# --- Input types -------------------------------------------------------------------------------


def _phone_number(value: str) -> str:
    # The booking page's checks: digits, spaces and + ( ) - . only, and enough digits to dial.
    try:
        validate_phone_characters(value)
        validate_phone_digits(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return value


def _aware_in_range(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Give the time with its UTC offset, e.g. 2026-12-07T10:00:00-05:00.")
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError("That time is out of range.")
    return value


Start = Annotated[
    dt.datetime,
    AfterValidator(_aware_in_range),
    Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-07T10:00:00-05:00."),
]
Name = Annotated[str, Field(min_length=1, max_length=120, description="Full name."), PlainText]
Phone = Annotated[
    str,
    Field(min_length=1, max_length=30, description="A number the clinic can call."),
    PlainText,
    AfterValidator(_phone_number),
]
Reason = Annotated[
    str, Field(max_length=1000, description="What the patient would like help with."), PlainText
]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description=(
            "Any string of 1 to 64 characters. Repeating a request with the same key and "
            "patient email returns the first booking instead of booking twice."
        ),
    ),
    PlainText,
]


class PatientIn(Schema):
    """Who the visit is for; a returning patient is recognised by email."""

    name: Name
    email: EmailStr = Field(description="Where the confirmation and manage link are sent.")
    phone: Phone


class BookingIn(Schema):
    """A request to book one slot that `GET /availability` offered."""

    appointment_type: Id = Field(description="An online-bookable appointment type's id.")
    therapist: Id = Field(description="A therapist who offers the type.")
    start: Start
    patient: PatientIn
    reason: Reason = ""
    insurance_plan: Id | None = Field(None, description="An active insurance plan's id.")
    has_referral: bool = Field(False, description="The patient has a physician's referral.")
    red_flags: list[RedFlag] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Screening answers that apply (codes). Emergency codes are refused with advice "
            "to seek emergency care now: "
            + ", ".join(sorted(str(code) for code in EMERGENCY_RED_FLAGS))
            + "."
        ),
    )
    idempotency_key: IdempotencyKey | None = None

    @field_validator("red_flags", mode="before")
    @classmethod
    def _red_flags_known(cls, value: Any) -> Any:
        # Checked before the items, so every refusal is named "red_flags" (not "red_flags.0").
        if isinstance(value, list):
            # CLINICAL.md §1: an emergency answer means urgent care now, not a booking.
            if any(code in EMERGENCY_RED_FLAGS for code in value if isinstance(code, str)):
                raise ValueError(EMERGENCY_MESSAGE)
            if not all(isinstance(code, str) and code in RedFlag.values for code in value):
                raise ValueError("Use the red flag codes listed in the documentation.")
        return value


class RescheduleIn(Schema):
    """A new time, and optionally another therapist, for the same booking."""

    start: Start
    therapist: Id | None = Field(None, description="Another therapist offering the visit type.")


class AvailabilityQuery(Schema):
    appointment_type: Id = Field(description="An online-bookable appointment type's id.")
    start: Day
    end: Day = Field(description="YYYY-MM-DD, inclusive; at most 31 days after start.")
    therapist: Id | None = Field(None, description="Only this therapist's slots.")
    location: Id | None = Field(
        None, description="Only the slots of this location's therapists (its `id`)."
    )


# --- Output types ------------------------------------------------------------------------------


class AppointmentTypeOut(Schema):
    id: int
    name: str
    slug: str
    duration_minutes: int
    new_patients: bool = Field(description="New patients may book it (an initial evaluation).")


class TherapistOut(Schema):
    id: int
    name: str
    credentials: str = Field(description="e.g. PT, DPT, OCS.")
    appointment_types: list[int] = Field(description="Ids of the online visit types offered.")
    location: int = Field(description="The id of the clinic location they work at.")


class SlotOut(Schema):
    therapist: int
    start: dt.datetime
    end: dt.datetime


class AvailabilityOut(Schema):
    timezone: str = Field(
        description="The clinic's IANA time zone; slot times carry its UTC offset.",
        examples=["America/New_York"],
    )
    slots: list[SlotOut] = Field(description="Free slots sorted by start, then therapist.")


class BookingCreatedOut(Schema):
    id: int
    status: str = Field(examples=["confirmed"])
    start: dt.datetime
    end: dt.datetime
    therapist: int
    appointment_type: int
    manage_token: str | None = Field(
        description=(
            "Send as `Authorization: Bearer <token>` to read, cancel or reschedule this "
            "booking. Shown only once: null when an idempotent repeat returns an earlier "
            "booking (the first answer and the confirmation email carry it)."
        )
    )
    manage_url: str | None = Field(
        description="The patient's private manage page; null when manage_token is null."
    )


class BookingOut(Schema):
    id: int
    status: str = Field(
        description="confirmed, arrived, completed, cancelled, no_show or late_cancelled."
    )
    start: dt.datetime
    end: dt.datetime
    therapist: int
    appointment_type: int
    timezone: str = Field(examples=["America/New_York"])
    can_cancel: bool = Field(description="Whether it can still be cancelled or moved online.")
    cancel_deadline: dt.datetime = Field(
        description="The last moment to cancel or reschedule online; later, call the clinic."
    )


# --- Access, limits and refusals ---------------------------------------------------------------


class ManageToken(HttpBearer):
    """The manage token a booking answered with, as ``Authorization: Bearer <token>``.

    A missing or wrong token is 404, exactly like a booking that does not exist, so nobody
    learns which ids exist. Only the token's SHA-256 is looked up (``appointment_get_by_token``).
    """

    def __call__(self, request: HttpRequest) -> Appointment:
        appointment = super().__call__(request)
        if appointment is None:
            raise Http404
        return appointment

    def authenticate(self, request: HttpRequest, token: str) -> Appointment:
        try:
            return appointment_get_by_token(token=token.strip())
        except Appointment.DoesNotExist:
            raise Http404 from None


def _booking_get(request: HttpRequest, booking_id: int) -> Appointment:
    """Return the booking the request's token opens, if it is ``booking_id``; else 404."""
    appointment: Appointment = request.auth  # type: ignore[attr-defined]
    if appointment.pk != booking_id:
        raise Http404
    return appointment


def _booking_rate() -> Rate:
    return Rate.parse(settings.STRIDE_RATE_LIMIT_BOOKING)


class BookingRateLimit(BaseThrottle):
    """Count every booking attempt per client IP against STRIDE_RATE_LIMIT_BOOKING.

    Runs before the body is parsed, so malformed attempts count too.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        return rate_limit_hit("booking", client_ip(request), _booking_rate())

    def wait(self) -> float:
        # Windows are fixed (see stride.core.ratelimit): wait for the current one to end.
        seconds = _booking_rate().seconds
        return seconds - int(time.time()) % seconds


@contextmanager
def _refusals(*, location: Location, rename: dict[str, str] | None = None) -> Iterator[None]:
    """Turn the booking services' refusals into API errors.

    A taken time (another visit, time off, a closure) is a 409 conflict; a time that could never
    be booked online (past, too soon, too far, off the grid, outside hours) is bad input on
    ``start``. ``rename`` maps a service's field names to this API's.
    """
    try:
        yield
    except SlotUnavailable as exc:
        if exc.reason in (engine.BUSY, engine.UNAVAILABLE):
            raise ApiError(409, "slot_unavailable", str(exc)) from exc
        raise FieldsInvalid({"start": str(exc)}) from exc
    except CancellationWindowPassed as exc:
        detail = (
            "It is too late to change this appointment online; please call the clinic at "
            f"{location.phone}."
        )
        raise ApiError(409, "cancellation_window_passed", detail) from exc
    except BookingInvalid as exc:
        if exc.field == "status":
            raise ApiError(409, "not_changeable", exc.message) from exc
        field = (rename or {}).get(exc.field, exc.field)
        raise FieldsInvalid({field: exc.message}) from exc


def _appointment_type_get(pk: int) -> AppointmentType:
    appointment_type = appointment_type_list_online().filter(pk=pk).first()
    if appointment_type is None:
        raise FieldsInvalid({"appointment_type": "Unknown appointment type."})
    return appointment_type


def _therapist_get(pk: int, *, appointment_type: AppointmentType) -> Therapist:
    """Return the bookable therapist ``pk`` who offers the type, else 422 on "therapist"."""
    therapist = therapist_list_bookable(appointment_type=appointment_type).filter(pk=pk).first()
    if therapist is not None:
        return therapist
    other = therapist_list_public().filter(pk=pk).first()
    if other is None:
        raise FieldsInvalid({"therapist": "Unknown therapist."})
    raise FieldsInvalid(
        {"therapist": f"{other.display_name} does not offer {appointment_type.name}."}
    )


def _booking_out(appointment: Appointment) -> BookingOut:
    location = appointment.location
    tz = location.tzinfo
    deadline = appointment.start - booking_rules_get(location=location).cancellation_window
    return BookingOut(
        id=appointment.pk,
        status=appointment.status,
        start=appointment.start.astimezone(tz),
        end=appointment.end.astimezone(tz),
        therapist=appointment.therapist_id,
        appointment_type=appointment.appointment_type_id,
        timezone=location.timezone,
        can_cancel=appointment.status == AppointmentStatus.CONFIRMED and timezone.now() <= deadline,
        cancel_deadline=deadline.astimezone(tz),
    )


# --- Endpoints ---------------------------------------------------------------------------------

ERRORS_422 = {422: InvalidOut}
ERRORS_TOKEN = {404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


@router.get(
    "/appointment-types",
    response=list[AppointmentTypeOut],
    summary="List the visit types patients may book online",
)
def appointment_type_list(request: HttpRequest) -> Any:
    """Return the online-bookable visit types in the clinic's order."""
    return appointment_type_list_online()


@router.get("/therapists", response=list[TherapistOut], summary="List the therapists")
def therapist_list(request: HttpRequest) -> list[TherapistOut]:
    """Return the public therapists with the online visit types each offers."""
    therapists = therapist_list_public().prefetch_related(
        Prefetch("appointment_types", queryset=appointment_type_list_online().only("pk"))
    )
    return [
        TherapistOut(
            id=therapist.pk,
            name=therapist.display_name,
            credentials=therapist.credentials,
            appointment_types=[t.pk for t in therapist.appointment_types.all()],
            location=therapist.location_id,
        )
        for therapist in therapists
    ]


@router.get(
    "/availability",
    response={200: AvailabilityOut, **ERRORS_422},
    summary="List free slots for a visit type",
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> HttpResponse:
    """Return the bookable slots of a visit type on local dates start..end (inclusive).

    Without `therapist` or `location`, every therapist offering the type is included; with
    `location` (a location's `id`, as `GET /therapists` gives it), all of that location's
    therapists in one call; with `therapist`, only theirs (with both, the therapist must work
    at the location). At most 31 days per request. 422 names the field at fault: an unknown
    `appointment_type`, `therapist` or `location`, or a bad range (`end`).

    Answers come from a short-lived cache that every booking, cancellation, move, time off,
    hours or rules change invalidates at once on every app server, so a booked slot is never
    offered again. The query count does not grow with the range or the number of therapists.
    """
    if query.end < query.start:
        raise FieldsInvalid({"end": "The end date must not be before the start date."})
    if (query.end - query.start).days >= MAX_AVAILABILITY_DAYS:
        raise FieldsInvalid({"end": f"Ask for at most {MAX_AVAILABILITY_DAYS} days at a time."})
    key = (
        f"availability:{query.appointment_type}:{query.therapist}:{query.location}"
        f":{query.start.isoformat()}:{query.end.isoformat()}"
    )
    body = generation_cached(BOOKING, key, lambda: _availability_body(query))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _availability_body(query: AvailabilityQuery) -> tuple[bytes, dt.datetime | None]:
    """Return the availability answer as JSON, and when time alone may change it."""
    appointment_type = _appointment_type_get(query.appointment_type)
    location = None
    if query.location is not None:
        # nosemgrep: stride-unscoped-object-lookup -- locations are public (listed on every page)
        location = Location.objects.filter(pk=query.location).first()
        if location is None:
            raise FieldsInvalid({"location": "Unknown location."})
    if query.therapist is not None:
        therapist = _therapist_get(query.therapist, appointment_type=appointment_type)
        if location is not None and therapist.location_id != location.pk:
            raise FieldsInvalid(
                {"therapist": f"{therapist.display_name} works at another location."}
            )
        therapists = [therapist]
    else:
        therapists = list(
            therapist_list_bookable(appointment_type=appointment_type, location=location)
        )
    if location is not None:
        zone = location.timezone
    elif therapists:
        # The zone of the clinic offering the type (the primary one first).
        locations = {t.location_id: t.location for t in therapists}.values()
        zone = min(locations, key=lambda loc: (not loc.is_primary, loc.name)).timezone
    else:
        zone = settings.TIME_ZONE
    listing = slot_listing_get(
        appointment_type=appointment_type,
        first_day=query.start,
        last_day=query.end,
        therapists=therapists,
    )
    # Therapists share their times: write each instant once.
    written: dict[dt.datetime, str] = {}

    def iso(value: dt.datetime) -> str:
        text = written.get(value)
        if text is None:
            text = written[value] = _iso(value)
        return text

    slots = [
        {"therapist": s.therapist_id, "start": iso(s.start), "end": iso(s.end)}
        for s in listing.slots
    ]
    body = json.dumps({"timezone": zone, "slots": slots}, separators=(",", ":"))
    return body.encode(), listing.valid_until


def _iso(value: dt.datetime) -> str:
    # As the API's other answers write times (DjangoJSONEncoder): UTC as "Z"; slots are
    # whole minutes, so there are no fractions of a second to trim.
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@router.post(
    "/bookings",
    response={201: BookingCreatedOut, 200: BookingCreatedOut, 409: ErrorOut, 429: ErrorOut}
    | ERRORS_422,
    throttle=BookingRateLimit(),
    summary="Book a slot",
)
def booking_create(request: HttpRequest, booking: BookingIn) -> Status[BookingCreatedOut]:
    """Book a slot for a patient; answer 201 with the manage token (shown only this once).

    A repeat with the same `idempotency_key` and patient email answers 200 with the first
    booking and `manage_token` null. 409 `slot_unavailable` when the time was taken;
    422 names each bad field; 429 `rate_limited` (with Retry-After) past the per-IP limit.
    """
    appointment_type = _appointment_type_get(booking.appointment_type)
    therapist = _therapist_get(booking.therapist, appointment_type=appointment_type)
    insurance_plan = None
    if booking.insurance_plan is not None:
        insurance_plan = insurance_plan_list_active().filter(pk=booking.insurance_plan).first()
        if insurance_plan is None:
            raise FieldsInvalid({"insurance_plan": "Unknown insurance plan."})
    rename = {
        "email": "patient.email",
        "name": "patient.name",
        "phone": "patient.phone",
        "patient": "patient.email",
    }
    try:
        # One transaction: a refused booking leaves no new patient behind.
        with _refusals(location=therapist.location, rename=rename), transaction.atomic():
            patient = patient_get_or_create(
                email=booking.patient.email,
                name=booking.patient.name,
                phone=booking.patient.phone,
            )
            appointment = appointment_book(
                patient=patient,
                therapist=therapist,
                appointment_type=appointment_type,
                start=booking.start,
                reason=booking.reason,
                insurance_plan=insurance_plan,
                has_referral=booking.has_referral,
                red_flags=[str(code) for code in booking.red_flags],
                idempotency_key=booking.idempotency_key,
            )
    except IntegrityError as exc:
        # Two concurrent requests with one key for different therapists (PostgreSQL): the
        # loser meets the unique key; answer as the service does when they run in turn.
        if "idempotency" not in str(exc):
            raise
        raise FieldsInvalid(
            {"idempotency_key": "This key was already used for another booking."}
        ) from exc
    token = appointment.manage_token
    tz = therapist.location.tzinfo
    out = BookingCreatedOut(
        id=appointment.pk,
        status=appointment.status,
        start=appointment.start.astimezone(tz),
        end=appointment.end.astimezone(tz),
        therapist=appointment.therapist_id,
        appointment_type=appointment.appointment_type_id,
        manage_token=token,
        manage_url=appointment_manage_url(appointment, token) if token else None,
    )
    return Status(201 if token else 200, out)


@router.get(
    "/bookings/{int:booking_id}",
    response={200: BookingOut, 404: ErrorOut},
    auth=ManageToken(),
    summary="Read a booking",
)
def booking_detail(request: HttpRequest, booking_id: int) -> BookingOut:
    """Return the booking the bearer token opens; 404 for a wrong token or id alike."""
    return _booking_out(_booking_get(request, booking_id))


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response={200: BookingOut, **ERRORS_TOKEN},
    auth=ManageToken(),
    summary="Cancel a booking",
)
def booking_cancel(request: HttpRequest, booking_id: int) -> BookingOut:
    """Cancel the booking and free its time at once; cancelling again changes nothing.

    409 `cancellation_window_passed` once the online window has closed (call the clinic).
    """
    appointment = _booking_get(request, booking_id)
    with _refusals(location=appointment.location):
        appointment = appointment_cancel(appointment=appointment, by_patient=True)
    return _booking_out(appointment)


@router.post(
    "/bookings/{int:booking_id}/reschedule",
    response={200: BookingOut, **ERRORS_TOKEN},
    auth=ManageToken(),
    summary="Move a booking to another slot",
)
def booking_reschedule(request: HttpRequest, booking_id: int, data: RescheduleIn) -> BookingOut:
    """Move the booking (same id and token) to a new start, optionally with another therapist.

    409 `slot_unavailable` when the new time is taken, `cancellation_window_passed` when
    the current visit is too close to change online; 422 for a time that cannot be booked.
    """
    appointment = _booking_get(request, booking_id)
    therapist = None
    if data.therapist is not None:
        therapist = _therapist_get(data.therapist, appointment_type=appointment.appointment_type)
    with _refusals(location=appointment.location):
        appointment = appointment_reschedule(
            appointment=appointment, start=data.start, therapist=therapist, by_patient=True
        )
    return _booking_out(appointment)
