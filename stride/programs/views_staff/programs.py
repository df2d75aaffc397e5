"""The program builder: prescribe a new program, change one (a new version), pause, resume, end.

The builder is plain HTML forms. "Add an exercise" posts the form back and shows it again with
one more row, saving nothing. The services check the prescription; their messages are shown
next to the field or exercise row they are about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stride.accounts.models import Role, User
from stride.accounts.permissions import clinical_staff_required
from stride.audit.models import AuditAction
from stride.audit.services import audit_patient_access
from stride.scheduling.models import Therapist

from ..forms_staff import (
    EMPTY_ROWS,
    BaseItemFormSet,
    ProgramForm,
    ProgramItemForm,
    TemplateStartForm,
    default_dates,
    errors_apply,
    formset_with_blank_row,
    item_formset,
    item_initial,
)
from ..models import (
    Exercise,
    ProgramStatus,
    ProgramTemplate,
    ProgramTemplateItem,
    SymptomReport,
)
from ..selectors.programs import version_current
from ..services.programs import Prescription, program_create, program_revise, program_status_set
from .common import clinic_today, own_therapist, patient_or_404, patient_url, program_or_404

BUILDER = "programs/staff/program_form.html"
FORM_FIELDS = (
    "title",
    "therapist",
    "start_date",
    "review_date",
    "sessions_per_week",
    "change_note",
    "template",
)
STATUS_ACTIONS = {
    "pause": (ProgramStatus.SUSPENDED, "Program paused: the patient is asked not to exercise."),
    "resume": (ProgramStatus.ACTIVE, "Program resumed."),
    "end": (ProgramStatus.ENDED, "Program ended."),
}


def _exercises(also: Iterable[int] = ()) -> dict[int, Exercise]:
    """Return the published library by name, plus exercises ``also`` already prescribed."""
    rows = Exercise.objects.filter(Q(is_published=True) | Q(pk__in=list(also))).order_by("name")
    return {exercise.pk: exercise for exercise in rows}


def _templates() -> list[ProgramTemplate]:
    return list(
        ProgramTemplate.objects.filter(is_active=True).prefetch_related(
            Prefetch(
                "items",
                queryset=ProgramTemplateItem.objects.select_related("exercise").order_by(
                    "position"
                ),
            )
        )
    )


def _posted(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the submitted program fields as initial values, to show them again unsaved."""
    return {name: data.get(name) for name in FORM_FIELDS if data.get(name) is not None}


def _prescription(form: ProgramForm, rows: list[ProgramItemForm]) -> Prescription:
    data = form.cleaned_data
    return Prescription(
        start_date=data["start_date"],
        review_date=data["review_date"],
        sessions_per_week=data["sessions_per_week"],
        items=[row.item() for row in rows],
    )


