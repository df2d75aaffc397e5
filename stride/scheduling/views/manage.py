"""A booked visit's private pages at ``/appointments/<id>/manage/<token>/``.

Only the token's hash is stored; a wrong token or id is the same 404. The pages are never
cached, indexed, or named in a Referer header (``private_page``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.core import timefmt
from stride.core.ratelimit import rate_limit

from .. import availability as engine
from ..forms import ANY_THERAPIST, TherapistForm, start_format, start_parse
from ..ics import appointments_to_ical
from ..links import appointment_manage_path
from ..models import Appointment, AppointmentStatus
from ..selectors import appointment_get_by_token, therapist_list_bookable, therapist_list_free_at
from ..services import (
    BookingInvalid,
    CancellationWindowPassed,
    SlotUnavailable,
    appointment_cancel,
    appointment_reschedule,
)
from .common import (
    TAKEN_REASONS,
    Choice,
    appointment_context,
    can_change,
    private_page,
    slot_problem,
    week_build,
)


def _appointment_get(pk: int, token: str) -> Appointment:
    """Return the appointment the manage link opens; 404 alike for a wrong token or id."""
    try:
        appointment = appointment_get_by_token(token=token)
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None
    if appointment.pk != pk:
        raise Http404("No such appointment.")
    return appointment


def _see_manage(appointment: Appointment, token: str) -> HttpResponse:
    return HttpResponseRedirect(appointment_manage_path(appointment, token), status=303)


def _render_manage(
    request: HttpRequest, appointment: Appointment, token: str, *, problem: str = ""
) -> HttpResponse:
    context = appointment_context(appointment, token)
    context["problem"] = problem
    return render(request, "scheduling/manage.html", context)


@require_safe
@private_page
def manage(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Show a booked visit with ways to add it to a calendar, move it or cancel it."""
    return _render_manage(request, _appointment_get(pk, token), token)


