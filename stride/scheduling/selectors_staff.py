"""Reads for the staff pages, the therapists' calendar feeds and the reminder run.

Who sees what (the views and services enforce it through the helpers here):

=============  ===============================================  ===================================
Role           Sees                                             May change
=============  ===============================================  ===================================
therapist      every therapist's calendar, for coordination:    their own appointments (book,
               each visit's type, time, status and patient      move, cancel, record outcomes),
               name only; other therapists' time off as         their own time off and their own
               "away" (no kind, no note); their own time off    calendar feed
front desk     every calendar; all time off with kind and       every therapist's appointments and
               note; patients' contact details when moving      time off
admin          as front desk                                    as front desk
patient        nothing here (403)                               nothing
=============  ===============================================  ===================================

No staff page shows a visit's reason or red-flag answers: those are clinical details, kept
for the treating therapist's record, not for the shared calendar. An object the caller may not
change is answered with the same not-found as a missing one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from stride.accounts.models import Role, User

from .models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Location,
    Therapist,
    TimeOff,
)
from .selectors import booking_rules_get
from .services.changes import MARK_TRANSITIONS

# Outcome buttons in the order staff meet them during a visit.
MARK_ORDER = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.LATE_CANCELLED,
)
# Outcomes that only make sense once the visit has started (appointment_mark refuses earlier).
MARK_AFTER_START = frozenset({AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW})
# How far back a therapist's calendar feed reaches.
FEED_PAST = dt.timedelta(days=30)


# --- Who may do what ---------------------------------------------------------------------------


def staff_manages_all(user: User) -> bool:
    """Return whether ``user`` may act for every therapist (front desk and clinic admins)."""
    return user.is_authenticated and user.role in (Role.FRONT_DESK, Role.ADMIN)


def staff_may_manage(
    *, user: User, therapist_id: int, therapist_user_id: int | None = None
) -> bool:
    """Return whether ``user`` may change the calendar of the therapist ``therapist_id``.

    Front desk and admins may change anyone's; a therapist only their own. Pass
    ``therapist_user_id`` (the therapist's user id) when it is at hand to save a query.
    """
    if staff_manages_all(user):
        return True
    if user.role != Role.THERAPIST:
        return False
    if therapist_user_id is not None:
        return therapist_user_id == user.pk
    return Therapist.objects.filter(pk=therapist_id, user=user).exists()


def therapist_get_for_user(*, user: User) -> Therapist | None:
    """Return the therapist profile of ``user``, with its location, or None."""
    return Therapist.objects.select_related("location").filter(user=user).first()


def therapist_list_manageable(*, user: User) -> QuerySet[Therapist]:
    """Return the active therapists whose calendar ``user`` may change, with their locations."""
    therapists = Therapist.objects.filter(user__is_active=True).select_related("location")
    if staff_manages_all(user):
        return therapists
    return therapists.filter(user=user) if user.role == Role.THERAPIST else therapists.none()


def therapist_list_for_calendar() -> list[Therapist]:
    """Return every active therapist with location and user, for the calendar's pickers."""
    return list(Therapist.objects.filter(user__is_active=True).select_related("location", "user"))


def location_list() -> list[Location]:
    """Return every location, primary first."""
    return list(Location.objects.all())


# --- Calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarAppointment:
    """One appointment as the staff calendar shows it, with the actions the viewer may take."""

    appointment: Appointment
    can_change: bool
    marks: tuple[str, ...]  # statuses the viewer may record now

    @property
    def can_move(self) -> bool:
        return self.can_change and self.appointment.status == AppointmentStatus.CONFIRMED

    @property
    def can_cancel(self) -> bool:
        return self.can_move

    @property
    def mark_choices(self) -> list[tuple[str, str]]:
        """Return ``(status, label)`` of each outcome the viewer may record now."""
        return [(status, AppointmentStatus(status).label) for status in self.marks]

    @property
    def has_actions(self) -> bool:
        return self.can_move or bool(self.marks)


@dataclass(frozen=True)
class Away:
    """Time off clipped to one local day; ``kind`` and ``note`` are blank when not the viewer's."""

    start: dt.datetime
    end: dt.datetime
    all_day: bool
    kind: str = ""
    note: str = ""


@dataclass
class CalendarDay:
    date: dt.date
    appointments: list[CalendarAppointment] = field(default_factory=list)
    away: list[Away] = field(default_factory=list)
    link: str = ""  # the day view's address, set by the page that shows it


@dataclass
class TherapistCalendar:
    therapist: Therapist
    days: list[CalendarDay]


@dataclass
class Calendar:
    """Some therapists' appointments and time off over local days of one time zone."""

    tz: zoneinfo.ZoneInfo
    days: list[dt.date]
    therapists: list[TherapistCalendar]

    @property
    def appointment_count(self) -> int:
        return sum(len(day.appointments) for row in self.therapists for day in row.days)


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Return the aware start of ``day`` in ``tz`` (a DST day is 23 or 25 hours long)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def marks_allowed(*, appointment: Appointment, now: dt.datetime) -> tuple[str, ...]:
    """Return the outcomes staff may record for the appointment now, in MARK_ORDER."""
    allowed = MARK_TRANSITIONS.get(appointment.status, frozenset())
    return tuple(
        status
        for status in MARK_ORDER
        if status in allowed and (status not in MARK_AFTER_START or now >= appointment.start)
    )


def calendar_get(
    *,
    user: User,
    therapists: Sequence[Therapist],
    tz: zoneinfo.ZoneInfo,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime | None = None,
) -> Calendar:
    """Return the therapists' appointments and time off on local days ``first_day..last_day``.

    Runs two queries whatever the number of therapists, days and appointments. Appointments are
    loaded without their reason or red flags, and come under the local day they start on.
    """
    now = now if now is not None else timezone.now()
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    range_start = local_midnight(first_day, tz)
    range_end = local_midnight(last_day + dt.timedelta(days=1), tz)
    ids = [t.pk for t in therapists]
    owners = {t.pk: t.user_id for t in therapists}

    by_day: dict[tuple[int, dt.date], CalendarDay] = {
        (t.pk, day): CalendarDay(date=day) for t in therapists for day in days
    }
    appointments = (
        Appointment.objects.filter(therapist_id__in=ids, start__lt=range_end, end__gt=range_start)
        .select_related("appointment_type", "patient")
        .only(
            "therapist_id",
            "location_id",
            "start",
            "end",
            "status",
            "appointment_type__name",
            "patient__first_name",
            "patient__last_name",
            "patient__email",
        )
        .order_by("start", "pk")
    )
    for appointment in appointments:
        local_day = max(appointment.start, range_start).astimezone(tz).date()
        can_change = staff_may_manage(
            user=user,
            therapist_id=appointment.therapist_id,
            therapist_user_id=owners[appointment.therapist_id],
        )
        by_day[(appointment.therapist_id, local_day)].appointments.append(
            CalendarAppointment(
                appointment=appointment,
                can_change=can_change,
                marks=marks_allowed(appointment=appointment, now=now) if can_change else (),
            )
        )

    time_off = TimeOff.objects.filter(
        therapist_id__in=ids, start__lt=range_end, end__gt=range_start
    ).order_by("start")
    for absence in time_off:
        detailed = staff_manages_all(user) or owners[absence.therapist_id] == user.pk
        for day in days:
            day_start, day_end = local_midnight(day, tz), local_midnight(day + dt.timedelta(1), tz)
            start, end = max(absence.start, day_start), min(absence.end, day_end)
            if start >= end:
                continue
            by_day[(absence.therapist_id, day)].away.append(
                Away(
                    start=start,
                    end=end,
                    all_day=(start, end) == (day_start, day_end),
                    kind=absence.get_kind_display() if detailed else "",
                    note=absence.note if detailed else "",
                )
            )

    return Calendar(
        tz=tz,
        days=days,
        therapists=[
            TherapistCalendar(therapist=t, days=[by_day[(t.pk, day)] for day in days])
            for t in therapists
        ],
    )


# --- Appointments and time off the caller may change -------------------------------------------


def appointment_get_for_staff(*, user: User, pk: int) -> Appointment:
    """Return an appointment ``user`` may change, with therapist, location, type and patient.

    Raises ``Appointment.DoesNotExist`` alike for a missing row and for one the caller may not
    change (another therapist's, for a therapist).
    """
    appointments = Appointment.objects.select_related(
        "therapist__user", "location", "appointment_type", "patient__patient_profile"
    )
    if not staff_manages_all(user):
        appointments = appointments.filter(therapist__user=user)
    return appointments.get(pk=pk)


def patient_find_by_email(*, email: str) -> User | None:
    """Return the user with this email, in any case, or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def time_off_list_for_staff(*, user: User, now: dt.datetime | None = None) -> QuerySet[TimeOff]:
    """Return the current and upcoming time off ``user`` may change, soonest first."""
    now = now if now is not None else timezone.now()
    time_off = TimeOff.objects.filter(end__gt=now).select_related("therapist__location")
    if not staff_manages_all(user):
        time_off = time_off.filter(therapist__user=user)
    return time_off.order_by("start", "pk")


def time_off_get_for_staff(*, user: User, pk: int) -> TimeOff:
    """Return time off ``user`` may change; ``TimeOff.DoesNotExist`` alike when missing or not."""
    time_off = TimeOff.objects.select_related("therapist")
    if not staff_manages_all(user):
        time_off = time_off.filter(therapist__user=user)
    return time_off.get(pk=pk)


def appointment_list_overlapping(
    *, therapist: Therapist, start: dt.datetime, end: dt.datetime
) -> list[Appointment]:
    """Return the therapist's active appointments overlapping [start, end), soonest first."""
    return list(
        Appointment.objects.filter(
            therapist=therapist, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
        )
        .select_related("appointment_type", "patient", "location")
        .order_by("start")
    )


# --- Calendar feed -----------------------------------------------------------------------------


def therapist_get_by_feed_token(*, token_hash: str) -> Therapist:
    """Return the active therapist whose feed token hashes to ``token_hash``.

    Raises ``Therapist.DoesNotExist`` for an unknown, revoked or deactivated therapist's token.
    """
    if not token_hash:
        raise Therapist.DoesNotExist
    return Therapist.objects.select_related("location").get(
        calendar_token_hash=token_hash, user__is_active=True
    )


def appointment_list_for_feed(
    *, therapist: Therapist, now: dt.datetime | None = None
) -> QuerySet[Appointment]:
    """Return the therapist's appointments of any status from 30 days back to the horizon.

    The horizon is the therapist's location's booking horizon. Loads location, therapist and
    type, which is all ``ics.appointments_to_ical`` needs; never the patient.
    """
    now = now if now is not None else timezone.now()
    horizon = dt.timedelta(days=booking_rules_get(location=therapist.location).horizon_days)
    return (
        Appointment.objects.filter(
            therapist=therapist, start__gte=now - FEED_PAST, start__lte=now + horizon
        )
        .select_related("location", "therapist", "appointment_type")
        .defer("reason", "red_flags")
        .order_by("start", "pk")
    )


# --- Reminders ---------------------------------------------------------------------------------


def appointment_list_reminder_due(
    *, now: dt.datetime, within: dt.timedelta, limit: int | None = None
) -> list[int]:
    """Return ids of booked appointments starting in (now, now + within] without a reminder.

    Soonest first. A row listed here may be claimed by another worker before this one gets
    to it; ``appointment_reminder_send`` re-checks everything in its claim.
    """
    ids = Appointment.objects.filter(
        status=AppointmentStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gt=now,
        start__lte=now + within,
    ).order_by("start", "pk")
    values = ids.values_list("pk", flat=True)
    return list(values[:limit] if limit is not None else values)
