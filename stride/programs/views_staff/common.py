"""Lookups shared by the therapist's pages: scoped getters that answer 404, and the clinic date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.scheduling.models import Location, Therapist

from ..models import ExerciseProgram
from ..selectors.programs import patient_get_for_staff, program_get_for_staff


def patient_or_404(request: HttpRequest, pk: int) -> User:
    """Return patient ``pk`` if the caller may see their record, else raise Http404."""
    try:
        return patient_get_for_staff(user=request.user, pk=pk)
    except User.DoesNotExist:
        raise Http404("No such patient.") from None


def program_or_404(request: HttpRequest, pk: int) -> ExerciseProgram:
    """Return program ``pk`` if the caller may see it, else raise Http404."""
    try:
        return program_get_for_staff(user=request.user, pk=pk)
    except ExerciseProgram.DoesNotExist:
        raise Http404("No such program.") from None


def own_therapist(user: Any) -> Therapist | None:
    """Return the therapist profile of a signed-in therapist (with location), else None."""
    if user.role != Role.THERAPIST:
        return None
    return Therapist.objects.select_related("location").filter(user=user).first()


def clinic_today(therapist: Therapist | None) -> dt.date:
    """Return today where ``therapist`` works, else at the primary location (else the server)."""
    location = therapist.location if therapist else Location.objects.first()
    if location is None:
        return timezone.localdate()
    return timezone.localdate(timezone=location.tzinfo)


def patient_url(patient_id: int, program: ExerciseProgram | None = None) -> str:
    """Return the patient page, showing ``program`` when it is given."""
    url = reverse("programs_staff:patient_detail", kwargs={"pk": patient_id})
    return f"{url}?program={program.pk}" if program is not None else url
