"""Compute bookable appointment slots from working hours, time off and existing appointments.

Pure domain logic: no Django and no database. A selector loads the rows, turns them into the
dataclasses below and calls :func:`slot_list`; the booking service re-checks one requested
start with :func:`slot_is_available`, which agrees exactly with :func:`therapist_slots`.

Time semantics:

* ``Interval`` bounds, ``now`` and ``start`` are aware datetimes in any zone, compared as
  instants. Internally everything is converted to UTC first, because Python compares (and adds
  to) two datetimes that share a ``tzinfo`` by wall clock, ignoring ``fold``.
* Working periods are local wall-clock times. The grid is ``period.start + k * step`` in wall
  time on each local date, converted with the location's zone, so a 09:00 slot is at 09:00 local
  on both sides of a daylight-saving change. A slot's end is ``start + duration`` of real
  elapsed time.
* Wall times that do not exist (the spring-forward gap) are not grid starts. Ambiguous wall
  times (the hour repeated at fall-back) mean their first occurrence (``fold=0``); the second
  occurrence of that hour has no grid starts.
* A period runs from the first instant whose wall clock reads at or after its start to the
  first instant whose wall clock reads at or after its end. For a bound inside the
  spring-forward gap that is the instant of the transition.
* A slot lies entirely inside one working period of its local date: it never spans a break,
  nor the join of two adjacent periods.
* The new appointment's own buffer, ``[end, end + buffer_after)``, must not overlap ``busy`` or
  ``unavailable`` so the next patient is not squeezed, but it may run past the end of the
  working period: the buffer is turnover time (notes, cleaning) that needs no patient-facing
  hours, and forbidding it would drop the last slot before every break and at the end of day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "BEYOND_HORIZON",
    "BUSY",
    "IN_PAST",
    "OFF_GRID",
    "OUTSIDE_HOURS",
    "REASONS",
    "TOO_SOON",
    "UNAVAILABLE",
    "BookingRules",
    "Interval",
    "Slot",
    "SlotCheck",
    "TherapistSchedule",
    "WorkingPeriod",
    "slot_is_available",
    "slot_list",
    "slots_valid_until",
    "therapist_slots",
]

# Reasons slot_is_available gives, in the order it checks them.
IN_PAST = "in_past"
TOO_SOON = "too_soon"
BEYOND_HORIZON = "beyond_horizon"
OUTSIDE_HOURS = "outside_hours"
OFF_GRID = "off_grid"
UNAVAILABLE = "unavailable"
BUSY = "busy"
REASONS = (IN_PAST, TOO_SOON, BEYOND_HORIZON, OUTSIDE_HOURS, OFF_GRID, UNAVAILABLE, BUSY)

_ONE_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time ``[start, end)`` between two aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        if self.end.astimezone(UTC) < self.start.astimezone(UTC):
            raise ValueError(f"Interval ends before it starts: {self.start!r} > {self.end!r}")


@dataclass(frozen=True, slots=True)
class WorkingPeriod:
    """One weekly working period in local wall-clock time; breaks are the gaps between periods.

    Periods do not cross midnight: ``start < end`` on the same day (0 = Monday ... 6 = Sunday).
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("WorkingPeriod times are local wall-clock times; pass naive times")
        if self.start >= self.end:
            raise ValueError(f"WorkingPeriod must start before it ends: {self.start}-{self.end}")


@dataclass(frozen=True, slots=True)
class BookingRules:
    """How far ahead patients may book and where slots may start."""

    min_notice: timedelta
    horizon_days: int
    slot_step_minutes: int

    def __post_init__(self) -> None:
        if self.min_notice < timedelta(0):
            raise ValueError(f"min_notice must not be negative, got {self.min_notice}")
        if self.horizon_days < 0:
            raise ValueError(f"horizon_days must not be negative, got {self.horizon_days}")
        if self.slot_step_minutes <= 0:
            raise ValueError(f"slot_step_minutes must be positive, got {self.slot_step_minutes}")


@dataclass(frozen=True, slots=True)
class TherapistSchedule:
    """A therapist's weekly hours and everything that blocks them.

    ``busy`` holds existing active appointments, each already extended by its own buffer.
    """

    therapist_id: int
    periods: tuple[WorkingPeriod, ...]
    unavailable: tuple[Interval, ...]
    busy: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable start for one therapist; ``start`` and ``end`` are in the location's zone."""

    therapist_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """The answer to "may this slot be booked?"; ``reason`` is one of ``REASONS`` when not ok."""

    ok: bool
    reason: str | None = None


_OK = SlotCheck(ok=True)


