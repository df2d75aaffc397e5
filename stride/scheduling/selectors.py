"""Reads of the clinic's locations, therapists, availability and appointments."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from stride.accounts.models import User
from stride.core.generations import CONTENT, generation_get

from . import availability as engine
from .models import (
    ACTIVE_STATUSES,
    MAX_VISIT_SPAN,
    Appointment,
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Location,
    Therapist,
    TimeOff,
    WorkingHours,
    manage_token_hash,
)

PRIMARY_LOCATION_CACHE_KEY = "scheduling:primary-location"


def location_get_primary() -> Location | None:
    """Return the location the public site presents, with its opening hours, cached.

    The cached copy serves only while the ``content`` generation it was read at is current, so
    an edit to the clinic or its hours shows at once on every app server: one query when
    cached, three when not.
    """
    generation = generation_get(CONTENT)
    cached = cache.get(PRIMARY_LOCATION_CACHE_KEY)
    if isinstance(cached, tuple) and cached[0] == generation:
        return cast("Location", cached[1])
    location = Location.objects.prefetch_related("opening_hours").first()
    if location is not None and generation.cacheable:
        # Evaluate the prefetch now so the cached object carries its hours.
        list(location.opening_hours.all())
        cache.set(PRIMARY_LOCATION_CACHE_KEY, (generation, location), timeout=300)
    return location


def therapist_list_public() -> QuerySet[Therapist]:
    """Return the therapists shown on the public site."""
    return Therapist.objects.filter(is_public=True, user__is_active=True).select_related("location")


# --- Booking -----------------------------------------------------------------------------------

# Rows a day either side of the range are loaded too: a slot's buffer may run past midnight and
# a late appointment's buffer may reach into the first day.
_MARGIN = dt.timedelta(days=1)


def booking_rules_get(*, location: Location) -> BookingRules:
    """Return the location's booking rules, or an unsaved row of defaults when it has none."""
    rules = BookingRules.objects.filter(location=location).first()
    return rules if rules is not None else BookingRules(location=location)


def booking_rules_for_engine(rules: BookingRules) -> engine.BookingRules:
    """Return the engine's view of a location's booking rules."""
    return engine.BookingRules(
        min_notice=dt.timedelta(minutes=rules.min_notice_minutes),
        horizon_days=rules.horizon_days,
        slot_step_minutes=rules.slot_step_minutes,
    )


def _local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


@dataclass(frozen=True)
class LocationAvailability:
    """What the engine needs for the therapists of one location: zone, rules, schedules."""

    location: Location
    tz: zoneinfo.ZoneInfo
    rules: engine.BookingRules
    schedules: list[engine.TherapistSchedule]


def availability_inputs_load(
    *,
    therapists: Sequence[Therapist],
    first_day: dt.date,
    last_day: dt.date,
    exclude_appointment_id: int | None = None,
) -> list[LocationAvailability]:
    """Load what the engine needs for ``therapists`` (with their locations) on local dates.

    One entry per location, in the order the therapists come. Runs five queries whatever the
    range and the number of therapists and locations: working hours, time off, closures,
    active appointments (each busy until its own ``buffer_end``) and booking rules.
    ``exclude_appointment_id`` leaves one appointment out of ``busy`` (for rescheduling it).
    """
    groups: dict[int, tuple[Location, list[int]]] = {}
    for therapist in therapists:
        groups.setdefault(therapist.location_id, (therapist.location, []))[1].append(therapist.pk)
    return _inputs_load(
        groups,
        first_day=first_day,
        last_day=last_day,
        exclude_appointment_id=exclude_appointment_id,
    )


