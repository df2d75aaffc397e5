"""The one place that turns an instant into words for people: pages, emails and ICS alike.

Every time shown to a patient or a therapist goes through these functions with the
location's time zone, so a page, its email and its calendar file can never disagree.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def _local(value: dt.datetime, tz: ZoneInfo | str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("refusing to format a naive datetime")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return value.astimezone(zone)


def _clock(local: dt.datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def format_time(value: dt.datetime, tz: ZoneInfo | str) -> str:
    """Return the local clock time, e.g. "9:00 AM"."""
    return _clock(_local(value, tz))


def format_date(value: dt.datetime | dt.date, tz: ZoneInfo | str | None = None) -> str:
    """Return the local date, e.g. "Monday, November 30, 2026"."""
    if isinstance(value, dt.datetime):
        if tz is None:
            raise ValueError("a datetime needs the time zone it is shown in")
        value = _local(value, tz).date()
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def format_datetime(value: dt.datetime, tz: ZoneInfo | str) -> str:
    """Return date, time and zone abbreviation, e.g. "Monday, November 30, 2026 at 9:00 AM EST"."""
    local = _local(value, tz)
    return f"{format_date(local.date())} at {_clock(local)} {local.tzname()}"


def format_range(start: dt.datetime, end: dt.datetime, tz: ZoneInfo | str) -> str:
    """Return a same-day range, e.g. "Monday, November 30, 2026, 9:00 AM – 10:00 AM EST"."""
    local_start, local_end = _local(start, tz), _local(end, tz)
    if local_start.date() != local_end.date():
        return f"{format_datetime(start, tz)} – {format_datetime(end, tz)}"
    return (
        f"{format_date(local_start.date())}, {_clock(local_start)} – {_clock(local_end)} "
        f"{local_end.tzname()}"
    )
