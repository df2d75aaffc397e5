"""The public booking steps: visit, therapist, time, details, then the confirmation.

Everything works without JavaScript. Each step is a GET page whose choices ride in the
querystring (``type``, ``therapist``, ``week``, ``start``); the details form POSTs once and
redirects (303) to the confirmation. Nothing carried between steps is trusted: the final POST
re-validates all of it, and the booking service re-checks the slot under its lock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.accounts.models import PatientProfile, Role, User
from stride.core.ratelimit import rate_limit

from .. import availability as engine
from ..forms import (
    ANY_THERAPIST,
    AppointmentTypeForm,
    BookingDetailsForm,
    TherapistForm,
    start_format,
    start_parse,
)
from ..models import Appointment, AppointmentType, Location, Therapist, manage_token_hash
from ..selectors import (
    appointment_get_by_idempotency_key,
    appointment_get_for_patient,
    appointment_type_list_online,
    booking_rules_get,
    therapist_list_bookable,
    therapist_list_free_at,
)
from ..services import BookingInvalid, SlotUnavailable, appointment_book, patient_get_or_create
from .common import (
    TAKEN_REASONS,
    Choice,
    appointment_context,
    private_page,
    slot_problem,
    week_build,
    zone_label,
)

# How long the confirmation page stays viewable in the browser that booked.
CONFIRMATION_TTL = dt.timedelta(hours=2)

CONFIRMATION_SESSION_KEY = "scheduling:booked"


def _location_for_any(therapists: list[Therapist]) -> Location | None:
    """Return the location whose times "any therapist" shows: the primary one, else by name."""
    locations = {t.location_id: t.location for t in therapists}
    ordered = sorted(locations.values(), key=lambda loc: (not loc.is_primary, loc.name))
    return ordered[0] if ordered else None


def _render_type_step(request: HttpRequest, form: AppointmentTypeForm) -> HttpResponse:
    selected = form["type"].value() if form.is_bound else request.GET.get("type")
    types = list(appointment_type_list_online())
    return render(
        request,
        "scheduling/book.html",
        {
            "form": form,
            "step": 1,
            "new_patient_types": [t for t in types if t.new_patients],
            "returning_types": [t for t in types if not t.new_patients],
            "selected": selected,
        },
    )


def _render_therapist_step(
    request: HttpRequest,
    form: TherapistForm,
    appointment_type: AppointmentType,
    therapists: list[Therapist],
) -> HttpResponse:
    selected = form["therapist"].value() if form.is_bound else form.initial.get("therapist")
    return render(
        request,
        "scheduling/book_therapist.html",
        {
            "form": form,
            "step": 2,
            "appointment_type": appointment_type,
            "therapists": therapists,
            "selected": selected or ANY_THERAPIST,
            "any_therapist": ANY_THERAPIST,
        },
    )


def _choice_from(request: HttpRequest, data: QueryDict) -> Choice | HttpResponse:
    """Return the visit type and therapist ``data`` names, or the step that must be redone."""
    type_form = AppointmentTypeForm(data)
    if not type_form.is_valid():
        return _render_type_step(request, type_form)
    appointment_type: AppointmentType = type_form.cleaned_data["type"]
    therapists = list(therapist_list_bookable(appointment_type=appointment_type))
    form = TherapistForm(data, therapists=therapists)
    therapist = form.chosen() if form.is_valid() else None
    location = therapist.location if therapist is not None else _location_for_any(therapists)
    if not form.is_valid() or location is None:
        return _render_therapist_step(request, form, appointment_type, therapists)
    return Choice(appointment_type=appointment_type, therapist=therapist, location=location)


def _render_time_step(
    request: HttpRequest,
    choice: Choice,
    *,
    week: Any = None,
    problem: str = "",
) -> HttpResponse:
    context = {
        "step": 3,
        "choice": choice,
        "week": week_build(
            appointment_type=choice.appointment_type,
            location=choice.location,
            therapist=choice.therapist,
            week=week,
        ),
        "week_base": f"{reverse('scheduling:book_time')}?{choice.query()}",
        "slot_base": f"{reverse('scheduling:book_details')}?{choice.query()}",
        "problem": problem,
    }
    if getattr(request, "htmx", False) and not problem:
        return render(request, "scheduling/_week.html", context)
    return render(request, "scheduling/book_time.html", context)


def _render_details_step(
    request: HttpRequest,
    choice: Choice,
    form: BookingDetailsForm,
    *,
    start: dt.datetime | None,
    show_times: bool = False,
    urgent: bool = False,
) -> HttpResponse:
    tz = choice.location.tzinfo
    week = None
    if show_times:
        week = week_build(
            appointment_type=choice.appointment_type,
            location=choice.location,
            therapist=choice.therapist,
            week=start.astimezone(tz).date() if start is not None else None,
        )
    return render(
        request,
        "scheduling/book_details.html",
        {
            "step": 4,
            "choice": choice,
            "form": form,
            "start": start,
            "end": start + choice.appointment_type.duration if start is not None else None,
            "tz": choice.location.timezone,
            "zone": zone_label(choice.location),
            "week": week,
            "urgent": urgent,
            "time_url": f"{reverse('scheduling:book_time')}?{choice.query()}",
            "therapist_url": f"{reverse('scheduling:book_therapist')}?{choice.query()}",
            "type_url": f"{reverse('scheduling:book')}?{choice.query()}",
        },
    )


@require_safe
def book(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the kind of visit (new patients start with an evaluation)."""
    return _render_type_step(request, AppointmentTypeForm())


