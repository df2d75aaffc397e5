"""Properties of the availability engine, checked against a brute-force oracle with Hypothesis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from stride.scheduling.availability import (
    REASONS,
    BookingRules,
    Interval,
    Slot,
    TherapistSchedule,
    WorkingPeriod,
    slot_is_available,
    slot_list,
    slots_valid_until,
    therapist_slots,
)

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
# Each zone with its 2026 clock changes.
ZONES = {
    ZoneInfo("America/New_York"): (date(2026, 3, 8), date(2026, 11, 1)),
    ZoneInfo("Europe/London"): (date(2026, 3, 29), date(2026, 10, 25)),
    ZoneInfo("Australia/Lord_Howe"): (date(2026, 4, 5), date(2026, 10, 4)),  # 30-minute shift
    ZoneInfo("UTC"): (),
}
CHANGING_ZONES = [tz for tz, changes in ZONES.items() if changes]
any_day = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))


@dataclass(frozen=True)
class Case:
    tz: ZoneInfo
    first_day: date
    last_day: date
    schedules: tuple[TherapistSchedule, ...]
    rules: BookingRules
    duration: timedelta
    buffer_after: timedelta
    now: datetime

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)


def clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def periods(draw, first_day: date, span: int, small_hours: bool) -> WorkingPeriod:
    day = first_day + draw(st.integers(0, span)) * DAY
    start = draw(st.integers(0, 3 * 60) if small_hours else st.integers(0, 24 * 60 - 2))
    if small_hours:
        end = start + draw(st.integers(30, 4 * 60))
    else:
        end = draw(st.integers(start + 1, min(24 * 60 - 1, start + 10 * 60)))
    return WorkingPeriod(day.weekday(), clock(start), clock(end))


@st.composite
def intervals(draw, tz: ZoneInfo, origin: datetime, span: int) -> Interval:
    start = origin + draw(st.integers(-3 * 60, (span + 1) * 24 * 60 + 3 * 60)) * MINUTE
    end = start + draw(st.integers(0, 5 * 60)) * MINUTE
    zone = draw(st.sampled_from([UTC, tz]))
    return Interval(start.astimezone(zone), end.astimezone(zone))


@st.composite
def cases(draw, max_therapists: int = 1) -> Case:
    """Draw a case; half of them put working hours around a clock change, with now before it.

    Those use short appointments on a fine grid with few blockers, so slots often end right
    at a period's end inside the spring-forward gap.
    """
    at_a_change = draw(st.booleans())
    if at_a_change:
        tz = draw(st.sampled_from(CHANGING_ZONES))
        first_day = draw(st.sampled_from(ZONES[tz]))
        span = draw(st.integers(0, 1))
    else:
        tz = draw(st.sampled_from(list(ZONES)))
        first_day = draw(any_day)
        span = draw(st.integers(0, 3))
    origin = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(UTC)
    schedules = []
    for therapist_id in draw(
        st.lists(st.integers(1, 50), min_size=1, max_size=max_therapists, unique=True)
    ):
        hours = periods(first_day, 0 if at_a_change else span, small_hours=at_a_change)
        blockers = intervals(tz, origin, span)
        schedules.append(
            TherapistSchedule(
                therapist_id=therapist_id,
                periods=tuple(draw(st.lists(hours, min_size=1, max_size=5))),
                unavailable=tuple(draw(st.lists(blockers, max_size=1 if at_a_change else 3))),
                busy=tuple(draw(st.lists(blockers, max_size=2 if at_a_change else 6))),
            )
        )
    rules = BookingRules(
        min_notice=draw(st.integers(0, 2 * 60 if at_a_change else 10 * 60)) * MINUTE,
        horizon_days=draw(st.integers(1 if at_a_change else 0, 5)),
        slot_step_minutes=draw(
            st.sampled_from([5, 10, 15])
            if at_a_change
            else st.one_of(st.sampled_from([5, 10, 15, 30, 60]), st.integers(1, 90))
        ),
    )
    if at_a_change:
        now = origin - MINUTE * draw(st.integers(0, 24 * 60))
    else:
        # Mostly before the first day, so most cases have slots to check.
        later = st.integers(0, (span + 1) * 24 * 60)
        now = origin + MINUTE * draw(st.one_of(st.integers(-3 * 24 * 60, 0), later))
    return Case(
        tz=tz,
        first_day=first_day,
        last_day=first_day + span * DAY,
        schedules=tuple(schedules),
        rules=rules,
        duration=draw(st.integers(1, 90 if at_a_change else 4 * 60)) * MINUTE,
        buffer_after=draw(st.sampled_from([0, 5, 10, 15, 30])) * MINUTE,
        now=now.astimezone(draw(st.sampled_from([UTC, tz]))),
    )


def engine_slots(case: Case, schedule: TherapistSchedule, day: date | None = None) -> list[Slot]:
    return therapist_slots(
        schedule=schedule,
        tz=case.tz,
        first_day=day or case.first_day,
        last_day=day or case.last_day,
        duration=case.duration,
        buffer_after=case.buffer_after,
        rules=case.rules,
        now=case.now,
    )


def engine_check(case: Case, schedule: TherapistSchedule, start: datetime):
    return slot_is_available(
        schedule=schedule,
        tz=case.tz,
        start=start,
        duration=case.duration,
        buffer_after=case.buffer_after,
        rules=case.rules,
        now=case.now,
    )


# The oracle works on UTC instants throughout: Python compares datetimes that share a tzinfo
# by wall clock, which is wrong in the repeated hour.


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def transitions(case: Case) -> list[datetime]:
    """Return the instants (whole minutes) where the zone's UTC offset changes near the case."""
    found = []
    here = case.midnight(case.first_day) - 2 * DAY
    stop = case.midnight(case.last_day) + 3 * DAY
    while here < stop:
        there = here + 30 * MINUTE
        if here.astimezone(case.tz).utcoffset() != there.astimezone(case.tz).utcoffset():
            probe = here
            while probe.astimezone(case.tz).utcoffset() == here.astimezone(case.tz).utcoffset():
                probe += MINUTE
            found.append(probe)
        here = there
    return found


