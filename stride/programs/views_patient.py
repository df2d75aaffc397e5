"""The patient's own pages under /my/: the program, logging, progress, handout and reminders.

Only signed-in patients get in (staff get 403, visitors the sign-in page). Every page reads the
patient's one open program through ``program_get_open_for_patient(patient=request.user)``; no
URL carries the id of a program, and exercise ids in the session form are checked against the
patient's own current version. Every answer is ``Cache-Control: no-store, private``: these pages
hold health data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from stride.accounts.models import Role
from stride.accounts.permissions import role_required
from stride.scheduling.selectors import therapist_list_bookable
from stride.scheduling.views.common import zone_label

from .forms_patient import (
    PainLogForm,
    PsfsFirstForm,
    PsfsRatingForm,
    ReminderForm,
    SessionLogForm,
    service_errors_show,
)
from .messages import EMERGENCY_KEY, message_for
from .models import ExerciseProgram, ProgramAlert, ProgramStatus
from .selectors.patient import (
    appointment_list_upcoming,
    follow_up_type_get,
    psfs_activity_list,
    session_logged_on,
)
from .selectors.programs import (
    alert_list_open,
    program_get_open_for_patient,
    program_today,
    version_current,
)
from .selectors.progress import program_progress, progress_chart_data
from .services.logs import (
    BACKDATE_LIMIT,
    pain_score_create,
    psfs_checkin_create,
    session_log_create,
)
from .services.programs import program_reminder_set

PAUSED_MESSAGE = (
    "Your program is paused. Please do not do your exercises until your therapist resumes it. "
    "You can still log your pain."
)
NO_PROGRAM_MESSAGE = "You do not have an exercise program at the moment."


def patient_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let only patients in, and keep every answer out of caches and search engines."""
    guarded = role_required(Role.PATIENT)(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = guarded(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _home() -> HttpResponse:
    # 303: the browser fetches /my/ with GET, so reloading it posts nothing again.
    return HttpResponseRedirect(reverse("my:home"), status=303)


def _program_or_home(request: HttpRequest) -> ExerciseProgram | HttpResponse:
    program = program_get_open_for_patient(patient=request.user)
    if program is None:
        messages.info(request, NO_PROGRAM_MESSAGE)
        return _home()
    return program


def follow_up_url(program: ExerciseProgram) -> str:
    """Return the booking step that offers the program's therapist's follow-up times."""
    therapist = program.therapist
    appointment_type = follow_up_type_get(therapist=therapist)
    if appointment_type is None:
        return reverse("scheduling:book")
    query = {"type": appointment_type.slug}
    bookable = therapist_list_bookable(appointment_type=appointment_type, therapist=therapist)
    if not bookable.exists():
        return f"{reverse('scheduling:book_therapist')}?{urlencode(query)}"
    return f"{reverse('scheduling:book_time')}?{urlencode({**query, 'therapist': therapist.slug})}"


def _alert_views(alerts: list[ProgramAlert]) -> list[dict[str, Any]]:
    """Return each alert with its text; only the first that suggests booking gets the button."""
    shown, offered = [], False
    for alert in alerts:
        book = alert.suggest_booking and not offered
        offered = offered or book
        shown.append({"alert": alert, "message": message_for(alert.message_key), "book": book})
    return shown


@require_safe
@patient_page
def home(request: HttpRequest) -> HttpResponse:
    """Show the program: alerts first, this week, today's exercises, progress and visits."""
    appointments = appointment_list_upcoming(patient=request.user)
    program = program_get_open_for_patient(patient=request.user)
    if program is None:
        return render(request, "programs/my/no_program.html", {"appointments": appointments})
    location = program.therapist.location
    alerts = alert_list_open(program=program)
    emergency = next((a for a in alerts if a.message_key == EMERGENCY_KEY), None)
    if emergency is not None:
        # CLINICAL.md §1: the emergency message replaces everything; no booking is offered.
        return render(
            request,
            "programs/my/emergency.html",
            {"message": message_for(EMERGENCY_KEY), "location": location, "program": program},
        )
    today = program_today(program)
    progress = program_progress(program=program, today=today)
    alert_views = _alert_views(alerts)
    return render(
        request,
        "programs/my/home.html",
        {
            "program": program,
            "version": version_current(program=program),
            "paused": program.status == ProgramStatus.SUSPENDED,
            "paused_message": PAUSED_MESSAGE,
            "alerts": alert_views,
            "follow_up_url": follow_up_url(program) if any(a["book"] for a in alert_views) else "",
            "progress": progress,
            "chart_data": progress_chart_data(progress),
            "logged_today": session_logged_on(program=program, on=today),
            "today": today,
            "appointments": appointments,
            "location": location,
            "tz": location.timezone,
            "zone": zone_label(location),
        },
    )


def _log_context(program: ExerciseProgram, **extra: Any) -> dict[str, Any]:
    location = program.therapist.location
    return {"program": program, "zone": zone_label(location), "tz": location.timezone, **extra}


def _bounds(program: ExerciseProgram) -> dict[str, Any]:
    today = program_today(program)
    return {"today": today, "earliest": max(program.start_date, today - BACKDATE_LIMIT)}


def _save(
    request: HttpRequest,
    form: Any,
    save: Callable[[], object],
    done: str,
    aliases: dict[str, str | None] | None = None,
) -> HttpResponse | None:
    """Run ``save`` for a bound, valid form and go home with ``done``; else None to re-display.

    A service's refusal lands on the form's fields (``aliases`` maps its names to the form's).
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        save()
    except ValidationError as error:
        service_errors_show(form, error, aliases)
        return None
    messages.success(request, done)
    return _home()


@require_http_methods(["GET", "HEAD", "POST"])
@patient_page
def session_log(request: HttpRequest) -> HttpResponse:
    """Log an exercise session; a paused program takes none (CLINICAL.md §1)."""
    program = _program_or_home(request)
    if isinstance(program, HttpResponse):
        return program
    if program.status == ProgramStatus.SUSPENDED:
        return render(
            request,
            "programs/my/log.html",
            _log_context(program, paused_message=PAUSED_MESSAGE),
            status=409 if request.method == "POST" else 200,
        )
    items = list(version_current(program=program).items.all())
    data = request.POST if request.method == "POST" else None
    form = SessionLogForm(data, items=items, **_bounds(program))
    saved = _save(
        request,
        form,
        lambda: session_log_create(program=program, **form.service_arguments()),
        "Your session is logged. Well done!",
    )
    return saved or render(request, "programs/my/log.html", _log_context(program, form=form))


@require_http_methods(["GET", "HEAD", "POST"])
@patient_page
def pain_log(request: HttpRequest) -> HttpResponse:
    """Log the pain of a day without exercise; works while the program is paused."""
    program = _program_or_home(request)
    if isinstance(program, HttpResponse):
        return program
    data = request.POST if request.method == "POST" else None
    form = PainLogForm(data, **_bounds(program))
    saved = _save(
        request,
        form,
        lambda: pain_score_create(program=program, **form.service_arguments()),
        "Your pain rating is logged. Thank you.",
    )
    return saved or render(request, "programs/my/pain.html", _log_context(program, form=form))


@require_http_methods(["GET", "HEAD", "POST"])
@patient_page
def psfs_checkin(request: HttpRequest) -> HttpResponse:
    """Rate everyday activities (PSFS); the first check-in names them."""
    program = _program_or_home(request)
    if isinstance(program, HttpResponse):
        return program
    activities = psfs_activity_list(program=program)
    data = request.POST if request.method == "POST" else None
    form: PsfsFirstForm | PsfsRatingForm = (
        PsfsRatingForm(data, activities=activities) if activities else PsfsFirstForm(data)
    )
    saved = _save(
        request,
        form,
        lambda: psfs_checkin_create(
            program=program, on=program_today(program), **form.service_arguments()
        ),
        "Your check-in is saved. Thank you.",
        aliases={"activities": None, "ratings": None},
    )
    return saved or render(
        request,
        "programs/my/checkin.html",
        _log_context(program, form=form, first=not activities),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@patient_page
def reminders(request: HttpRequest) -> HttpResponse:
    """Choose the time of a daily exercise reminder email, or turn reminders off."""
    program = _program_or_home(request)
    if isinstance(program, HttpResponse):
        return program
    current, zone = program.reminder_time, zone_label(program.therapist.location)
    if request.method != "POST":
        form = ReminderForm(current=current, zone=zone)
    else:
        form = ReminderForm(request.POST, current=current, zone=zone)
        if form.is_valid():
            at = form.cleaned_data["at"]
            program_reminder_set(program=program, at=at)
            messages.success(
                request,
                "Your daily reminder is set." if at is not None else "Reminders are off.",
            )
            return _home()
    return render(request, "programs/my/reminders.html", _log_context(program, form=form))


@require_safe
@patient_page
def handout(request: HttpRequest) -> HttpResponse:
    """Send the current program as a PDF to keep or print."""
    program = _program_or_home(request)
    if isinstance(program, HttpResponse):
        return program
    from . import pdf  # loads WeasyPrint, which takes a moment

    content = pdf.handout_pdf(
        program=program,
        version=version_current(program=program),
        today=program_today(program),
        clinic_name=program.therapist.location.name,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.FILENAME}"'
    return response
