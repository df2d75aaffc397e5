"""Examples of the availability engine: grids, buffers, time off, notice, horizon and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stride.scheduling.availability import (
    BEYOND_HORIZON,
    BUSY,
    IN_PAST,
    OFF_GRID,
    OUTSIDE_HOURS,
    TOO_SOON,
    UNAVAILABLE,
    BookingRules,
    Interval,
    Slot,
    SlotCheck,
    TherapistSchedule,
    WorkingPeriod,
    slot_is_available,
    slot_list,
    therapist_slots,
)

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
SPRING_FORWARD = date(2026, 3, 8)  # Sunday; 02:00 EST becomes 03:00 EDT
FALL_BACK = date(2026, 11, 1)  # Sunday; 02:00 EDT becomes 01:00 EST
MINUTE = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NY).replace(fold=fold)


DEFAULT_NOW = at(date(2026, 3, 1), 8)


def period(weekday: int, start: str, end: str) -> WorkingPeriod:
    return WorkingPeriod(weekday, time.fromisoformat(start), time.fromisoformat(end))


def rules(*, min_notice: timedelta = timedelta(0), horizon: int = 60, step: int = 15):
    return BookingRules(min_notice=min_notice, horizon_days=horizon, slot_step_minutes=step)


def schedule(
    periods: tuple[WorkingPeriod, ...],
    *,
    unavailable: tuple[Interval, ...] = (),
    busy: tuple[Interval, ...] = (),
    therapist_id: int = 1,
) -> TherapistSchedule:
    return TherapistSchedule(therapist_id, periods, unavailable, busy)


WEEKDAY_HOURS = (period(0, "09:00", "12:00"), period(0, "13:00", "17:00"))
EVERY_DAY = tuple(period(weekday, "09:00", "17:00") for weekday in range(7))


def slots(
    sched: TherapistSchedule,
    first_day: date,
    last_day: date | None = None,
    *,
    duration: int = 60,
    buffer: int = 0,
    booking: BookingRules | None = None,
    now: datetime = DEFAULT_NOW,
) -> list[Slot]:
    return therapist_slots(
        schedule=sched,
        tz=NY,
        first_day=first_day,
        last_day=last_day or first_day,
        duration=duration * MINUTE,
        buffer_after=buffer * MINUTE,
        rules=booking or rules(),
        now=now,
    )


def check(
    sched: TherapistSchedule,
    start: datetime,
    *,
    duration: int = 60,
    buffer: int = 0,
    booking: BookingRules | None = None,
    now: datetime = DEFAULT_NOW,
) -> SlotCheck:
    return slot_is_available(
        schedule=sched,
        tz=NY,
        start=start,
        duration=duration * MINUTE,
        buffer_after=buffer * MINUTE,
        rules=booking or rules(),
        now=now,
    )


def wall_times(found: list[Slot]) -> list[str]:
    return [f"{slot.start:%H:%M}" for slot in found]


def quarter_hours(first: str, last: str) -> list[str]:
    start = datetime.combine(MONDAY, time.fromisoformat(first))
    stop = datetime.combine(MONDAY, time.fromisoformat(last))
    out = []
    while start <= stop:
        out.append(f"{start:%H:%M}")
        start += 15 * MINUTE
    return out


def test_full_monday_offers_a_grid_in_each_period_and_none_across_the_break():
    found = slots(schedule(WEEKDAY_HOURS), MONDAY)

    assert wall_times(found) == quarter_hours("09:00", "11:00") + quarter_hours("13:00", "16:00")
    assert all(slot.end - slot.start == 60 * MINUTE for slot in found)
    assert check(schedule(WEEKDAY_HOURS), at(MONDAY, 11, 15)) == SlotCheck(False, OUTSIDE_HOURS)


def test_slots_are_aware_in_the_location_zone_and_carry_the_therapist():
    found = slots(schedule(WEEKDAY_HOURS, therapist_id=7), MONDAY)

    assert found[0] == Slot(7, at(MONDAY, 9), at(MONDAY, 10))
    assert all(slot.start.tzinfo is NY and slot.end.tzinfo is NY for slot in found)


def test_no_slots_on_a_weekday_without_hours():
    assert slots(schedule(WEEKDAY_HOURS), TUESDAY) == []


def test_existing_appointment_with_its_buffer_blocks_overlapping_slots():
    # A 45-minute follow-up at 10:00 with its own 15-minute buffer occupies 10:00-11:00.
    busy = (Interval(at(MONDAY, 10), at(MONDAY, 10, 45) + 15 * MINUTE),)
    found = slots(schedule(WEEKDAY_HOURS, busy=busy), MONDAY, duration=45)

    # 09:15-10:00 touches the appointment, which half-open intervals allow.
    assert wall_times(found)[:4] == ["09:00", "09:15", "11:00", "11:15"]


def test_new_appointments_buffer_may_not_overlap_the_next_appointment():
    busy = (Interval(at(MONDAY, 10), at(MONDAY, 11)),)
    found = slots(schedule(WEEKDAY_HOURS, busy=busy), MONDAY, duration=45, buffer=15)

    assert wall_times(found)[:3] == ["09:00", "11:00", "11:15"]
    assert check(schedule(WEEKDAY_HOURS, busy=busy), at(MONDAY, 9, 15), duration=45, buffer=15) == (
        SlotCheck(False, BUSY)
    )


def test_new_appointments_buffer_may_run_past_the_end_of_the_period():
    found = slots(schedule(WEEKDAY_HOURS), MONDAY, buffer=30)

    assert "11:00" in wall_times(found)
    assert wall_times(found)[-1] == "16:00"


def test_buffer_may_not_run_into_a_closure_after_hours():
    closure = (Interval(at(MONDAY, 17), at(MONDAY, 20)),)
    sched = schedule(WEEKDAY_HOURS, unavailable=closure)

    assert wall_times(slots(sched, MONDAY))[-1] == "16:00"
    assert wall_times(slots(sched, MONDAY, buffer=15))[-1] == "15:45"


def test_time_off_for_a_whole_day_removes_that_day_only():
    hours = (*WEEKDAY_HOURS, period(1, "09:00", "12:00"))
    time_off = (Interval(at(MONDAY, 0), at(TUESDAY, 0)),)
    sched = schedule(hours, unavailable=time_off)

    found = slots(sched, MONDAY, TUESDAY)

    assert {slot.start.date() for slot in found} == {TUESDAY}
    assert wall_times(found) == quarter_hours("09:00", "11:00")
    assert check(sched, at(MONDAY, 9)) == SlotCheck(False, UNAVAILABLE)


def test_intervals_in_another_zone_compare_as_instants():
    # 14:00-15:00 UTC is 09:00-10:00 in New York in March before DST.
    closure = Interval(datetime(2026, 3, 2, 14, tzinfo=UTC), datetime(2026, 3, 2, 15, tzinfo=UTC))
    found = slots(schedule(WEEKDAY_HOURS, unavailable=(closure,)), MONDAY)

    assert wall_times(found)[0] == "10:00"


def test_min_notice_is_measured_from_now():
    now = at(MONDAY, 8, 30)
    booking = rules(min_notice=timedelta(hours=2))
    sched = schedule(WEEKDAY_HOURS)

    found = slots(sched, MONDAY, booking=booking, now=now)

    assert wall_times(found)[0] == "10:30"
    assert check(sched, at(MONDAY, 10, 15), booking=booking, now=now) == SlotCheck(False, TOO_SOON)
    assert check(sched, at(MONDAY, 10, 30), booking=booking, now=now) == SlotCheck(True, None)
    assert check(sched, at(MONDAY, 8), booking=booking, now=now) == SlotCheck(False, IN_PAST)


def test_horizon_counts_local_dates_from_today():
    now = at(date(2026, 3, 1), 8)  # Horizon of 60 days ends on 30 April.
    sched = schedule(EVERY_DAY)

    found = slots(sched, date(2026, 4, 29), date(2026, 5, 2), now=now)

    assert {slot.start.date() for slot in found} == {date(2026, 4, 29), date(2026, 4, 30)}
    assert check(sched, at(date(2026, 4, 30), 16), now=now) == SlotCheck(True, None)
    assert check(sched, at(date(2026, 5, 1), 9), now=now) == SlotCheck(False, BEYOND_HORIZON)


def test_days_before_today_have_no_slots():
    now = at(MONDAY, 12)
    found = slots(schedule(EVERY_DAY), date(2026, 2, 27), TUESDAY, now=now)

    assert found[0].start == at(MONDAY, 12)
    assert found[-1].start == at(TUESDAY, 16)


@pytest.mark.parametrize(
    ("days", "offsets"),
    [
        pytest.param(
            (date(2026, 3, 7), SPRING_FORWARD, date(2026, 3, 9)), (-5, -4, -4), id="spring"
        ),
        pytest.param((date(2026, 10, 31), FALL_BACK, date(2026, 11, 2)), (-4, -5, -5), id="fall"),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_daylight_saving(days, offsets):
    now = at(days[0], 0) - timedelta(days=1)
    found = slots(schedule(EVERY_DAY), days[0], days[-1], now=now)

    for day, offset in zip(days, offsets, strict=True):
        first = next(slot for slot in found if slot.start.date() == day)
        assert first.start.time() == time(9)
        assert first.start.utcoffset() == timedelta(hours=offset)
        assert first.end - first.start == 60 * MINUTE
    assert len(found) == 3 * 29  # 09:00 to 16:00 every quarter hour, each day


def test_spring_forward_gap_is_skipped_and_durations_are_real():
    sched = schedule((period(6, "01:00", "04:00"),))
    now = at(date(2026, 3, 7), 0)

    found = slots(sched, SPRING_FORWARD, now=now)

    assert wall_times(found) == ["01:00", "01:15", "01:30", "01:45", "03:00"]
    assert [f"{slot.end:%H:%M%z}" for slot in found] == [
        "03:00-0400",
        "03:15-0400",
        "03:30-0400",
        "03:45-0400",
        "04:00-0400",
    ]
    assert all(
        slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == 60 * MINUTE for slot in found
    )
    # 02:30 does not exist that night; read as EST it is 03:30 EDT, which is not a grid start.
    assert check(sched, at(SPRING_FORWARD, 2, 30), now=now) == SlotCheck(False, OUTSIDE_HOURS)
    assert check(sched, at(SPRING_FORWARD, 1, 45), now=now) == SlotCheck(True, None)


def test_period_ending_inside_the_gap_ends_at_the_transition():
    sched = schedule((period(6, "00:00", "02:30"),))
    found = slots(sched, SPRING_FORWARD, duration=60, booking=rules(step=30), now=DEFAULT_NOW)

    # 01:00 EST + 1 h is 03:00 EDT, the instant the clock jumps past 02:30.
    assert wall_times(found) == ["00:00", "00:30", "01:00"]
    assert found[-1].end == at(SPRING_FORWARD, 3)


def test_fall_back_ambiguous_wall_times_mean_their_first_occurrence():
    sched = schedule((period(6, "00:00", "03:00"),))
    now = at(date(2026, 10, 31), 0)
    booking = rules(step=30)

    found = slots(sched, FALL_BACK, booking=booking, now=now)

    assert [f"{slot.start:%H:%M%z}" for slot in found] == [
        "00:00-0400",
        "00:30-0400",
        "01:00-0400",
        "01:30-0400",
        "02:00-0500",
    ]
    assert [f"{slot.end:%H:%M%z}" for slot in found] == [
        "01:00-0400",
        "01:30-0400",
        "01:00-0500",
        "01:30-0500",
        "03:00-0500",
    ]
    second_half_past_one = at(FALL_BACK, 1, 30, fold=1)
    assert check(sched, second_half_past_one, booking=booking, now=now) == SlotCheck(
        False, OFF_GRID
    )
    assert check(sched, at(FALL_BACK, 1, 30), booking=booking, now=now) == SlotCheck(True, None)


def test_slot_list_orders_by_start_then_therapist():
    early = schedule((period(0, "09:00", "11:00"),), therapist_id=2)
    late = schedule((period(0, "09:30", "11:00"),), therapist_id=1)

    found = slot_list(
        schedules=[early, late],
        tz=NY,
        first_day=MONDAY,
        last_day=MONDAY,
        duration=60 * MINUTE,
        buffer_after=timedelta(0),
        rules=rules(step=30),
        now=DEFAULT_NOW,
    )

    assert [(f"{slot.start:%H:%M}", slot.therapist_id) for slot in found] == [
        ("09:00", 2),
        ("09:30", 1),
        ("09:30", 2),
        ("10:00", 1),
        ("10:00", 2),
    ]


def test_overlapping_periods_give_sorted_unique_slots():
    hours = (period(0, "10:00", "12:00"), period(0, "09:00", "11:00"), period(0, "09:10", "10:30"))
    found = slots(schedule(hours), MONDAY, booking=rules(step=30))

    assert wall_times(found) == ["09:00", "09:10", "09:30", "10:00", "10:30", "11:00"]


def test_slot_is_available_accepts_a_start_given_in_utc():
    start = datetime(2026, 3, 2, 18, tzinfo=UTC)  # 13:00 EST

    assert check(schedule(WEEKDAY_HOURS), start) == SlotCheck(True, None)


BUSY_AT_TEN = Interval(at(MONDAY, 10), at(MONDAY, 11))
OFF_AT_TWO = Interval(at(MONDAY, 14), at(MONDAY, 15))


@pytest.mark.parametrize(
    ("start", "now", "reason"),
    [
        pytest.param(at(MONDAY, 9), at(MONDAY, 9, 1), IN_PAST, id="in_past"),
        pytest.param(at(MONDAY, 9), at(MONDAY, 8), TOO_SOON, id="too_soon"),
        pytest.param(at(date(2026, 4, 27), 9), DEFAULT_NOW, BEYOND_HORIZON, id="beyond_horizon"),
        pytest.param(at(MONDAY, 9, 5), DEFAULT_NOW, OFF_GRID, id="off_grid"),
        pytest.param(at(MONDAY, 8, 45), DEFAULT_NOW, OUTSIDE_HOURS, id="before_opening"),
        pytest.param(at(MONDAY, 16, 15), DEFAULT_NOW, OUTSIDE_HOURS, id="past_closing"),
        pytest.param(at(MONDAY, 13, 30), DEFAULT_NOW, UNAVAILABLE, id="unavailable"),
        pytest.param(at(MONDAY, 10, 30), DEFAULT_NOW, BUSY, id="busy"),
        pytest.param(at(MONDAY, 9), DEFAULT_NOW, None, id="ok"),
    ],
)
def test_slot_is_available_gives_each_reason(start, now, reason):
    sched = schedule(WEEKDAY_HOURS, busy=(BUSY_AT_TEN,), unavailable=(OFF_AT_TWO,))
    booking = rules(min_notice=timedelta(hours=2), horizon=56)

    result = check(sched, start, booking=booking, now=now)

    assert result == SlotCheck(ok=reason is None, reason=reason)


def test_time_off_takes_precedence_over_busy_in_the_reason():
    overlap = Interval(at(MONDAY, 9), at(MONDAY, 10))
    sched = schedule(WEEKDAY_HOURS, busy=(overlap,), unavailable=(overlap,))

    assert check(sched, at(MONDAY, 9)) == SlotCheck(False, UNAVAILABLE)


def test_slot_is_available_agrees_with_the_list_for_every_quarter_hour():
    busy = (BUSY_AT_TEN, Interval(at(MONDAY, 15, 10), at(MONDAY, 15, 20)))
    sched = schedule(WEEKDAY_HOURS, busy=busy, unavailable=(OFF_AT_TWO,))
    listed = {slot.start for slot in slots(sched, MONDAY, duration=45, buffer=10)}

    for minutes in range(0, 24 * 60, 5):
        start = at(MONDAY, 0) + minutes * MINUTE
        result = check(sched, start, duration=45, buffer=10)
        assert result.ok == (start in listed), start
        assert result.ok == (result.reason is None)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"duration": timedelta(0)}, id="zero_duration"),
        pytest.param({"buffer_after": -MINUTE}, id="negative_buffer"),
        pytest.param({"first_day": TUESDAY}, id="days_reversed"),
        pytest.param({"now": datetime(2026, 3, 1, 8)}, id="naive_now"),
    ],
)
def test_therapist_slots_rejects_bad_input(overrides):
    arguments = {
        "schedule": schedule(WEEKDAY_HOURS),
        "tz": NY,
        "first_day": MONDAY,
        "last_day": MONDAY,
        "duration": 60 * MINUTE,
        "buffer_after": timedelta(0),
        "rules": rules(),
        "now": DEFAULT_NOW,
    } | overrides

    with pytest.raises(ValueError):
        therapist_slots(**arguments)


def test_slot_is_available_rejects_a_naive_start():
    with pytest.raises(ValueError, match="start"):
        check(schedule(WEEKDAY_HOURS), datetime(2026, 3, 2, 9))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Interval(datetime(2026, 3, 2, 9), at(MONDAY, 10)), id="naive_start"),
        pytest.param(lambda: Interval(at(MONDAY, 10), at(MONDAY, 9)), id="reversed_interval"),
        pytest.param(lambda: period(7, "09:00", "10:00"), id="bad_weekday"),
        pytest.param(lambda: period(0, "10:00", "10:00"), id="empty_period"),
        pytest.param(
            lambda: WorkingPeriod(0, time(9, tzinfo=NY), time(10, tzinfo=NY)), id="aware_times"
        ),
        pytest.param(lambda: rules(step=0), id="zero_step"),
        pytest.param(lambda: rules(horizon=-1), id="negative_horizon"),
        pytest.param(lambda: rules(min_notice=-MINUTE), id="negative_notice"),
    ],
)
def test_value_objects_reject_invalid_values(build):
    with pytest.raises(ValueError):
        build()
