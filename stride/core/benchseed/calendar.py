"""The bench calendar: a year of past visits and the booking horizon ahead, never overlapping.

Each therapist-day (a working weekday that is not a clinic closure) gets the same share of the
appointments. A day's visits are laid out on the 15-minute grid inside the working periods with
random gaps, each visit keeping its type's buffer free, so no two active visits of a therapist
overlap (the database's guard would refuse them) and the availability engine still finds free
time between them.

``churn`` adds cancelled rows to every therapist-day: a slot booked, cancelled and booked again
leaves such rows, and the clinic keeps them. They hold no time, so the overlap guard allows them
on top of the active visits; ``--scale N`` uses them to put N times the appointment rows in each
therapist-day without changing the free time (see ``seed.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stride.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ClinicClosure,
    Therapist,
)

from .clinic import WORKING_DAYS, WORKING_PERIODS
from .rows import rows_insert

GRID_MINUTES = 15
# How often each kind of visit is booked (by slug); other types are not used.
TYPE_WEIGHTS = {"initial-evaluation": 2, "follow-up": 5, "short-follow-up": 3}
# What became of past and future visits (weights).
PAST_OUTCOMES = {
    AppointmentStatus.COMPLETED: 88,
    AppointmentStatus.NO_SHOW: 3,
    AppointmentStatus.CANCELLED: 7,
    AppointmentStatus.LATE_CANCELLED: 2,
}
FUTURE_OUTCOMES = {AppointmentStatus.CONFIRMED: 92, AppointmentStatus.CANCELLED: 8}
CHURN_OUTCOMES = {AppointmentStatus.CANCELLED: 4, AppointmentStatus.LATE_CANCELLED: 1}


class CapacityError(ValueError):
    """More visits were asked for in a therapist-day than its working hours hold."""


@dataclass(frozen=True)
class _Kind:
    appointment_type: AppointmentType
    units: int  # grid units the visit and its buffer take


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


# (first minute of the day, length in grid units) of each working period.
PERIODS = [
    (_minutes(start), (_minutes(end) - _minutes(start)) // GRID_MINUTES)
    for start, end in WORKING_PERIODS
]


def therapist_days(
    *, therapists: Sequence[Therapist], first: dt.date, last: dt.date
) -> list[tuple[Therapist, dt.date]]:
    """Return each (therapist, local date) in ``first``..``last`` that is a working day, latest first.

    Latest first because the SQLite overlap trigger checks each new row against the rows of the
    therapist that start before it ends: inserting the newest first keeps that check short.
    """
    closed = set(
        ClinicClosure.objects.filter(date__gte=first, date__lte=last).values_list(
            "location_id", "date"
        )
    )
    days = []
    day = last
    while day >= first:
        if day.weekday() in WORKING_DAYS:
            days += [(t, day) for t in therapists if (t.location_id, day) not in closed]
        day -= dt.timedelta(days=1)
    return days


def spread(total: int, buckets: int, rng: random.Random) -> list[int]:
    """Return ``buckets`` counts summing to ``total``, as even as possible, extras at random."""
    if buckets == 0:
        return []
    counts = [total // buckets] * buckets
    for index in rng.sample(range(buckets), total % buckets):
        counts[index] += 1
    return counts


def day_layout(
    rng: random.Random, kinds: Sequence[_Kind], weights: Sequence[int], count: int
) -> list[tuple[int, _Kind]]:
    """Return ``count`` non-overlapping visits as (minute of the day, kind), on the grid.

    Raises CapacityError when they cannot fit in the working periods.
    """
    chosen = rng.choices(kinds, weights=weights, k=count)
    free = [length for _, length in PERIODS]
    placed: list[list[_Kind]] = [[] for _ in PERIODS]
    for kind in sorted(chosen, key=lambda k: -k.units):
        fits = [i for i, room in enumerate(free) if room >= kind.units]
        if not fits:
            raise CapacityError(f"{count} visits do not fit in one therapist-day")
        period = rng.choices(fits, weights=[free[i] for i in fits])[0]
        placed[period].append(kind)
        free[period] -= kind.units
    layout = []
    for (first_minute, _), visits, slack in zip(PERIODS, placed, free, strict=True):
        rng.shuffle(visits)
        gaps = [0] * (len(visits) + 1)
        for _ in range(slack):
            gaps[rng.randrange(len(gaps))] += 1
        unit = 0
        for gap, kind in zip(gaps, visits, strict=False):
            unit += gap
            layout.append((first_minute + unit * GRID_MINUTES, kind))
            unit += kind.units
    return layout


def _churn_layout(
    rng: random.Random, kinds: Sequence[_Kind], count: int
) -> list[tuple[int, _Kind]]:
    """Return ``count`` visits anywhere on the grid inside the periods (overlaps allowed)."""
    layout = []
    for kind in rng.choices(kinds, k=count):
        candidates = [
            first_minute + unit * GRID_MINUTES
            for first_minute, length in PERIODS
            for unit in range(length - kind.units + 1)
        ]
        layout.append((rng.choice(candidates), kind))
    return layout


def _token_hash(sequence: int) -> str:
    # A unique, deterministic stand-in: no manage link of a bench visit is ever used.
    return hashlib.sha256(f"stride-bench-appointment-{sequence}".encode()).hexdigest()


@dataclass
class CalendarResult:
    rows: int = 0
    active: int = 0
    therapist_days: int = 0


FIELDS = (
    "therapist_id",
    "appointment_type_id",
    "location_id",
    "patient_id",
    "start",
    "end",
    "buffer_end",
    "status",
    "reason",
    "has_referral",
    "red_flags",
    "manage_token_hash",
    "cancelled_at",
    "reminder_sent_at",
    "created_at",
    "updated_at",
)


def appointments_create(
    *,
    therapists: Sequence[Therapist],
    types: Sequence[AppointmentType],
    patients_by_therapist: dict[int, list[int]],
    base_patients: Sequence[int],
    churn_by_therapist: dict[int, list[int]],
    churn_patients: Sequence[int],
    count: int,
    churn: int,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    rng: random.Random,
    churn_rng: random.Random,
) -> CalendarResult:
    """Insert ``count`` appointments over the therapist-days of ``first``..``last``, and
    ``churn`` cancelled rows for each of them in the same day; return what was inserted.

    Nine in ten visits are with one of the therapist's own patients, the rest with anyone; the
    churn rows likewise, with the patients added at scale (so a therapist's list grows with it).
    """
    by_slug = {t.slug: t for t in types}
    kinds = [
        _Kind(t, -(-(t.duration_minutes + t.buffer_after_minutes) // GRID_MINUTES))
        for slug in TYPE_WEIGHTS
        if (t := by_slug.get(slug)) is not None
    ]
    weights = [TYPE_WEIGHTS[k.appointment_type.slug] for k in kinds]
    zones = {t.pk: t.location.tzinfo for t in therapists}
    days = therapist_days(therapists=therapists, first=first, last=last)
    result = CalendarResult(therapist_days=len(days))
    rows: list[tuple[Any, ...]] = []
    for (therapist, day), visits in zip(days, spread(count, len(days), rng), strict=True):
        own = patients_by_therapist.get(therapist.pk) or base_patients
        layout = [(m, k, False) for m, k in day_layout(rng, kinds, weights, visits)]
        layout += [(m, k, True) for m, k in _churn_layout(churn_rng, kinds, visits * churn)]
        for minute, kind, churned in layout:
            local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
            start = local.replace(tzinfo=zones[therapist.pk]).astimezone(dt.UTC)
            if churned:
                theirs = churn_by_therapist.get(therapist.pk) or churn_patients
                patient = churn_rng.choice(churn_patients if churn_rng.random() < 0.1 else theirs)
            else:
                patient = rng.choice(base_patients if rng.random() < 0.1 else own)
            row = _row(
                therapist=therapist,
                kind=kind,
                start=start,
                patient=patient,
                churned=churned,
                now=now,
                rng=churn_rng if churned else rng,
                sequence=result.rows + len(rows),
            )
            result.active += row[7] in ACTIVE_STATUSES
            rows.append(row)
    result.rows = rows_insert(Appointment, FIELDS, rows)
    return result


def _weighted(rng: random.Random, outcomes: dict[AppointmentStatus, int]) -> AppointmentStatus:
    return rng.choices(list(outcomes), weights=list(outcomes.values()))[0]


def _row(
    *,
    therapist: Therapist,
    kind: _Kind,
    start: dt.datetime,
    patient: int,
    churned: bool,
    now: dt.datetime,
    rng: random.Random,
    sequence: int,
) -> tuple[Any, ...]:
    """Return one appointment's values in the order of ``FIELDS``."""
    appointment_type = kind.appointment_type
    end = start + appointment_type.duration
    if churned:
        status = _weighted(rng, CHURN_OUTCOMES)
    else:
        status = _weighted(rng, PAST_OUTCOMES if end <= now else FUTURE_OUTCOMES)
    cancelled = status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)
    reminder = start - dt.timedelta(hours=24)
    return (
        therapist.pk,
        appointment_type.pk,
        therapist.location_id,
        patient,
        start,
        end,
        end + appointment_type.buffer_after,
        status,
        "",
        False,
        [],
        _token_hash(sequence),
        start - dt.timedelta(days=rng.randint(1, 10)) if cancelled else None,
        reminder if not cancelled and reminder < now else None,
        now,
        now,
    )
