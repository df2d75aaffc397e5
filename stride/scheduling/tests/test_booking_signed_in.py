"""A signed-in patient finds their name, email and phone already filled in at the details step.

"Now" is frozen at the conftest's NOW (Tuesday 2026-12-01 12:00 New York); the visit is the
Monday after (MONDAY).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stride.accounts.models import PatientProfile, User
from stride.scheduling.models import Appointment
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local

pytestmark = pytest.mark.django_db

DETAILS = "/book/details/"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    cache.clear()
    yield
    cache.clear()


def query(clinic: Clinic, hour: int = 10) -> dict[str, str]:
    return {
        "type": clinic.follow_up.slug,
        "therapist": clinic.therapist.slug,
        "start": local(MONDAY, hour).isoformat(timespec="minutes"),
    }


def value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="[a-z]+" name="{name}"(?: value="([^"]*)")?', html)
    assert match is not None, name
    return match.group(1)


def test_signed_in_patient_finds_name_email_and_phone_filled_in(
    client: Client, clinic: Clinic
) -> None:
    patient = clinic.returning
    patient.first_name, patient.last_name = "Ana", "Silva"
    patient.save()
    PatientProfile.objects.create(user=patient, phone="(718) 555-0199")
    client.force_login(patient)

    html = client.get(DETAILS, query(clinic)).content.decode()

    assert value_of(html, "name") == "Ana Silva"
    assert value_of(html, "email") == patient.email
    assert value_of(html, "phone") == "(718) 555-0199"
    assert value_of(html, "date_of_birth") is None  # only name, email and phone


def test_a_patient_without_a_profile_gets_name_and_email(client: Client, clinic: Clinic) -> None:
    client.force_login(clinic.returning)
    html = client.get(DETAILS, query(clinic)).content.decode()
    assert value_of(html, "email") == clinic.returning.email
    assert value_of(html, "phone") is None


def test_visitors_and_staff_get_an_empty_form(client: Client, clinic: Clinic) -> None:
    for user in (None, clinic.staff, clinic.therapist.user):
        client.logout()
        if user is not None:
            client.force_login(user)
        html = client.get(DETAILS, query(clinic)).content.decode()
        for name in ("name", "email", "phone"):
            assert value_of(html, name) is None, (user, name)


def test_what_the_patient_submits_wins_over_the_prefill(client: Client, clinic: Clinic) -> None:
    patient: User = clinic.returning
    client.force_login(patient)
    data = {
        **query(clinic, 11),
        "idempotency_key": uuid.uuid4().hex,
        "name": "Pat Returning",
        "email": patient.email,
        "phone": "(718) 555-0123",
        "date_of_birth": "1980-03-27",
        "insurance_plan": "",
        "consent": "on",
    }
    data["name"] = ""
    page = client.post(DETAILS, data).content.decode()
    assert "Enter your full name." in page
    assert value_of(page, "name") is None  # a bound form shows what was sent, not the prefill

    data["name"] = "Pat Returning"
    response = client.post(DETAILS, data)
    assert response.status_code == 303
    appointment = Appointment.objects.get(patient=patient, start=local(MONDAY, 11))
    assert appointment.appointment_type == clinic.follow_up