class _Blockers:
    """Intervals sorted once, answering "does ``[start, end)`` overlap any?" by bisection."""

    __slots__ = ("_max_ends", "_starts")

    def __init__(self, intervals: Iterable[Interval]) -> None:
        spans = sorted(
            (interval.start.astimezone(UTC), interval.end.astimezone(UTC)) for interval in intervals
        )
        self._starts: list[datetime] = []
        # _max_ends[i] is the latest end among the first i + 1 intervals.
        self._max_ends: list[datetime] = []
        for start, end in spans:
            if start == end:
                continue  # An empty interval overlaps nothing.
            self._starts.append(start)
            self._max_ends.append(max(end, self._max_ends[-1]) if self._max_ends else end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Intervals [0, i) start before `end`; one of them overlaps iff it ends after `start`.
        i = bisect_left(self._starts, end)
        return i > 0 and self._max_ends[i - 1] > start


def _existing_instant(wall: datetime, tz: tzinfo) -> datetime | None:
    """Return the UTC instant of naive local ``wall`` (first occurrence), or None in a gap."""
    instant = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None, fold=0) != wall:
        return None
    return instant


def _wall_of(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def _bound_instant(wall: datetime, tz: tzinfo) -> datetime:
    """Return the first UTC instant whose local wall clock reads ``wall`` or later."""
    instant = _existing_instant(wall, tz)
    if instant is not None:
        return instant
    # `wall` is in a gap: read with the offset after the jump it falls before the transition,
    # read with the offset before the jump it falls after it. Bisect for the transition; zone
    # transitions fall on whole seconds.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    lo = (before - _EPOCH) // _ONE_SECOND
    hi = -((_EPOCH - after) // _ONE_SECOND)  # ceiling
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall_of(_EPOCH + mid * _ONE_SECOND, tz) >= wall:
            hi = mid
        else:
            lo = mid
    return _EPOCH + hi * _ONE_SECOND


def _validate(
    *, duration: timedelta, buffer_after: timedelta, now: datetime, rules: BookingRules
) -> None:
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {duration}")
    if buffer_after < timedelta(0):
        raise ValueError(f"buffer_after must not be negative, got {buffer_after}")
    if rules.slot_step_minutes <= 0:
        raise ValueError(f"slot_step_minutes must be positive, got {rules.slot_step_minutes}")
    _require_aware(now, "now")


def _last_bookable_day(now: datetime, tz: tzinfo, rules: BookingRules) -> date:
    today = now.astimezone(tz).date()
    return today + timedelta(days=min(rules.horizon_days, (date.max - today).days))


def _periods_by_weekday(periods: Iterable[WorkingPeriod]) -> list[list[WorkingPeriod]]:
    by_weekday: list[list[WorkingPeriod]] = [[] for _ in range(7)]
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        by_weekday[period.weekday].append(period)
    return by_weekday


def _period_bounds(day: date, period: WorkingPeriod, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the UTC instants where ``period`` starts and ends on ``day``."""
    return (
        _bound_instant(datetime.combine(day, period.start), tz),
        _bound_instant(datetime.combine(day, period.end), tz),
    )


def _day_candidates(
    day: date, periods: Sequence[WorkingPeriod], tz: tzinfo, duration: timedelta, step: timedelta
) -> list[datetime]:
    """Return the sorted UTC starts on ``day`` that are on a period's grid and fit inside it."""
    starts: set[datetime] = set()
    for period in periods:
        _, period_end = _period_bounds(day, period, tz)
        wall = datetime.combine(day, period.start)
        wall_end = datetime.combine(day, period.end)
        while wall < wall_end:
            start = _existing_instant(wall, tz)
            if start is not None:
                # Wall-to-instant is increasing for first occurrences, so once one start
                # overruns the period every later one does too.
                if start + duration > period_end:
                    break
                starts.add(start)
            wall += step
    return sorted(starts)


@lru_cache(maxsize=4096)
def _day_grid(
    day: date, periods: tuple[WorkingPeriod, ...], tz: tzinfo, duration: timedelta, step: timedelta
) -> tuple[tuple[datetime, datetime, datetime, datetime], ...]:
    """Return ``_day_candidates`` as (UTC start, UTC end, local start, local end), memoised.

    Therapists of one clinic mostly share their hours, and the same days are asked for again
    and again: the time zone arithmetic is done once per day and set of periods.
    """
    return tuple(
        (start, start + duration, start.astimezone(tz), (start + duration).astimezone(tz))
        for start in _day_candidates(day, periods, tz, duration, step)
    )


def therapist_slots(
    *,
    schedule: TherapistSchedule,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    duration: timedelta,
    buffer_after: timedelta,
    rules: BookingRules,
    now: datetime,
) -> list[Slot]:
    """Return one therapist's bookable slots on local dates ``first_day``..``last_day``, sorted.

    A slot starts on a period's grid, fits inside that period, starts no earlier than
    ``now + rules.min_notice`` and no later than ``rules.horizon_days`` local dates after
    today, and neither it nor its own ``buffer_after`` overlaps ``busy`` or ``unavailable``.
    Cost is linear in the candidate starts (times a log factor) plus sorting the blockers once.
    """
    _validate(duration=duration, buffer_after=buffer_after, now=now, rules=rules)
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    now_utc = now.astimezone(UTC)
    earliest = now_utc + rules.min_notice
    # Local dates before today hold only past starts.
    day = max(first_day, now_utc.astimezone(tz).date())
    last = min(last_day, _last_bookable_day(now_utc, tz, rules))
    if day > last:
        return []
    by_weekday = [tuple(periods) for periods in _periods_by_weekday(schedule.periods)]
    blockers = _Blockers((*schedule.busy, *schedule.unavailable))
    step = timedelta(minutes=rules.slot_step_minutes)
    slots: list[Slot] = []
    while day <= last:
        periods = by_weekday[day.weekday()]
        if periods:
            for start, end, local_start, local_end in _day_grid(day, periods, tz, duration, step):
                if start < earliest:
                    continue
                if blockers.overlaps(start, end + buffer_after):
                    continue
                slots.append(Slot(schedule.therapist_id, local_start, local_end))
        if day == date.max:
            break
        day += timedelta(days=1)
    return slots


def slot_list(
    *,
    schedules: Iterable[TherapistSchedule],
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    duration: timedelta,
    buffer_after: timedelta,
    rules: BookingRules,
    now: datetime,
) -> list[Slot]:
    """Return every therapist's bookable slots, sorted by start instant, then therapist id."""
    _validate(duration=duration, buffer_after=buffer_after, now=now, rules=rules)
    slots = [
        slot
        for schedule in schedules
        for slot in therapist_slots(
            schedule=schedule,
            tz=tz,
            first_day=first_day,
            last_day=last_day,
            duration=duration,
            buffer_after=buffer_after,
            rules=rules,
            now=now,
        )
    ]
    slots.sort(key=lambda slot: (slot.start.astimezone(UTC), slot.therapist_id))
    return slots


def slot_is_available(
    *,
    schedule: TherapistSchedule,
    tz: ZoneInfo,
    start: datetime,
    duration: timedelta,
    buffer_after: timedelta,
    rules: BookingRules,
    now: datetime,
) -> SlotCheck:
    """Check one requested start, agreeing exactly with :func:`therapist_slots` for its day.

    Reasons are checked in the order of ``REASONS``; the first that applies is returned.
    """
    _validate(duration=duration, buffer_after=buffer_after, now=now, rules=rules)
    _require_aware(start, "start")
    now_utc = now.astimezone(UTC)
    start_utc = start.astimezone(UTC)
    if start_utc < now_utc:
        return SlotCheck(ok=False, reason=IN_PAST)
    if start_utc < now_utc + rules.min_notice:
        return SlotCheck(ok=False, reason=TOO_SOON)
    day = start_utc.astimezone(tz).date()
    if day > _last_bookable_day(now_utc, tz, rules):
        return SlotCheck(ok=False, reason=BEYOND_HORIZON)

    end_utc = start_utc + duration
    containing = []
    for period in _periods_by_weekday(schedule.periods)[day.weekday()]:
        period_start, period_end = _period_bounds(day, period, tz)
        if period_start <= start_utc and end_utc <= period_end:
            containing.append(period)
    if not containing:
        return SlotCheck(ok=False, reason=OUTSIDE_HOURS)

    wall = _wall_of(start_utc, tz)
    step = timedelta(minutes=rules.slot_step_minutes)
    offsets = (wall - datetime.combine(day, period.start) for period in containing)
    on_grid = any(offset >= timedelta(0) and offset % step == timedelta(0) for offset in offsets)
    # A wall time on the grid is a grid start only in its first occurrence.
    if not on_grid or _existing_instant(wall, tz) != start_utc:
        return SlotCheck(ok=False, reason=OFF_GRID)

    blocked_until = end_utc + buffer_after
    if _Blockers(schedule.unavailable).overlaps(start_utc, blocked_until):
        return SlotCheck(ok=False, reason=UNAVAILABLE)
    if _Blockers(schedule.busy).overlaps(start_utc, blocked_until):
        return SlotCheck(ok=False, reason=BUSY)
    return _OK


def slots_valid_until(
    slots: Sequence[Slot], *, tz: ZoneInfo, rules: BookingRules, now: datetime
) -> datetime:
    """Return until when time passing alone cannot change :func:`slot_list`'s answer.

    ``slots`` is that answer for one zone and its rules at ``now``; it holds at every instant
    before the returned one. Until the next local midnight "today" (and so the first bookable
    date and the horizon) stays the same, and a listed slot drops out only once
    ``now + rules.min_notice`` passes its start: the earliest listed start minus the notice.
    Slots not listed because they were too soon never return.
    """
    _require_aware(now, "now")
    today = now.astimezone(tz).date()
    changes_at = _bound_instant(datetime.combine(today + timedelta(days=1), time(0)), tz)
    if slots:
        earliest = min(slot.start.astimezone(UTC) for slot in slots)
        changes_at = min(changes_at, earliest - rules.min_notice)
    return changes_at
