"""Staff pages under /staff/: the calendar, booking for patients, outcomes, time off, feeds.

Every page but the feed needs a signed-in therapist, front desk or admin (``staff_required``);
what each role sees and may change is in ``selectors_staff``. The feed answers calendar apps,
which have no session: the secret token in its URL is the credential.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from stride.accounts.permissions import staff_required
from stride.audit.models import AuditAction, AuditOutcome
from stride.audit.services import audit_patient_access
from stride.core import timefmt

from . import selectors_staff as sel
from .forms_staff import (
    AppointmentMoveForm,
    CalendarQueryForm,
    MarkForm,
    StaffBookingForm,
    TimeOffForm,
)
from .ics import appointments_to_ical
from .models import Appointment, AppointmentStatus, Location, Therapist, TimeOff
from .services import (
    BookingInvalid,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
    patient_get_or_create,
    time_off_create,
    time_off_delete,
)
from .services.calendar_feed import calendar_feed_token_hash
from .services.errors import SLOT_MESSAGES

# The new feed token waits here between the POST that issues it and the page that shows it once.
FEED_TOKEN_SESSION_KEY = "staff:new-feed-token"  # noqa: S105 (a key name, not a secret)

MARK_LABELS = {status: AppointmentStatus(status).label for status in sel.MARK_ORDER}


def _calendar_url(**params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('staff:calendar')}?{query}" if query else reverse("staff:calendar")


def _next_url(request: HttpRequest, default: str) -> str:
    """Return the submitted ``next`` when it is a staff page of this site, else ``default``."""
    candidate = request.POST.get("next", "") or request.GET.get("next", "")
    if candidate.startswith("/staff/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _appointment_or_404(request: HttpRequest, pk: int) -> Appointment:
    try:
        return sel.appointment_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None


def _slot_message(exc: SlotUnavailable, therapist: Therapist) -> str:
    if exc.reason == "busy":
        return (
            f"{therapist.display_name} already has a visit at that time (or the time kept free "
            "after one). Choose another time or therapist."
        )
    if exc.reason == "unavailable":
        return f"{therapist.display_name} is away or the clinic is closed at that time."
    return SLOT_MESSAGES.get(exc.reason, str(exc))


def _audit_appointment(
    request: HttpRequest,
    appointment: Appointment,
    action: str,
    outcome: str = AuditOutcome.OK,
    **detail: Any,
) -> None:
    """Record a staff read or change of one appointment: names and statuses, never its reason."""
    audit_patient_access(
        request,
        patient=appointment.patient,
        action=action,
        object_type="appointment",
        object_id=appointment.pk,
        outcome=outcome,
        detail=detail,
    )


def _describe(appointment: Appointment) -> str:
    tz = appointment.location.tzinfo
    return (
        f"{appointment.appointment_type.name} for {appointment.patient.get_full_name() or 'the patient'} "
        f"with {appointment.therapist.display_name} on "
        f"{timefmt.format_datetime(appointment.start, tz)}"
    )


@require_safe
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Send staff to the calendar, the page they start from."""
    return redirect("staff:calendar")


# --- Calendar ----------------------------------------------------------------------------------


