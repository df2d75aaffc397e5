"""Signing in to the FHIR API with a personal API token (``Authorization: Bearer``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stride.api.auth import api_token_create, api_token_revoke
from stride.scheduling.models import Appointment
from stride.scheduling.tests.factories import AppointmentFactory

from .conftest import MONDAY, NOW, Clinic, local
from .support import FhirClient

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def visit(clinic: Clinic) -> Appointment:
    return AppointmentFactory.create(
        therapist=clinic.therapist, patient=clinic.patient, start=local(MONDAY, 9)
    )


def test_a_patients_token_opens_their_own_appointments_only(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    _, mine = api_token_create(user=clinic.patient)
    _, theirs = api_token_create(user=clinic.other_patient)

    own = fhir.get(f"Appointment/{visit.pk}", **bearer(mine))
    other = fhir.get(f"Appointment/{visit.pk}", **bearer(theirs))
    search = fhir.get("Appointment", {"patient": f"Patient/{clinic.patient.pk}"}, **bearer(theirs))

    assert own.status == 200
    assert own.header("Cache-Control") == "no-store"
    assert other.status == 404
    assert search.status == 200
    assert search.ids == []


def test_a_staff_token_sees_every_patient(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    _, token = api_token_create(user=clinic.front_desk)

    assert fhir.get(f"Appointment/{visit.pk}", **bearer(token)).status == 200
    assert fhir.get(f"Patient/{clinic.patient.pk}", **bearer(token)).status == 200


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Basic cGF0OnB3", "revoked"])
def test_a_bad_token_is_401_even_with_a_session(
    fhir: FhirClient, clinic: Clinic, visit: Appointment, header: str
) -> None:
    if header == "revoked":
        row, token = api_token_create(user=clinic.patient)
        api_token_revoke(token=row)
        header = f"Bearer {token}"
    fhir.sign_in(clinic.patient)

    answer = fhir.get(f"Appointment/{visit.pk}", HTTP_AUTHORIZATION=header)

    assert answer.status == 401
    assert answer.issue["code"] == "login"
    assert answer.header("WWW-Authenticate") == 'Bearer realm="fhir"'


def test_an_inactive_users_token_is_401(
    fhir: FhirClient, clinic: Clinic, visit: Appointment
) -> None:
    _, token = api_token_create(user=clinic.patient)
    clinic.patient.is_active = False
    clinic.patient.save()

    assert fhir.get(f"Appointment/{visit.pk}", **bearer(token)).status == 401


def test_booking_with_a_token_needs_no_csrf_token(clinic: Clinic) -> None:
    _, token = api_token_create(user=clinic.patient)
    fhir = FhirClient(Client(enforce_csrf_checks=True))
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "start": local(MONDAY, 9).isoformat(),
        "appointmentType": {"coding": [{"code": clinic.evaluation.slug}]},
        "participant": [
            {"actor": {"reference": f"Practitioner/{clinic.therapist.pk}"}, "status": "accepted"}
        ],
    }

    answer = fhir.post("Appointment", body, **bearer(token))

    assert answer.status == 201, answer.data
    (appointment,) = Appointment.objects.filter(start__gte=NOW)
    assert appointment.patient == clinic.patient