def _inputs_load(
    groups: dict[int, tuple[Location, list[int]]],
    *,
    first_day: dt.date,
    last_day: dt.date,
    exclude_appointment_id: int | None,
) -> list[LocationAvailability]:
    """Load the engine's inputs for each location's therapist ids (five queries)."""
    if not groups:
        return []
    locations = {location_id: location for location_id, (location, _) in groups.items()}
    ids = [pk for _, therapist_ids in groups.values() for pk in therapist_ids]
    # The union of every location's range of instants; the engine cuts each to its own dates.
    range_start = min(_local_midnight(first_day, loc.tzinfo) for loc in locations.values())
    range_end = max(
        _local_midnight(last_day + dt.timedelta(days=1), loc.tzinfo) for loc in locations.values()
    )
    range_start, range_end = range_start - _MARGIN, range_end + _MARGIN

    periods: dict[int, list[engine.WorkingPeriod]] = defaultdict(list)
    for therapist_id, weekday, opens, closes in (
        WorkingHours.objects.filter(therapist_id__in=ids)
        .order_by()
        .values_list("therapist_id", "weekday", "start", "end")
    ):
        periods[therapist_id].append(engine.WorkingPeriod(weekday=weekday, start=opens, end=closes))

    unavailable: dict[int, list[engine.Interval]] = defaultdict(list)
    for therapist_id, start, end in (
        TimeOff.objects.filter(therapist_id__in=ids, start__lt=range_end, end__gt=range_start)
        .order_by()
        .values_list("therapist_id", "start", "end")
    ):
        unavailable[therapist_id].append(engine.Interval(start, end))

    closures: dict[int, list[engine.Interval]] = defaultdict(list)
    for location_id, day in (
        ClinicClosure.objects.filter(
            location_id__in=list(locations),
            date__gte=first_day - dt.timedelta(days=1),
            date__lte=last_day + dt.timedelta(days=1),
        )
        .order_by()
        .values_list("location_id", "date")
    ):
        tz = locations[location_id].tzinfo
        closures[location_id].append(
            engine.Interval(
                _local_midnight(day, tz), _local_midnight(day + dt.timedelta(days=1), tz)
            )
        )

    busy: dict[int, list[engine.Interval]] = defaultdict(list)
    appointments = Appointment.objects.filter(
        therapist_id__in=ids,
        status__in=ACTIVE_STATUSES,
        start__lt=range_end,
        buffer_end__gt=range_start,
        # No visit lasts longer (AppointmentType's constraint), so the index on (therapist,
        # start) reads only the range, however long the clinic's history.
        start__gte=range_start - MAX_VISIT_SPAN,
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    for therapist_id, start, buffer_end in appointments.order_by().values_list(
        "therapist_id", "start", "buffer_end"
    ):
        busy[therapist_id].append(engine.Interval(start, buffer_end))

    rules = {
        row.location_id: row for row in BookingRules.objects.filter(location_id__in=list(locations))
    }
    return [
        LocationAvailability(
            location=location,
            tz=location.tzinfo,
            rules=booking_rules_for_engine(
                rules.get(location_id) or BookingRules(location=location)
            ),
            schedules=[
                engine.TherapistSchedule(
                    therapist_id=therapist_id,
                    periods=tuple(periods[therapist_id]),
                    unavailable=(*unavailable[therapist_id], *closures[location_id]),
                    busy=tuple(busy[therapist_id]),
                )
                for therapist_id in therapist_ids
            ],
        )
        for location_id, (location, therapist_ids) in groups.items()
    ]


def availability_inputs_get(
    *,
    location: Location,
    therapists: Iterable[Therapist],
    first_day: dt.date,
    last_day: dt.date,
    exclude_appointment_id: int | None = None,
) -> tuple[zoneinfo.ZoneInfo, engine.BookingRules, list[engine.TherapistSchedule]]:
    """Load what the engine needs for therapists of ``location`` on its local dates.

    Five queries whatever the range and the number of therapists.
    """
    (inputs,) = _inputs_load(
        {location.pk: (location, [t.pk for t in therapists])},
        first_day=first_day,
        last_day=last_day,
        exclude_appointment_id=exclude_appointment_id,
    )
    return inputs.tz, inputs.rules, inputs.schedules


def therapist_list_bookable(
    *,
    appointment_type: AppointmentType,
    therapist: Therapist | None = None,
    location: Location | None = None,
) -> QuerySet[Therapist]:
    """Return the public, active therapists who offer the type online, with their locations."""
    therapists = Therapist.objects.filter(
        appointment_types=appointment_type, is_public=True, user__is_active=True
    ).select_related("location")
    if therapist is not None:
        therapists = therapists.filter(pk=therapist.pk)
    if location is not None:
        therapists = therapists.filter(location=location)
    return therapists


@dataclass(frozen=True)
class SlotListing:
    """Free slots, and the moment time passing alone may change them (None: never)."""

    slots: list[engine.Slot]
    valid_until: dt.datetime | None


def slot_listing_get(
    *,
    appointment_type: AppointmentType,
    first_day: dt.date,
    last_day: dt.date,
    therapists: Sequence[Therapist],
    now: dt.datetime | None = None,
) -> SlotListing:
    """Return the online slots of ``therapists`` (bookable for the type, with their locations).

    Sorted by start instant, then therapist; ``first_day`` and ``last_day`` are local dates of
    each location. Five queries whatever the range, the therapists and their locations.
    """
    now = now if now is not None else timezone.now()
    valid_until: dt.datetime | None = None
    if not appointment_type.bookable_online or first_day > last_day or not therapists:
        return SlotListing(slots=[], valid_until=valid_until)
    slots: list[engine.Slot] = []
    loaded = availability_inputs_load(therapists=therapists, first_day=first_day, last_day=last_day)
    for inputs in loaded:
        found = engine.slot_list(
            schedules=inputs.schedules,
            tz=inputs.tz,
            first_day=first_day,
            last_day=last_day,
            duration=appointment_type.duration,
            buffer_after=appointment_type.buffer_after,
            rules=inputs.rules,
            now=now,
        )
        changes_at = engine.slots_valid_until(found, tz=inputs.tz, rules=inputs.rules, now=now)
        valid_until = changes_at if valid_until is None else min(valid_until, changes_at)
        slots += found
    if len(loaded) > 1:
        slots.sort(key=lambda slot: (slot.start.astimezone(dt.UTC), slot.therapist_id))
    return SlotListing(slots=slots, valid_until=valid_until)


def slot_list_available(
    *,
    appointment_type: AppointmentType,
    first_day: dt.date,
    last_day: dt.date,
    therapist: Therapist | None = None,
    location: Location | None = None,
    now: dt.datetime | None = None,
) -> list[engine.Slot]:
    """Return the slots patients may book online for a type, sorted by start, then therapist.

    ``first_day`` and ``last_day`` are local dates of each location. Without ``therapist``
    every therapist offering the type is included ("any therapist"). Runs one query for the
    therapists plus five, whatever the range and the number of therapists and locations.
    """
    if not appointment_type.bookable_online or first_day > last_day:
        return []
    therapists = list(
        therapist_list_bookable(
            appointment_type=appointment_type, therapist=therapist, location=location
        )
    )
    return slot_listing_get(
        appointment_type=appointment_type,
        first_day=first_day,
        last_day=last_day,
        therapists=therapists,
        now=now,
    ).slots


def patient_is_new(*, patient: User) -> bool:
    """Return whether the patient has never held an appointment (cancelled ones do not count)."""
    return not Appointment.objects.filter(patient=patient, status__in=ACTIVE_STATUSES).exists()


def appointment_type_list_online() -> QuerySet[AppointmentType]:
    """Return the types patients may book online, in the clinic's order."""
    return AppointmentType.objects.filter(bookable_online=True)


def insurance_plan_list_active() -> QuerySet[InsurancePlan]:
    """Return the insurance plans a patient may choose when booking."""
    return InsurancePlan.objects.filter(is_active=True)


def _appointment_queryset() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "therapist", "appointment_type", "location", "insurance_plan", "patient"
    )