@require_safe
def book_therapist(request: HttpRequest) -> HttpResponse:
    """Step 2: choose a therapist who offers the visit, or any of them."""
    type_form = AppointmentTypeForm(request.GET)
    if not type_form.is_valid():
        return _render_type_step(request, type_form)
    appointment_type = type_form.cleaned_data["type"]
    therapists = list(therapist_list_bookable(appointment_type=appointment_type))
    form = TherapistForm(
        initial={"therapist": request.GET.get("therapist", ANY_THERAPIST)}, therapists=therapists
    )
    return _render_therapist_step(request, form, appointment_type, therapists)


@require_safe
@vary_on_headers("HX-Request")
def book_time(request: HttpRequest) -> HttpResponse:
    """Step 3: a week of free times; the week's links swap it in place when scripts run."""
    choice = _choice_from(request, request.GET)
    if isinstance(choice, HttpResponse):
        return choice
    return _render_time_step(request, choice, week=request.GET.get("week"))


def _book(choice: Choice, form: BookingDetailsForm) -> tuple[Appointment, User]:
    """Book the chosen time for the patient the form names; "any" tries the free therapists.

    One transaction: a refused booking leaves no new patient behind. A repeated idempotency key
    goes to the therapist of the earlier booking, so the service answers with that booking.
    """
    data = form.cleaned_data
    start: dt.datetime = data["start"]
    key: str = data["idempotency_key"]
    with transaction.atomic():
        patient = patient_get_or_create(
            email=data["email"],
            name=data["name"],
            phone=data["phone"],
            date_of_birth=data["date_of_birth"],
        )
        earlier = appointment_get_by_idempotency_key(patient=patient, idempotency_key=key)
        if earlier is not None:
            candidates = [earlier.therapist]
        elif choice.therapist is not None:
            candidates = [choice.therapist]
        else:
            candidates, reason = therapist_list_free_at(
                appointment_type=choice.appointment_type, start=start, location=choice.location
            )
            if not candidates:
                raise SlotUnavailable(reason or engine.BUSY)
        for index, therapist in enumerate(candidates):
            try:
                appointment = appointment_book(
                    patient=patient,
                    therapist=therapist,
                    appointment_type=choice.appointment_type,
                    start=start,
                    reason=data["reason"],
                    insurance_plan=data["insurance_plan"],
                    has_referral=data["has_referral"],
                    red_flags=form.red_flags(),
                    idempotency_key=key,
                )
            except SlotUnavailable as exc:
                # Taken since the list was read: the next free therapist may still have it.
                if exc.reason not in TAKEN_REASONS or index == len(candidates) - 1:
                    raise
            else:
                return appointment, patient
    raise AssertionError("unreachable")  # pragma: no cover


def _book_once_more_after_a_race(
    choice: Choice, form: BookingDetailsForm
) -> tuple[Appointment, User]:
    """Book; when a concurrent submit of the same form won, answer with its booking.

    Two submits of one form can run at once (PostgreSQL) and miss each other's uncommitted
    row; with "any therapist" they may even pick different therapists. The loser then meets
    the unique (patient, idempotency key) constraint, either in the model's validation (a
    BookingInvalid on "__all__") or at the insert (IntegrityError). The winner has committed
    by then, so a second attempt finds its booking and replays it.
    """
    try:
        return _book(choice, form)
    except BookingInvalid as exc:
        if exc.field != "__all__":
            raise
    except IntegrityError as exc:
        if "idempotency" not in str(exc):
            raise
    return _book(choice, form)


def _booking_invalid_show(form: BookingDetailsForm, exc: BookingInvalid, choice: Choice) -> None:
    """Put a refusal of the booking service on the form, next to the field it concerns."""
    if exc.field in ("name", "email", "phone", "date_of_birth", "reason", "insurance_plan"):
        form.add_error(exc.field, exc.message)
    elif exc.field == "idempotency_key":
        form.add_error(
            None,
            "You have already booked a visit with this form; your confirmation email has its "
            "details. To book another visit, start again from the first step.",
        )
    elif exc.field == "appointment_type" and not choice.appointment_type.new_patients:
        form.add_error(
            None,
            f"{exc.message} If you have visited us before, use the email address you gave us "
            "then; if not, please choose an initial evaluation.",
        )
    else:
        form.add_error(None, exc.message)


