"""The patient list (who needs attention first) and one patient's record, with its two actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from stride.accounts.permissions import clinical_staff_required
from stride.audit.models import AuditAction
from stride.audit.services import audit_patient_access

from ..forms_staff import PatientSearchForm
from ..models import ExerciseProgram, ProgramAlert, ProgramStatus
from ..selectors.dashboard import (
    alert_get_for_staff,
    patient_list_for_dashboard,
    patient_record,
    patient_rows,
)
from ..services.escalation import alert_acknowledge, symptoms_resolve
from .common import own_therapist, patient_or_404, patient_url, program_or_404

PATIENTS_PER_PAGE = 50


@require_safe
@never_cache
@clinical_staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """List the caller's patients, those needing attention first; search by name or email."""
    form = PatientSearchForm(request.GET)
    search, attention_only = "", False
    if form.is_valid():
        search = form.cleaned_data["q"]
        attention_only = form.cleaned_data["attention"]
    patients = patient_list_for_dashboard(
        user=request.user, search=search, attention_only=attention_only
    )
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit_patient_access(
        request,
        patient=None,
        action=AuditAction.RECORD_VIEW,
        object_type="patient_list",
        detail={"count": len(page.object_list)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/staff/patient_list.html",
        {
            "section": "patients",
            "form": form,
            "page": page,
            "rows": patient_rows(user=request.user, patients=list(page.object_list)),
            "searching": bool(search or attention_only),
            "query": query.urlencode(),
        },
        status=200 if form.is_valid() else 400,
    )


@require_safe
@never_cache
@clinical_staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a patient's program, its history, logs, progress, alerts and visits."""
    user: Any = request.user
    patient = patient_or_404(request, pk)
    program_pk = request.GET.get("program")
    if program_pk is not None and not program_pk.isdigit():
        raise Http404("No such program.")
    try:
        record = patient_record(
            user=user, patient=patient, program_pk=int(program_pk) if program_pk else None
        )
    except ExerciseProgram.DoesNotExist:
        raise Http404("No such program.") from None
    program = record.record.program if record.record else None
    audit_patient_access(
        request,
        patient=patient,
        action=AuditAction.RECORD_VIEW,
        object_type="program" if program else "patient",
        object_id=program.pk if program else patient.pk,
    )
    return render(
        request,
        "programs/staff/patient_detail.html",
        {
            "section": "patients",
            "patient": patient,
            "record": record,
            "shown": record.record,
            "program": program,
            "can_prescribe": not record.has_open_program
            and (user.role == "admin" or own_therapist(user) is not None),
            "paused": program is not None and program.status == ProgramStatus.SUSPENDED,
        },
    )


@require_POST
@clinical_staff_required
def alert_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an alert as dealt with; the patient leaves the top of the list."""
    try:
        alert = alert_get_for_staff(user=request.user, pk=pk)
    except ProgramAlert.DoesNotExist:
        raise Http404("No such alert.") from None
    alert_acknowledge(alert=alert, by=request.user)  # type: ignore[arg-type]
    audit_patient_access(
        request,
        patient=alert.program.patient,
        action=AuditAction.RECORD_CHANGE,
        object_type="program_alert",
        object_id=alert.pk,
        detail={"fields": ["acknowledged_at"]},
    )
    messages.success(request, "Marked as dealt with.")
    return redirect(patient_url(alert.program.patient_id, alert.program))


@require_POST
@clinical_staff_required
def symptoms_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the patient's warning signs were dealt with, and resume the program."""
    program = program_or_404(request, pk)
    program = symptoms_resolve(program=program, by=request.user, resume=True)  # type: ignore[arg-type]
    audit_patient_access(
        request,
        patient=program.patient,
        action=AuditAction.RECORD_CHANGE,
        object_type="program",
        object_id=program.pk,
        detail={"fields": ["symptom_reports.resolved_at", "status"]},
    )
    if program.status == ProgramStatus.ACTIVE:
        messages.success(request, "Warning signs marked as resolved; the program is running again.")
    else:
        messages.success(request, "Warning signs marked as resolved.")
    return redirect(patient_url(program.patient_id, program))
