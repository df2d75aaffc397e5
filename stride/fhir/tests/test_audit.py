"""Staff reads and bookings through FHIR, and every FHIR or API refusal, reach the audit log.

Events name the staff member (by session or by API token), the patient whose record it was, and
no clinical value. A patient reading their own record is not a staff access and is not logged.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stride.api.auth import api_token_create
from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.scheduling.models import Appointment
from stride.scheduling.tests.factories import AppointmentFactory

from .conftest import MONDAY, Clinic, local
from .support import FhirClient
from .test_appointment_create import by_slot

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def visit(clinic: Clinic) -> Appointment:
    return AppointmentFactory.create(
        therapist=clinic.therapist,
        patient=clinic.patient,
        start=local(MONDAY, 9),
        reason="SECRET-REASON",
    )


def views() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.RECORD_VIEW).order_by("pk"))


def test_a_staff_token_reading_an_appointment_is_recorded(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    _, token = api_token_create(user=clinic.front_desk)

    assert fhir.get(f"Appointment/{visit.pk}", **bearer(token)).status == 200

    [event] = views()
    assert (event.actor_id, event.actor_role) == (clinic.front_desk.pk, "front_desk")
    assert (event.patient_id, event.patient_ref) == (clinic.patient.pk, "pat@example.org")
    assert (event.object_type, event.object_id) == ("fhir_appointment", str(visit.pk))
    assert event.path == f"/fhir/Appointment/{visit.pk}"
    assert "SECRET" not in str(event.detail)


def test_a_staff_session_reading_a_patient_is_recorded(fhir: FhirClient, clinic: Clinic) -> None:
    fhir.sign_in(clinic.admin)

    assert fhir.get(f"Patient/{clinic.patient.pk}").status == 200

    [event] = views()
    assert (event.actor_id, event.patient_id) == (clinic.admin.pk, clinic.patient.pk)
    assert event.object_type == "fhir_patient"


def test_a_staff_search_is_one_event_with_the_count_and_the_patient_filtered_on(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist, patient=clinic.other_patient, start=local(MONDAY, 11)
    )
    fhir.sign_in(clinic.therapist.user)

    assert fhir.get("Appointment").status == 200
    assert fhir.get("Appointment", {"patient": f"Patient/{clinic.patient.pk}"}).status == 200

    everyone, one = views()
    assert (everyone.patient_id, everyone.detail) == (None, {"resource": "Appointment", "count": 2})
    assert (one.patient_id, one.detail) == (
        clinic.patient.pk,
        {"resource": "Appointment", "count": 1},
    )


def test_a_patient_reading_their_own_appointment_is_not_a_staff_access(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    fhir.sign_in(clinic.patient)
    assert fhir.get(f"Appointment/{visit.pk}").status == 200
    assert fhir.get("Appointment").status == 200
    assert views() == []


def test_public_resources_are_not_recorded(fhir: FhirClient, clinic: Clinic) -> None:
    fhir.sign_in(clinic.admin)
    assert fhir.get("Practitioner").status == 200
    assert fhir.get(f"Practitioner/{clinic.therapist.pk}").status == 200
    assert views() == []


def test_a_staff_booking_through_fhir_is_recorded_as_a_change(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = fhir.sign_in(clinic.front_desk).post("Appointment", by_slot(clinic, local(MONDAY, 9)))

    assert answer.status == 201, answer.data
    [event] = AuditEvent.objects.filter(action=AuditAction.RECORD_CHANGE)
    assert (event.actor_id, event.patient_id) == (clinic.front_desk.pk, clinic.patient.pk)
    assert (event.object_type, event.detail) == (
        "fhir_appointment",
        {"resource": "Appointment", "fields": ["created"]},
    )


def test_a_fhir_refusal_is_recorded(clinic: Clinic) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic.patient)

    answer = FhirClient(client).post("Appointment", {"resourceType": "Appointment"})

    assert answer.status == 403
    [event] = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert (event.actor_id, event.outcome) == (clinic.patient.pk, AuditOutcome.DENIED)
    assert event.detail == {"view": "fhir:type", "reason": "security"}


def test_an_api_refusal_names_the_staff_token_that_was_refused(clinic: Clinic) -> None:
    _, token = api_token_create(user=clinic.front_desk)

    response = Client().get("/api/v1/me/program", **bearer(token))

    assert response.status_code == 403
    [event] = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert (event.actor_id, event.path) == (clinic.front_desk.pk, "/api/v1/me/program")
    assert event.detail["reason"] == "forbidden"


@pytest.mark.parametrize("path", ["/fhir/Appointment", "/api/v1/me/program"])
def test_a_staff_session_without_its_second_factor_is_refused_and_recorded(
    settings, clinic: Clinic, path: str
) -> None:
    settings.STRIDE_STAFF_2FA = True
    client = Client()
    client.force_login(clinic.front_desk)

    assert client.get(path).status_code == 403

    [event] = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert event.actor_id == clinic.front_desk.pk
    assert event.detail["reason"] == "two_factor_required"