@require_safe
@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Show a day or a week of one therapist, or of every therapist at one location.

    Without parameters a therapist sees their own week and others the first location's. Runs
    the same number of queries whatever the number of appointments and therapists.
    """
    user: Any = request.user
    form = CalendarQueryForm(request.GET)
    therapists = sel.therapist_list_for_calendar()
    locations = sel.location_list()
    context: dict[str, Any] = {
        "section": "calendar",
        "form": form,
        "therapists": therapists,
        "locations": locations,
    }
    if not form.is_valid():
        return render(request, "scheduling/staff/calendar.html", context, status=400)

    data = form.cleaned_data
    therapist: Therapist | None = None
    location: Location | None = None
    if data["therapist"]:
        therapist = next((t for t in therapists if t.pk == data["therapist"]), None)
        if therapist is None:
            form.add_error("therapist", "There is no such therapist.")
    elif data["location"]:
        location = next((loc for loc in locations if loc.pk == data["location"]), None)
        if location is None:
            form.add_error("location", "There is no such location.")
    else:
        therapist = next((t for t in therapists if t.user_id == user.pk), None)
        location = locations[0] if therapist is None and locations else None
    if form.errors:
        return render(request, "scheduling/staff/calendar.html", context, status=400)
    if therapist is not None:
        location = therapist.location
        shown = [therapist]
    elif location is not None:
        shown = [t for t in therapists if t.location_id == location.pk]
    else:
        return render(request, "scheduling/staff/calendar.html", context)
    tz = location.tzinfo
    now = timezone.now()
    today = now.astimezone(tz).date()
    day = data["date"] or today
    view = data["view"] or "week"
    if view == "day":
        first = last = day
        step = dt.timedelta(days=1)
    else:
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
        step = dt.timedelta(days=7)

    scope = {"therapist": therapist.pk} if therapist else {"location": location.pk}
    calendar_ = sel.calendar_get(
        user=user, therapists=shown, tz=tz, first_day=first, last_day=last, now=now
    )
    for row in calendar_.therapists:
        for calendar_day in row.days:
            calendar_day.link = _calendar_url(view="day", date=calendar_day.date, **scope)
    # One row per page shown, however many patients' visits it lists.
    audit_patient_access(
        request,
        patient=None,
        action=AuditAction.RECORD_VIEW,
        object_type="calendar",
        detail={"count": calendar_.appointment_count, "view": view, "first": str(first), **scope},
    )
    context.update(
        {
            "therapist": therapist,
            "location": location,
            "view": view,
            "tz": tz,
            "tz_name": tz.key,
            "today": today,
            "day": day,
            "first": first,
            "last": last,
            "calendar": calendar_,
            "day_headers": [
                (d, _calendar_url(view="day", date=d, **scope)) for d in calendar_.days
            ],
            "prev_url": _calendar_url(view=view, date=day - step, **scope),
            "next_url": _calendar_url(view=view, date=day + step, **scope),
            "today_url": _calendar_url(view=view, **scope),
            "day_view_url": _calendar_url(view="day", date=day, **scope),
            "week_view_url": _calendar_url(view="week", date=day, **scope),
            "can_book": user.role != "therapist" or any(t.user_id == user.pk for t in therapists),
            "here": request.get_full_path(),
        }
    )
    return render(request, "scheduling/staff/calendar.html", context)


# --- Booking and changing appointments ---------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book a visit on a patient's behalf; staff are not held to the online booking rules."""
    user: Any = request.user
    therapists = sel.therapist_list_manageable(user=user)
    initial = {
        key: request.GET[key] for key in ("therapist", "date", "time") if request.GET.get(key)
    }
    form = StaffBookingForm(
        request.POST if request.method == "POST" else None, therapists=therapists, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused booking leaves no new patient behind
                existing = data.get("existing_patient")
                patient = patient_get_or_create(
                    email=data["email"],
                    name=data["name"] or (existing.get_full_name() if existing else ""),
                    phone=data["phone"],
                    date_of_birth=data["date_of_birth"],
                )
                appointment = appointment_book(
                    patient=patient,
                    therapist=data["therapist"],
                    appointment_type=data["appointment_type"],
                    start=data["start"],
                    booked_by=user,
                    enforce_rules=False,
                )
        except SlotUnavailable as exc:
            form.add_error(None, _slot_message(exc, data["therapist"]))
        except BookingInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            _audit_appointment(request, appointment, AuditAction.RECORD_CHANGE, change="booked")
            messages.success(request, f"Booked: {_describe(appointment)}.")
            local_day = appointment.start.astimezone(appointment.location.tzinfo).date()
            return redirect(
                _calendar_url(view="day", date=local_day, therapist=appointment.therapist_id)
            )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "scheduling/staff/appointment_new.html",
        {"section": "book", "form": form, "has_therapists": therapists.exists()},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a booked visit to another time (and, for front desk and admins, therapist)."""
    user: Any = request.user
    appointment = _appointment_or_404(request, pk)
    tz = appointment.location.tzinfo
    local_start = appointment.start.astimezone(tz)
    form = AppointmentMoveForm(
        request.POST if request.method == "POST" else None,
        therapists=sel.therapist_list_manageable(user=user),
        initial={
            "therapist": appointment.therapist_id,
            "date": local_start.date(),
            "time": local_start.time(),
        },
    )
    movable = appointment.status == AppointmentStatus.CONFIRMED
    before = (appointment.start, appointment.therapist_id)
    if request.method == "POST" and movable and form.is_valid():
        data = form.cleaned_data
        try:
            moved = appointment_reschedule(
                appointment=appointment,
                start=data["start"],
                therapist=data["therapist"],
                by_patient=False,
            )
        except SlotUnavailable as exc:
            form.add_error(None, _slot_message(exc, data["therapist"]))
        except BookingInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            moved = sel.appointment_get_for_staff(user=user, pk=moved.pk)
            changed = [
                name
                for name, old, new in zip(
                    ("start", "therapist"), before, (moved.start, moved.therapist_id), strict=True
                )
                if old != new
            ]
            _audit_appointment(
                request, moved, AuditAction.RECORD_CHANGE, change="moved", fields=changed
            )
            messages.success(request, f"Moved: {_describe(moved)}.")
            local_day = moved.start.astimezone(moved.location.tzinfo).date()
            return redirect(_calendar_url(view="day", date=local_day, therapist=moved.therapist_id))
    if request.method == "POST":
        _audit_appointment(
            request, appointment, AuditAction.RECORD_CHANGE, AuditOutcome.FAILED, change="moved"
        )
    else:  # the page shows the visit and the patient's contact details
        _audit_appointment(request, appointment, AuditAction.RECORD_VIEW)
    return render(
        request,
        "scheduling/staff/appointment_move.html",
        {
            "section": "calendar",
            "form": form,
            "appointment": appointment,
            "movable": movable,
            "back": _calendar_url(
                view="day", date=local_start.date(), therapist=appointment.therapist_id
            ),
            "profile": getattr(appointment.patient, "patient_profile", None),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask before cancelling a visit (GET); cancel it, freeing its time at once (POST)."""
    appointment = _appointment_or_404(request, pk)
    tz = appointment.location.tzinfo
    default = _calendar_url(
        view="day",
        date=appointment.start.astimezone(tz).date(),
        therapist=appointment.therapist_id,
    )
    if request.method == "POST":
        try:
            appointment_cancel(appointment=appointment, by_patient=False)
        except BookingInvalid as exc:
            _audit_appointment(
                request,
                appointment,
                AuditAction.RECORD_CHANGE,
                AuditOutcome.FAILED,
                change="cancelled",
            )
            messages.error(request, exc.message)
        else:
            _audit_appointment(
                request,
                appointment,
                AuditAction.RECORD_CHANGE,
                change="cancelled",
                fields=["status"],
            )
            messages.success(request, f"Cancelled: {_describe(appointment)}.")
        return redirect(_next_url(request, default))
    _audit_appointment(request, appointment, AuditAction.RECORD_VIEW)
    return render(
        request,
        "scheduling/staff/appointment_cancel.html",
        {
            "section": "calendar",
            "appointment": appointment,
            "cancellable": appointment.status == AppointmentStatus.CONFIRMED,
            "next": _next_url(request, default),
            "back": default,
        },
    )


@require_POST
@staff_required
def appointment_mark_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit's outcome: arrived, completed, no-show or late cancellation."""
    appointment = _appointment_or_404(request, pk)
    tz = appointment.location.tzinfo
    default = _calendar_url(
        view="day",
        date=appointment.start.astimezone(tz).date(),
        therapist=appointment.therapist_id,
    )
    form = MarkForm(request.POST, statuses=tuple(MARK_LABELS))
    if not form.is_valid():
        messages.error(request, "Choose an outcome to record.")
        return redirect(_next_url(request, default))
    status = form.cleaned_data["status"]
    try:
        appointment_mark(appointment=appointment, status=status, by=request.user)  # type: ignore[arg-type]
    except BookingInvalid as exc:
        _audit_appointment(
            request, appointment, AuditAction.RECORD_CHANGE, AuditOutcome.FAILED, change="marked"
        )
        messages.error(request, exc.message)
    else:
        _audit_appointment(
            request,
            appointment,
            AuditAction.RECORD_CHANGE,
            change="marked",
            fields=["status"],
            status=status,
        )
        messages.success(
            request, f"Recorded {MARK_LABELS[status].lower()}: {_describe(appointment)}."
        )
    return redirect(_next_url(request, default))


# --- Time off ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def time_off(request: HttpRequest) -> HttpResponse:
    """List current and upcoming time off and add more (therapists: their own only)."""
    user: Any = request.user
    therapists = sel.therapist_list_manageable(user=user)
    form = TimeOffForm(request.POST if request.method == "POST" else None, therapists=therapists)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = time_off_create(
                therapist=data["therapist"],
                start=data["start"],
                end=data["end"],
                kind=data["kind"],
                note=data["note"],
                by=user,
            )
        except BookingInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            absence = created.time_off
            therapist = data["therapist"]
            tz = therapist.location.tzinfo
            messages.success(
                request,
                f"Time off added for {therapist.display_name}: "
                f"{timefmt.format_datetime(absence.start, tz)} – "
                f"{timefmt.format_datetime(absence.end, tz)}.",
            )
            if created.overlapping:
                listed = "; ".join(
                    f"{timefmt.format_datetime(a.start, tz)}, {a.appointment_type.name} "
                    f"({a.patient.get_full_name() or a.patient.email})"
                    for a in created.overlapping
                )
                count = len(created.overlapping)
                messages.warning(
                    request,
                    f"{count} booked visit{'s' if count != 1 else ''} fall{'s' if count == 1 else ''} "
                    f"in this time off and {'are' if count != 1 else 'is'} still booked: {listed}. "
                    "Move or cancel them from the calendar.",
                )
            return redirect("staff:time_off")
    return render(
        request,
        "scheduling/staff/time_off.html",
        {
            "section": "time_off",
            "form": form,
            "has_therapists": therapists.exists(),
            "time_off_list": sel.time_off_list_for_staff(user=user),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@staff_required
def time_off_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove time off the caller may change."""
    try:
        absence = sel.time_off_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    except TimeOff.DoesNotExist:
        raise Http404("No such time off.") from None
    time_off_delete(time_off=absence, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Time off removed for {absence.therapist.display_name}.")
    return redirect("staff:time_off")


# --- Calendar feed -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Show a therapist's private feed address once when issued; issue a new one or revoke it."""
    therapist = sel.therapist_get_for_user(user=request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        if therapist is None:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "rotate":
            token = calendar_feed_token_rotate(therapist=therapist)
            request.session[FEED_TOKEN_SESSION_KEY] = token
            messages.success(
                request, "Your new feed address is ready; any earlier one stopped working."
            )
        elif action == "revoke":
            calendar_feed_token_revoke(therapist=therapist)
            request.session.pop(FEED_TOKEN_SESSION_KEY, None)
            messages.success(
                request, "Your calendar feed is turned off; its address no longer works."
            )
        else:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        return redirect("staff:calendar_feed")
    token = request.session.pop(FEED_TOKEN_SESSION_KEY, None)
    feed_url = (
        request.build_absolute_uri(reverse("staff:feed", kwargs={"token": token}))
        if token and therapist is not None
        else None
    )
    response = render(
        request,
        "scheduling/staff/calendar_feed.html",
        {"section": "feed", "therapist": therapist, "feed_url": feed_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a therapist's appointments as iCalendar to a calendar app; the token is the key.

    No session is needed or read. An unknown or revoked token is a 404. Events carry the visit
    type and an appointment number, never the patient's name or clinical details.
    """
    try:
        therapist = sel.therapist_get_by_feed_token(token_hash=calendar_feed_token_hash(token))
    except Therapist.DoesNotExist:
        raise Http404("No such feed.") from None
    body = appointments_to_ical(
        sel.appointment_list_for_feed(therapist=therapist),
        name=f"{therapist.display_name}: appointments",
        for_staff=True,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