def _confirmation_remember(request: HttpRequest, appointment: Appointment, patient: User) -> None:
    """Keep what the confirmation page shows in the session of the browser that booked.

    A double-clicked submit answers with the earlier booking and no token: the first answer's
    link is kept when this session already holds it.
    """
    stored = request.session.get(CONFIRMATION_SESSION_KEY) or {}
    token = appointment.manage_token
    if token is None and stored.get("id") == appointment.pk:
        token = stored.get("token")
    request.session[CONFIRMATION_SESSION_KEY] = {
        "id": appointment.pk,
        "patient": patient.pk,
        "token": token,
        "at": timezone.now().timestamp(),
    }


def _signed_in_patient_initial(request: HttpRequest) -> dict[str, str]:
    """Return the signed-in patient's name, email and phone to fill in the details form."""
    user = request.user
    if not (isinstance(user, User) and user.is_active and user.role == Role.PATIENT):
        return {}
    try:
        phone = user.patient_profile.phone
    except PatientProfile.DoesNotExist:
        phone = ""
    return {"name": user.get_full_name(), "email": user.email, "phone": phone}


def _see_confirmation() -> HttpResponse:
    # 303: the browser fetches the confirmation with GET, so reloading it books nothing.
    return HttpResponseRedirect(reverse("scheduling:book_confirmed"), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("booking", "STRIDE_RATE_LIMIT_BOOKING")
def book_details(request: HttpRequest) -> HttpResponse:
    """Step 4: the patient's details and screening questions; a valid POST books the visit."""
    data = request.POST if request.method == "POST" else request.GET
    choice = _choice_from(request, data)
    if isinstance(choice, HttpResponse):
        return choice
    rules = booking_rules_get(location=choice.location)
    hours = rules.cancellation_window_hours

    if request.method != "POST":
        start = start_parse(request.GET.get("start"))
        if start is None:
            return _render_time_step(request, choice, problem="Choose one of the times shown.")
        therapists, reason = therapist_list_free_at(
            appointment_type=choice.appointment_type,
            start=start,
            location=choice.location,
            therapist=choice.therapist,
        )
        if not therapists:
            return _render_time_step(
                request,
                choice,
                week=start.astimezone(choice.location.tzinfo).date(),
                problem=slot_problem(reason),
            )
        form = BookingDetailsForm(
            initial={
                "type": choice.appointment_type.slug,
                "therapist": choice.therapist_param,
                "start": start_format(start, choice.location.tzinfo),
                "idempotency_key": uuid.uuid4().hex,
                **_signed_in_patient_initial(request),
            },
            cancellation_window_hours=hours,
        )
        return _render_details_step(request, choice, form, start=start)

    form = BookingDetailsForm(request.POST, cancellation_window_hours=hours)
    valid = form.is_valid()
    start = start_parse(request.POST.get("start"))
    if form.has_emergency():
        # CLINICAL.md §1: emergency signs mean emergency care now; nothing is booked or kept.
        return render(request, "scheduling/book_emergency.html", {"location": choice.location})
    if not valid:
        return _render_details_step(
            request, choice, form, start=start, show_times="start" in form.errors
        )
    if form.needs_urgent_notice():
        # CLINICAL.md §1: urgent signs get the advice first; booking stays possible.
        acknowledged = request.POST.copy()
        acknowledged["urgent_acknowledged"] = "True"
        form = BookingDetailsForm(acknowledged, cancellation_window_hours=hours)
        form.is_valid()
        return _render_details_step(request, choice, form, start=start, urgent=True)

    try:
        appointment, patient = _book_once_more_after_a_race(choice, form)
    except SlotUnavailable as exc:
        form.add_error("start", slot_problem(exc.reason))
        return _render_details_step(request, choice, form, start=start, show_times=True)
    except BookingInvalid as exc:
        _booking_invalid_show(form, exc, choice)
        return _render_details_step(request, choice, form, start=start)
    _confirmation_remember(request, appointment, patient)
    return _see_confirmation()


@require_safe
@private_page
def book_confirmed(request: HttpRequest) -> HttpResponse:
    """Step 5: what was booked, what to bring, the calendar file and the manage link."""
    stored = request.session.get(CONFIRMATION_SESSION_KEY)
    if not stored or timezone.now().timestamp() - stored.get("at", 0) > (
        CONFIRMATION_TTL.total_seconds()
    ):
        return HttpResponseRedirect(reverse("scheduling:book"))
    try:
        appointment = appointment_get_for_patient(
            patient=User(pk=stored["patient"]), pk=stored["id"]
        )
    except (Appointment.DoesNotExist, KeyError, TypeError, ValueError):
        return HttpResponseRedirect(reverse("scheduling:book"))
    token = stored.get("token")
    if token and manage_token_hash(token) != appointment.manage_token_hash:
        token = None  # the link was replaced since (staff resent it)
    return render(
        request, "scheduling/book_confirmed.html", appointment_context(appointment, token)
    )