def overlaps(start: datetime, end: datetime, interval: Interval) -> bool:
    """Say whether two half-open spans share an instant (an empty span shares none)."""
    lo, hi = utc(interval.start), utc(interval.end)
    return lo < hi and start < end and lo < end and start < hi


def inside_period(case: Case, start: datetime, end: datetime, period: WorkingPeriod, shifts):
    """Say whether ``[start, end)`` starts on ``period``'s grid and every instant in it is within.

    The local clock reads less than ``period.end`` throughout iff it does just before ``end``
    and just before each clock change inside the slot (the clock only jumps at those).
    """
    local_start = start.astimezone(case.tz)
    day = local_start.date()
    if period.weekday != day.weekday() or local_start.fold:
        return False
    offset = wall(start, case.tz) - datetime.combine(day, period.start)
    if offset < timedelta(0) or offset % (case.rules.slot_step_minutes * MINUTE):
        return False
    period_end = datetime.combine(day, period.end)
    probes = [end] + [shift for shift in shifts if start < shift < end]
    return all(wall(probe - timedelta(microseconds=1), case.tz) < period_end for probe in probes)


def oracle_slots(case: Case, schedule: TherapistSchedule, shifts) -> list[datetime]:
    """Enumerate every grid start of the case's days by brute force; keep the bookable ones."""
    step = case.rules.slot_step_minutes * MINUTE
    today = case.now.astimezone(case.tz).date()
    blockers = schedule.busy + schedule.unavailable
    found = set()
    day = case.first_day
    while day <= case.last_day:
        for period in schedule.periods:
            if period.weekday != day.weekday():
                continue
            local = datetime.combine(day, period.start)
            while local < datetime.combine(day, period.end):
                start = utc(local.replace(tzinfo=case.tz))
                end = start + case.duration
                if (
                    wall(start, case.tz) == local  # the wall time exists
                    and start >= utc(case.now) + case.rules.min_notice
                    and (day - today).days <= case.rules.horizon_days
                    and inside_period(case, start, end, period, shifts)
                    and not any(overlaps(start, end + case.buffer_after, b) for b in blockers)
                ):
                    found.add(start)
                local += step
        day += DAY
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_slots_match_a_brute_force_oracle(case):
    schedule = case.schedules[0]
    found = engine_slots(case, schedule)

    assert [utc(slot.start) for slot in found] == oracle_slots(case, schedule, transitions(case))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_every_slot_respects_hours_blockers_notice_and_horizon(case):
    schedule = case.schedules[0]
    shifts = transitions(case)
    today = case.now.astimezone(case.tz).date()
    found = engine_slots(case, schedule)

    starts = [utc(slot.start) for slot in found]
    assert starts == sorted(set(starts)), "slots are sorted and unique"
    for slot in found:
        start, end = utc(slot.start), utc(slot.end)
        assert slot.therapist_id == schedule.therapist_id
        assert slot.start.tzinfo is case.tz and slot.end.tzinfo is case.tz
        assert end - start == case.duration
        assert case.first_day <= slot.start.date() <= case.last_day
        assert start >= utc(case.now) + case.rules.min_notice
        assert (slot.start.date() - today).days <= case.rules.horizon_days
        assert any(inside_period(case, start, end, p, shifts) for p in schedule.periods)
        for blocker in schedule.busy + schedule.unavailable:
            assert not overlaps(start, end, blocker), "slot overlaps a blocker"
            assert not overlaps(end, end + case.buffer_after, blocker), "buffer overlaps a blocker"
        assert engine_check(case, schedule, slot.start).ok


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_slot_is_available_agrees_with_the_days_slots(case, data):
    schedule = case.schedules[0]
    day = case.first_day + data.draw(st.integers(0, (case.last_day - case.first_day).days)) * DAY
    listed = {utc(slot.start) for slot in engine_slots(case, schedule, day)}
    step = case.rules.slot_step_minutes

    candidates = []
    for period in schedule.periods:
        local = datetime.combine(day, period.start)
        length = datetime.combine(day, period.end) - local
        local += step * MINUTE * data.draw(st.integers(0, length // (step * MINUTE) + 1))
        candidates.append(local.replace(tzinfo=case.tz, fold=data.draw(st.integers(0, 1))))
    minute = data.draw(st.integers(0, 24 * 60 - 1))
    candidates.append(datetime.combine(day, clock(minute), tzinfo=case.tz))
    for slot in engine_slots(case, schedule, day):
        # The slot itself, the same wall time's second occurrence (which differs only in the
        # repeated hour) and a nearby start that is usually off the grid.
        shift = data.draw(st.integers(-30, 30)) * MINUTE
        candidates.extend([slot.start, slot.start.replace(fold=1), slot.start + shift])

    for candidate in candidates:
        if candidate.astimezone(case.tz).date() != day:
            continue  # a grid step past midnight belongs to another day's list
        result = engine_check(
            case, schedule, candidate.astimezone(data.draw(st.sampled_from([UTC, case.tz])))
        )
        assert result.ok == (utc(candidate) in listed), (candidate, result)
        assert result.reason is None if result.ok else result.reason in REASONS


@settings(max_examples=200, deadline=None)
@given(cases(max_therapists=3))
def test_slot_list_is_every_therapists_slots_in_order(case):
    found = slot_list(
        schedules=case.schedules,
        tz=case.tz,
        first_day=case.first_day,
        last_day=case.last_day,
        duration=case.duration,
        buffer_after=case.buffer_after,
        rules=case.rules,
        now=case.now,
    )

    keys = [(utc(slot.start), slot.therapist_id) for slot in found]
    assert keys == sorted(set(keys))
    expected = {
        (utc(slot.start), slot.therapist_id)
        for schedule in case.schedules
        for slot in engine_slots(case, schedule)
    }
    assert set(keys) == expected


@settings(max_examples=200, deadline=None)
@given(cases(max_therapists=2), st.data())
def test_the_answer_holds_until_slots_valid_until_and_not_always_after(case, data):
    """Caches keep an answer until ``slots_valid_until``: time alone must not change it sooner."""

    def answer(now: datetime) -> list[Slot]:
        return slot_list(
            schedules=case.schedules,
            tz=case.tz,
            first_day=case.first_day,
            last_day=case.last_day,
            duration=case.duration,
            buffer_after=case.buffer_after,
            rules=case.rules,
            now=now,
        )

    found = answer(case.now)
    until = slots_valid_until(found, tz=case.tz, rules=case.rules, now=case.now)
    assert until >= case.now
    if until > case.now:
        span = (until - case.now) // timedelta(microseconds=1)
        later = case.now + timedelta(microseconds=data.draw(st.integers(0, span - 1)))
        assert answer(later) == found
    if found and until < case.midnight(case.now.astimezone(case.tz).date() + DAY):
        # The earliest slot comes within the notice at that very moment.
        assert answer(until + timedelta(seconds=1)) != found
