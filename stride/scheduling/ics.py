"""iCalendar files for appointments: the confirmation attachment and calendar feeds.

UIDs are stable (``appointment-<pk>@<host>``) so a calendar app updates an event in place when
it is moved or cancelled; times carry the location's zone with a VTIMEZONE, so they read the
same in the patient's calendar as on the page and in the email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Appointment, AppointmentStatus

PRODID = "-//Stride//Stride clinic platform//EN"
TIMEZONE_MARGIN = dt.timedelta(days=366)
SEQUENCE_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def appointment_uid(appointment: Appointment) -> str:
    """Return the appointment's stable iCalendar UID."""
    host = urlsplit(settings.SITE_URL).hostname or "stride.invalid"
    return f"appointment-{appointment.pk}@{host}"


def _sequence(appointment: Appointment) -> int:
    """Return the event's SEQUENCE: seconds from SEQUENCE_EPOCH to the row's last change.

    SEQUENCE must grow with every change a calendar app should pick up, and RFC 5545 makes it
    a signed 32-bit integer: counted from 2024 rather than 1970 it lasts until 2092.
    """
    if appointment.updated_at is None:
        return 0
    return max(0, int((appointment.updated_at - SEQUENCE_EPOCH).total_seconds()))


def _event(appointment: Appointment, *, for_staff: bool) -> Event:
    location = appointment.location
    tz = location.tzinfo
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("sequence", _sequence(appointment))
    event.add("last-modified", (appointment.updated_at or timezone.now()).astimezone(dt.UTC))
    cancelled = appointment.status in {
        AppointmentStatus.CANCELLED,
        AppointmentStatus.LATE_CANCELLED,
    }
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    type_name = appointment.appointment_type.name
    if for_staff:
        # Connected calendars are often shared or synced to phones: no patient names there.
        event.add("summary", f"{type_name} (patient appointment #{appointment.pk})")
    else:
        event.add(
            "summary",
            f"{type_name} with {appointment.therapist.display_name} at {location.name}",
        )
        event.add(
            "description",
            f"Please arrive 10 minutes early. To cancel or reschedule, use the link in your "
            f"confirmation email or call {location.phone}.",
        )
    event["location"] = vText(f"{location.name}, {location.address_line}")
    return event


def appointments_to_ical(
    appointments: Iterable[Appointment], *, name: str, for_staff: bool = False
) -> bytes:
    """Return an iCalendar file (bytes) holding one VEVENT per appointment.

    Callers pass appointments with ``location``, ``therapist`` and ``appointment_type``
    selected, so building the file makes no further queries.
    """
    appointments = list(appointments)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        calendar.add_component(_event(appointment, for_staff=for_staff))
    if appointments:
        # A VTIMEZONE covering the events' years (plus a margin), not icalendar's default
        # 1970-2038: a few lines instead of hundreds, and right for visits after 2038 too.
        calendar.add_missing_timezones(
            first_date=min(a.start for a in appointments).date() - TIMEZONE_MARGIN,
            last_date=max(a.end for a in appointments).date() + TIMEZONE_MARGIN,
        )
    return calendar.to_ical()
