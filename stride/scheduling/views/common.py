"""What the booking and manage pages share: the choices, a week of times, private pages."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from stride.core import timefmt

from .. import availability as engine
from ..forms import ANY_THERAPIST, start_format
from ..links import appointment_manage_path
from ..models import Appointment, AppointmentStatus, AppointmentType, Location, Therapist
from ..selectors import booking_rules_get, slot_list_available
from ..services.errors import SLOT_MESSAGES

TAKEN_MESSAGE = "That time was just booked by someone else. Here are the times still free."

# Reasons that mean "someone or something else has that time" rather than "never offered".
TAKEN_REASONS = frozenset({engine.BUSY, engine.UNAVAILABLE})

# Everyday names for the zones a clinic is likely to be in; others show their IANA name.
ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time (Arizona)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
}


def zone_label(location: Location) -> str:
    """Return "Eastern Time (America/New_York)", or the IANA name when it has no common name."""
    name = ZONE_NAMES.get(location.timezone)
    return f"{name} ({location.timezone})" if name else f"the {location.timezone} time zone"


@dataclass(frozen=True)
class Choice:
    """What the patient has chosen so far; ``therapist`` None means any therapist."""

    appointment_type: AppointmentType
    therapist: Therapist | None
    location: Location

    @property
    def therapist_param(self) -> str:
        return self.therapist.slug if self.therapist is not None else ANY_THERAPIST

    def query(self, **extra: str) -> str:
        """Return the querystring that carries these choices (and ``extra``) to a step."""
        return urlencode(
            {"type": self.appointment_type.slug, "therapist": self.therapist_param, **extra}
        )


@dataclass(frozen=True)
class SlotTime:
    """One free start as a page offers it."""

    value: str  # ISO 8601 in the location's zone, as carried in links and forms
    label: str  # "9:00 AM"


@dataclass(frozen=True)
class Day:
    """One local date of a week and its free starts."""

    date: dt.date
    label: str
    times: list[SlotTime]
    note: str  # why there are no times, when there are none


@dataclass(frozen=True)
class Week:
    """Monday to Sunday of free starts, with the neighbouring weeks a patient may open."""

    start: dt.date
    label: str
    zone: str
    days: list[Day]
    previous: dt.date | None
    next: dt.date | None
    has_times: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "has_times", any(day.times for day in self.days))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_start(value: Any, *, horizon_days: int, today: dt.date) -> dt.date:
    """Return the Monday of the requested week, kept between this week and the horizon."""
    first, last = _monday(today), _monday(today + dt.timedelta(days=horizon_days))
    try:
        requested = _monday(dt.date.fromisoformat(str(value)))
    except ValueError:
        return first
    return min(max(requested, first), last)


def week_build(
    *,
    appointment_type: AppointmentType,
    location: Location,
    therapist: Therapist | None,
    week: Any = None,
) -> Week:
    """Return one week (Monday to Sunday, local dates) of free times; each time listed once."""
    tz = location.tzinfo
    today = timezone.now().astimezone(tz).date()
    horizon_days = booking_rules_get(location=location).horizon_days
    requested = week.isoformat() if isinstance(week, dt.date) else week
    start = _week_start(requested, horizon_days=horizon_days, today=today)
    last_bookable = today + dt.timedelta(days=horizon_days)
    slots = slot_list_available(
        appointment_type=appointment_type,
        first_day=max(start, today),
        last_day=start + dt.timedelta(days=6),
        therapist=therapist,
        location=location,
    )
    by_day: dict[dt.date, list[SlotTime]] = {}
    seen: set[dt.datetime] = set()
    for slot in slots:
        if slot.start in seen:  # any therapist: one entry per time
            continue
        seen.add(slot.start)
        local = slot.start.astimezone(tz)
        by_day.setdefault(local.date(), []).append(
            SlotTime(value=start_format(local, tz), label=timefmt.format_time(local, tz))
        )
    days = []
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        if day < today:
            note = "This day has passed."
        elif day > last_bookable:
            note = "Too far ahead to book yet."
        else:
            note = "No free times on this day."
        days.append(
            Day(date=day, label=timefmt.format_date(day), times=by_day.get(day, []), note=note)
        )
    following = start + dt.timedelta(days=7)
    return Week(
        start=start,
        label=f"Week of {timefmt.format_date(start)}",
        zone=zone_label(location),
        days=days,
        previous=start - dt.timedelta(days=7) if start > _monday(today) else None,
        next=following if following <= last_bookable else None,
    )


def slot_problem(reason: str | None) -> str:
    """Return what to tell a patient whose chosen time cannot be booked for ``reason``."""
    if reason is None or reason in TAKEN_REASONS:
        return TAKEN_MESSAGE
    return SLOT_MESSAGES.get(reason, "That time cannot be booked; please pick another.")


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page that holds a manage link: never cached, indexed, or sent as a Referer.

    ``Referrer-Policy: no-referrer`` also makes browsers send ``Origin: null`` with the forms
    these pages post, which Django's CSRF check refuses. The manage POSTs are therefore
    CSRF-exempt: CSRF abuses a credential the browser adds by itself (a cookie), and here the
    credential is the secret token in the path, which a forging site cannot know. Nothing on
    these pages depends on the session.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def can_change(appointment: Appointment) -> bool:
    """Return whether the patient may still cancel or move the visit online."""
    deadline = (
        appointment.start - booking_rules_get(location=appointment.location).cancellation_window
    )
    return appointment.status == AppointmentStatus.CONFIRMED and timezone.now() <= deadline


def appointment_context(appointment: Appointment, token: str | None) -> dict[str, Any]:
    """Return what the confirmation and manage pages show about a booked visit."""
    location = appointment.location
    rules = booking_rules_get(location=location)
    plan = appointment.insurance_plan
    manage = appointment_manage_path(appointment, token) if token else None
    return {
        "appointment": appointment,
        "location": location,
        "tz": location.timezone,
        "zone": zone_label(location),
        "cancellation_window_hours": rules.cancellation_window_hours,
        "deadline": appointment.start - rules.cancellation_window,
        "referral_required": bool(plan and plan.referral_required),
        "is_cancelled": appointment.status
        in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED),
        "is_booked": appointment.status == AppointmentStatus.CONFIRMED,
        "is_past": appointment.end <= timezone.now(),
        "can_change": can_change(appointment),
        "has_red_flags": bool(appointment.red_flags),
        "manage_url": manage,
        "calendar_url": f"{manage}calendar.ics" if manage else None,
        "book_again_url": (
            f"{reverse('scheduling:book_therapist')}?"
            + urlencode({"type": appointment.appointment_type.slug})
        ),
    }
