import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from stride.core import timefmt

NY = "America/New_York"
UTC = dt.UTC


def test_same_instant_reads_as_local_time_either_side_of_fall_back():
    # 09:00 in New York is 13:00 UTC before 2026-11-01 and 14:00 UTC after it.
    before = dt.datetime(2026, 10, 30, 13, 0, tzinfo=UTC)
    after = dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert timefmt.format_datetime(before, NY) == "Friday, October 30, 2026 at 9:00 AM EDT"
    assert timefmt.format_datetime(after, NY) == "Monday, November 2, 2026 at 9:00 AM EST"


def test_spring_forward_shows_daylight_time():
    start = dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert timefmt.format_datetime(start, ZoneInfo(NY)).endswith("9:00 AM EDT")


def test_range_on_one_day_names_the_zone_once():
    start = dt.datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    text = timefmt.format_range(start, start + dt.timedelta(minutes=45), NY)
    assert text == "Monday, November 30, 2026, 12:00 PM – 12:45 PM EST"


def test_midnight_and_noon_use_twelve():
    midnight = dt.datetime(2026, 1, 5, 5, 0, tzinfo=UTC)
    assert timefmt.format_time(midnight, NY) == "12:00 AM"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        timefmt.format_datetime(dt.datetime(2026, 1, 1, 9, 0), NY)  # noqa: DTZ001