def appointment_get_for_patient(*, patient: User, pk: int) -> Appointment:
    """Return one of the patient's own appointments.

    Raises ``Appointment.DoesNotExist`` alike for a missing row and for another patient's.
    """
    return _appointment_queryset().get(patient=patient, pk=pk)


def appointment_get_by_token(*, token: str) -> Appointment:
    """Return the appointment a manage link's token opens.

    Raises ``Appointment.DoesNotExist`` for an unknown token. Only the token's SHA-256 is stored
    and compared, so a database leak does not reveal working links.
    """
    if not token:
        raise Appointment.DoesNotExist
    return _appointment_queryset().get(manage_token_hash=manage_token_hash(token))


def appointment_list_for_patient(
    *, patient: User, upcoming: bool = True, now: dt.datetime | None = None
) -> QuerySet[Appointment]:
    """Return the patient's appointments: upcoming active ones by default, else past ones."""
    now = now if now is not None else timezone.now()
    appointments = _appointment_queryset().filter(patient=patient)
    if upcoming:
        return appointments.filter(status__in=ACTIVE_STATUSES, end__gt=now).order_by("start")
    return appointments.filter(end__lte=now).order_by("-start")


def therapist_list_free_at(
    *,
    appointment_type: AppointmentType,
    start: dt.datetime,
    location: Location,
    therapist: Therapist | None = None,
    exclude_appointment_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[Therapist], str | None]:
    """Return who may take ``appointment_type`` online at ``start``, least booked that day first.

    Serves "any therapist": each bookable therapist of ``location`` (or only ``therapist``) is
    checked with the engine's own rule; ties keep the therapists' order. When nobody is free the
    second item is the reason of whoever came closest (``availability.REASONS`` order), so a
    taken time reads BUSY and a time never offered OFF_GRID or OUTSIDE_HOURS.
    """
    now = now if now is not None else timezone.now()
    therapists = list(
        therapist_list_bookable(
            appointment_type=appointment_type, therapist=therapist, location=location
        )
    )
    if not therapists or not appointment_type.bookable_online:
        return [], engine.OUTSIDE_HOURS
    day = start.astimezone(location.tzinfo).date()
    tz, rules, schedules = availability_inputs_get(
        location=location,
        therapists=therapists,
        first_day=day,
        last_day=day,
        exclude_appointment_id=exclude_appointment_id,
    )
    reasons = {
        schedule.therapist_id: engine.slot_is_available(
            schedule=schedule,
            tz=tz,
            start=start,
            duration=appointment_type.duration,
            buffer_after=appointment_type.buffer_after,
            rules=rules,
            now=now,
        ).reason
        for schedule in schedules
    }
    free = [t for t in therapists if reasons[t.pk] is None]
    if not free:
        return [], max((r for r in reasons.values() if r), key=engine.REASONS.index)
    booked: dict[int, int] = defaultdict(int)
    for therapist_id in Appointment.objects.filter(
        therapist__in=free,
        status__in=ACTIVE_STATUSES,
        start__gte=_local_midnight(day, tz),
        start__lt=_local_midnight(day + dt.timedelta(days=1), tz),
    ).values_list("therapist_id", flat=True):
        booked[therapist_id] += 1
    free.sort(key=lambda t: booked[t.pk])
    return free, None


def appointment_get_by_idempotency_key(
    *, patient: User, idempotency_key: str
) -> Appointment | None:
    """Return the patient's appointment booked with ``idempotency_key``, or None."""
    return _appointment_queryset().filter(patient=patient, idempotency_key=idempotency_key).first()