@require_safe
@private_page
def manage_calendar(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Download the visit as an iCalendar file (same UID as the emails' attachments)."""
    appointment = _appointment_get(pk, token)
    body = appointments_to_ical([appointment], name=f"{appointment.location.name} appointment")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


def _too_late(appointment: Appointment) -> str:
    return (
        "It is too late to change this appointment online. Please call us at "
        f"{appointment.location.phone}."
    )


@csrf_exempt  # see private_page: the token in the path is the credential
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("booking", "STRIDE_RATE_LIMIT_BOOKING")
@private_page
def manage_cancel(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Ask "cancel this visit?"; the POST cancels it (online only until the window closes)."""
    appointment = _appointment_get(pk, token)
    if request.method == "POST":
        try:
            appointment = appointment_cancel(appointment=appointment, by_patient=True)
        except CancellationWindowPassed:
            return _render_manage(request, appointment, token, problem=_too_late(appointment))
        except BookingInvalid as exc:
            return _render_manage(request, appointment, token, problem=exc.message)
        messages.success(
            request, "Your appointment is cancelled. We have emailed you a confirmation."
        )
        return _see_manage(appointment, token)
    if not can_change(appointment):
        return _see_manage(appointment, token)
    context = appointment_context(appointment, token)
    return render(request, "scheduling/manage_cancel.html", context)


def _reschedule_choice(appointment: Appointment, value: str | None) -> Choice:
    """Return the therapist choice for moving a visit: its own therapist unless told otherwise."""
    appointment_type = appointment.appointment_type
    therapists = list(
        therapist_list_bookable(appointment_type=appointment_type, location=appointment.location)
    )
    form = TherapistForm({"therapist": value or ""}, therapists=therapists)
    if form.is_valid():
        therapist = form.chosen()
    else:
        therapist = next((t for t in therapists if t.pk == appointment.therapist_id), None)
    return Choice(
        appointment_type=appointment_type, therapist=therapist, location=appointment.location
    )


def _reschedule(appointment: Appointment, choice: Choice, start: dt.datetime) -> Appointment:
    """Move the visit to ``start``; "any therapist" keeps its therapist when they are free."""
    if choice.therapist is not None:
        candidates = [choice.therapist]
    else:
        candidates, reason = therapist_list_free_at(
            appointment_type=choice.appointment_type,
            start=start,
            location=choice.location,
            exclude_appointment_id=appointment.pk,
        )
        if not candidates:
            raise SlotUnavailable(reason or engine.BUSY)
        candidates.sort(key=lambda t: t.pk != appointment.therapist_id)
    for index, therapist in enumerate(candidates):
        try:
            return appointment_reschedule(
                appointment=appointment, start=start, therapist=therapist, by_patient=True
            )
        except SlotUnavailable as exc:
            if exc.reason not in TAKEN_REASONS or index == len(candidates) - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _render_reschedule(
    request: HttpRequest,
    appointment: Appointment,
    token: str,
    choice: Choice,
    *,
    week: Any = None,
    problem: str = "",
) -> HttpResponse:
    path = reverse("scheduling:manage_reschedule", args=[appointment.pk, token])
    context = appointment_context(appointment, token)
    context.update(
        {
            "choice": choice,
            "problem": problem,
            "week": week_build(
                appointment_type=choice.appointment_type,
                location=choice.location,
                therapist=choice.therapist,
                week=week,
            ),
            "week_base": f"{path}?{urlencode({'therapist': choice.therapist_param})}",
            "slot_base": f"{path}?{urlencode({'therapist': choice.therapist_param})}",
            "own_therapist_url": f"{path}?{urlencode({'therapist': appointment.therapist.slug})}",
            "any_therapist_url": f"{path}?{urlencode({'therapist': ANY_THERAPIST})}",
        }
    )
    if getattr(request, "htmx", False) and not problem:
        return render(request, "scheduling/_week.html", context)
    return render(request, "scheduling/manage_reschedule.html", context)


@csrf_exempt  # see private_page: the token in the path is the credential
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("booking", "STRIDE_RATE_LIMIT_BOOKING")
@vary_on_headers("HX-Request")
@private_page
def manage_reschedule(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Choose a new time (a week at a time), confirm it, and move the visit by POST."""
    appointment = _appointment_get(pk, token)
    if not can_change(appointment):
        if appointment.status == AppointmentStatus.CONFIRMED and request.method == "POST":
            return _render_manage(request, appointment, token, problem=_too_late(appointment))
        return _see_manage(appointment, token)
    data = request.POST if request.method == "POST" else request.GET
    choice = _reschedule_choice(appointment, data.get("therapist"))
    start = start_parse(data.get("start"))
    tz = appointment.location.tzinfo
    if request.method == "POST":
        if start is None:
            return _render_reschedule(
                request, appointment, token, choice, problem="Choose one of the times shown."
            )
        try:
            moved = _reschedule(appointment, choice, start)
        except SlotUnavailable as exc:
            return _render_reschedule(
                request,
                appointment,
                token,
                choice,
                week=start.astimezone(tz).date(),
                problem=slot_problem(exc.reason),
            )
        except CancellationWindowPassed:
            return _render_manage(request, appointment, token, problem=_too_late(appointment))
        except BookingInvalid as exc:
            return _render_reschedule(request, appointment, token, choice, problem=exc.message)
        messages.success(
            request,
            f"Your appointment has moved to {timefmt.format_datetime(moved.start, tz)}. "
            "We have emailed you the new time.",
        )
        return _see_manage(moved, token)

    if start is None:
        return _render_reschedule(request, appointment, token, choice, week=request.GET.get("week"))
    therapists, reason = therapist_list_free_at(
        appointment_type=choice.appointment_type,
        start=start,
        location=choice.location,
        therapist=choice.therapist,
        exclude_appointment_id=appointment.pk,
    )
    if not therapists:
        return _render_reschedule(
            request,
            appointment,
            token,
            choice,
            week=start.astimezone(tz).date(),
            problem=slot_problem(reason),
        )
    context = appointment_context(appointment, token)
    context.update(
        {
            "choice": choice,
            "new_start": start,
            "new_end": start + (appointment.end - appointment.start),
            "start_value": start_format(start, tz),
            "back_url": f"{reverse('scheduling:manage_reschedule', args=[pk, token])}?"
            + urlencode({"therapist": choice.therapist_param}),
        }
    )
    return render(request, "scheduling/manage_reschedule_confirm.html", context)
