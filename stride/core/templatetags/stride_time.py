"""Template filters over stride.core.timefmt: ``{{ appt.start|local_datetime:tz }}``."""

import datetime as dt

from django import template

from stride.core import timefmt

register = template.Library()


@register.filter
def local_datetime(value: dt.datetime | None, tz: str) -> str:
    return timefmt.format_datetime(value, tz) if value else ""


@register.filter
def local_date(value: dt.datetime | None, tz: str) -> str:
    return timefmt.format_date(value, tz) if value else ""


@register.filter
def local_time(value: dt.datetime | None, tz: str) -> str:
    return timefmt.format_time(value, tz) if value else ""