def _builder(
    request: HttpRequest,
    *,
    form: ProgramForm,
    formset: BaseItemFormSet,
    status: int = 200,
    items_errors: list[str] | None = None,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        BUILDER,
        {
            "section": "patients",
            "form": form,
            "formset": formset,
            "items_errors": items_errors or [],
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@clinical_staff_required
def program_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Prescribe a program: choose a template or start empty, then set dates and exercises.

    A therapist prescribes as themselves; an admin chooses the therapist.
    """
    user: Any = request.user
    patient = patient_or_404(request, pk)
    therapist = own_therapist(user)
    therapists = (
        list(Therapist.objects.filter(user__is_active=True).select_related("location"))
        if user.role == Role.ADMIN
        else None
    )
    context: dict[str, Any] = {"section": "patients", "patient": patient, "revising": False}
    if therapists is None and therapist is None:
        raise PermissionDenied  # a therapist account not linked to a therapist profile
    if request.method != "POST" and "template" not in request.GET:
        return render(
            request, "programs/staff/program_start.html", {**context, "templates": _templates()}
        )

    source = request.POST if request.method == "POST" else request.GET
    start = TemplateStartForm(source)
    # Not a slug (a NUL byte would even break PostgreSQL's lookup): no template has it.
    slug = start.cleaned_data["template"] if start.is_valid() else None
    template = ProgramTemplate.objects.filter(is_active=True, slug=slug).first() if slug else None
    if slug is None or (slug and template is None):
        context["template_error"] = "That template is no longer offered; choose another."
        return render(
            request,
            "programs/staff/program_start.html",
            {**context, "templates": _templates()},
            status=400,
        )
    template_items = list(template.items.order_by("position")) if template else []
    exercises = _exercises(item.exercise_id for item in template_items)
    context["template"] = template

    if request.method != "POST":
        today = clinic_today(therapist)
        form = ProgramForm(
            therapists=therapists,
            initial={
                "title": template.name if template else "",
                **default_dates(today, weeks=template.review_after_weeks if template else 4),
                "sessions_per_week": template.sessions_per_week if template else 7,
                "template": slug,
            },
        )
        formset = item_formset(
            data=None,
            exercises=exercises,
            initial=item_initial(template_items),
            blank=1 if template_items else EMPTY_ROWS,
        )
        return _builder(request, form=form, formset=formset, **context)

    def save(form: ProgramForm, rows: list[Any]) -> HttpResponse:
        program = program_create(
            patient=patient,
            therapist=_prescriber(form, therapist),
            title=form.cleaned_data["title"],
            prescription=_prescription(form, rows),
            created_by=user,
            template=form.cleaned_data.get("template"),
        )
        audit_patient_access(
            request,
            patient=patient,
            action=AuditAction.RECORD_CHANGE,
            object_type="program",
            object_id=program.pk,
            detail={"fields": ["created"]},
        )
        messages.success(
            request, f"Program prescribed. {_name(patient)} has been emailed a link to it."
        )
        return redirect(patient_url(patient.pk, program))

    return _builder_submit(
        request, form_kwargs={"therapists": therapists}, exercises=exercises, save=save, **context
    )


def _builder_submit(
    request: HttpRequest,
    *,
    form_kwargs: dict[str, Any],
    exercises: Any,
    save: Callable[[ProgramForm, list[Any]], HttpResponse],
    **context: Any,
) -> HttpResponse:
    """Handle a builder POST: add a blank row, or validate and ``save``, else show the errors.

    ``save`` calls the service, records the change and answers; a ValidationError from the
    service is shown on the fields and rows it names (400).
    """
    if "add_row" in request.POST:
        form = ProgramForm(initial=_posted(request.POST), **form_kwargs)
        formset = formset_with_blank_row(data=request.POST, exercises=exercises)
        return _builder(request, form=form, formset=formset, **context)
    form = ProgramForm(request.POST, **form_kwargs)
    formset = item_formset(data=request.POST, exercises=exercises)
    items_errors: list[str] = []
    if form.is_valid() and formset.is_valid():
        rows = formset.kept_forms()
        try:
            return save(form, rows)
        except ValidationError as error:
            items_errors = errors_apply(error, form=form, rows=rows)
    return _builder(
        request, form=form, formset=formset, status=400, items_errors=items_errors, **context
    )


def _prescriber(form: ProgramForm, therapist: Therapist | None) -> Therapist:
    """Return the therapist an admin chose, else the signed-in therapist."""
    chosen = form.cleaned_data.get("therapist") or therapist
    if chosen is None:  # the view refuses a therapist without a profile before this
        raise PermissionDenied
    return chosen


def _name(patient: User) -> str:
    return patient.get_full_name() or patient.email


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@clinical_staff_required
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open program: the form starts from the current version and saves the next."""
    user: Any = request.user
    program = program_or_404(request, pk)
    patient = program.patient
    if not program.is_open:
        messages.error(request, "An ended program cannot be changed; prescribe a new one.")
        return redirect(patient_url(patient.pk, program))
    version = version_current(program=program)
    items = list(version.items.all())
    exercises = _exercises(item.exercise_id for item in items)
    context: dict[str, Any] = {
        "patient": patient,
        "program": program,
        "version": version,
        "revising": True,
    }

    if request.method != "POST":
        form = ProgramForm(
            revising=True,
            initial={
                "start_date": version.start_date,
                "review_date": version.review_date,
                "sessions_per_week": version.sessions_per_week,
            },
        )
        formset = item_formset(data=None, exercises=exercises, initial=item_initial(items), blank=1)
        return _builder(request, form=form, formset=formset, **context)

    def save(form: ProgramForm, rows: list[Any]) -> HttpResponse:
        new = program_revise(
            program=program,
            prescription=_prescription(form, rows),
            revised_by=user,
            note=form.cleaned_data["change_note"],
        )
        audit_patient_access(
            request,
            patient=patient,
            action=AuditAction.RECORD_CHANGE,
            object_type="program",
            object_id=program.pk,
            detail={"fields": ["version"], "version": new.number},
        )
        messages.success(request, f"Program changed: version {new.number} is now current.")
        return redirect(patient_url(patient.pk, program))

    return _builder_submit(
        request, form_kwargs={"revising": True}, exercises=exercises, save=save, **context
    )


@require_POST
@clinical_staff_required
def program_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause, resume or end a program (``action`` = pause, resume or end)."""
    program = program_or_404(request, pk)
    action = request.POST.get("action", "")
    if action not in STATUS_ACTIONS:
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    status, done = STATUS_ACTIONS[action]
    if (
        status == ProgramStatus.ACTIVE
        and SymptomReport.objects.filter(program=program, resolved_at__isnull=True).exists()
    ):
        messages.error(
            request,
            "The patient reported warning signs. Once you have spoken with them, use "
            "“Resolved — resume program”.",
        )
        return redirect(patient_url(program.patient_id, program))
    try:
        program_status_set(program=program, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit_patient_access(
            request,
            patient=program.patient,
            action=AuditAction.RECORD_CHANGE,
            object_type="program",
            object_id=program.pk,
            detail={"fields": ["status"], "status": status},
        )
        messages.success(request, done)
    return redirect(patient_url(program.patient_id, program))
