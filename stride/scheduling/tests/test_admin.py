"""The admin lists and edits the booking setup; appointments change only through services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from stride.accounts.models import PatientProfile, Role
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Therapist,
    TimeOff,
)
from stride.scheduling.services import appointment_book
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local
from stride.scheduling.tests.factories import (
    ClinicClosureFactory,
    InsurancePlanFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    AppointmentType,
    TimeOff,
    ClinicClosure,
    InsurancePlan,
    Therapist,
    Appointment,
    PatientProfile,
]


@pytest.fixture
def staff_client(client: Any, clinic: Clinic) -> Any:
    clinic.staff.is_superuser = True
    clinic.staff.role = Role.ADMIN
    clinic.staff.save()
    client.force_login(clinic.staff)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_open(staff_client: Any, clinic: Clinic, model: Any) -> None:
    appointment_book(
        patient=clinic.patient,
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY, 10),
        now=NOW,
    )
    PatientProfile.objects.get_or_create(user=clinic.patient)
    TimeOffFactory.create(therapist=clinic.therapist)
    ClinicClosureFactory.create(location=clinic.location)
    InsurancePlanFactory.create()
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert staff_client.get(changelist).status_code == 200
    row = model.objects.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    assert staff_client.get(change).status_code == 200
    add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if model is Appointment else 200)


def test_location_admin_edits_rules_and_closures_inline(staff_client: Any, clinic: Clinic) -> None:
    url = reverse("admin:scheduling_location_change", args=[clinic.location.pk])
    page = staff_client.get(url).content.decode()
    assert "booking_rules-0-min_notice_minutes" in page
    assert "closures-TOTAL_FORMS" in page
    assert BookingRules.objects.filter(location=clinic.location).exists()


def test_admin_action_records_arrival_through_the_service(
    staff_client: Any, clinic: Clinic
) -> None:
    appointment = appointment_book(
        patient=clinic.patient,
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY, 10),
        now=NOW,
    )
    response = staff_client.post(
        reverse("admin:scheduling_appointment_changelist"),
        {"action": "mark_arrived", "_selected_action": [appointment.pk]},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ARRIVED
