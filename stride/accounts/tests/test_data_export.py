"""The patient's data export: complete, their own only, audited, rate-limited, not cached."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.test import Client

from stride.accounts.models import Role, User
from stride.accounts.services import sign_in_link_create
from stride.accounts.services_data import patient_data_export
from stride.api.auth import api_token_create
from stride.audit.models import AuditAction, AuditEvent
from stride.contact.models import ContactMessage
from stride.core.models import RateLimitCounter
from stride.programs.models import SessionLog
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.services.calendar_feed import patient_calendar_feed_rotate
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory, UserFactory

URL = "/accounts/my-data/"

# Every model that belongs to a patient, by the export key that carries it.
EXPORTED: dict[str, str] = {
    "accounts.User": "profile",
    "accounts.PatientProfile": "profile",
    "accounts.SignInLink": "sign_in_links",
    "api.ApiToken": "api_tokens",
    "scheduling.Appointment": "appointments",
    "scheduling.PatientCalendarFeed": "calendar_feeds",
    "programs.ExerciseProgram": "exercise_programs",
    "programs.ProgramVersion": "program_versions",
    "programs.ProgramItem": "program_items",
    "programs.SessionLog": "session_logs",
    "programs.ExerciseLog": "exercise_logs",
    "programs.PainScore": "pain_scores",
    "programs.PsfsActivity": "psfs_activities",
    "programs.PsfsCheckin": "psfs_checkins",
    "programs.PsfsRating": "psfs_ratings",
    "programs.SymptomReport": "symptom_reports",
    "programs.ProgramAlert": "alerts",
    "programs.ExerciseReminder": "reminders",
    # No foreign key to the patient, found by id or address instead.
    "audit.AuditEvent": "audit_events",
    "contact.ContactMessage": "contact_messages",
}
# Models related to a user that are not the patient's record, and why.
EXCLUDED: dict[str, str] = {
    "scheduling.Therapist": "staff only: a therapist's account, not a patient's",
    "admin.LogEntry": "staff only: Django admin actions by staff users",
    "otp_totp.TOTPDevice": "staff only: two-factor devices; secrets besides",
    "otp_static.StaticDevice": "staff only: recovery codes; secrets besides",
}


def _patient_models() -> set[str]:
    """Return every model linked to the User model, directly or through a patient's row."""
    user_model = get_user_model()
    owned: set[type[models.Model]] = {user_model}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            label = model._meta.label
            if model in owned or label in EXCLUDED:
                continue
            for field in model._meta.get_fields():
                if (
                    field.is_relation
                    and field.concrete
                    and (field.many_to_one or field.one_to_one)
                    and field.related_model in owned
                ):
                    owned.add(model)
                    changed = True
                    break
    return {model._meta.label for model in owned}


@pytest.fixture
def full_patient(db: None, patient: User) -> User:
    therapist = TherapistFactory.create()
    program = program_prescribe(patient=patient, therapist=therapist, title="Knee program")
    SessionLog.objects.create(
        program=program,
        version=version_current(program=program),
        on=program_today(program),
        completion="done",
        note="Felt fine",
    )
    AppointmentFactory.create(patient=patient, therapist=therapist, reason="Sore knee")
    sign_in_link_create(user=patient, purpose="sign_in")
    api_token_create(user=patient, name="phone")
    patient_calendar_feed_rotate(patient=patient)
    ContactMessage.objects.create(name="Pat", email="PAT@example.com", message="Hello")
    return patient


def test_every_model_related_to_a_patient_is_exported_or_excluded_with_a_reason(
    full_patient: User,
) -> None:
    export = patient_data_export(user=full_patient)
    missing = sorted(_patient_models() - set(EXPORTED) - set(EXCLUDED))
    assert not missing, f"models with a patient relation neither exported nor excluded: {missing}"
    for label, key in EXPORTED.items():
        assert key in export, f"{label} should be exported under {key!r}"


def test_export_holds_the_patients_records_and_no_secrets(full_patient: User) -> None:
    export = patient_data_export(user=full_patient)
    assert export["profile"]["user"]["email"] == "pat@example.com"
    assert [a["reason"] for a in export["appointments"]] == ["Sore knee"]
    assert [p["title"] for p in export["exercise_programs"]] == ["Knee program"]
    assert export["program_versions"] and export["program_items"]
    assert [s["note"] for s in export["session_logs"]] == ["Felt fine"]
    assert len(export["sign_in_links"]) == len(export["api_tokens"]) == 1
    assert len(export["calendar_feeds"]) == 1
    assert [m["message"] for m in export["contact_messages"]] == ["Hello"]
    text = json.dumps(export, default=str)
    for secret in ("token_hash", "password", "manage_token_hash", "idempotency_key"):
        assert f'"{secret}"' not in text


def test_export_of_one_patient_holds_nothing_of_another(full_patient: User) -> None:
    other = UserFactory.create(email="olive@example.com", first_name="Olive")
    program_prescribe(patient=other, title="Olive's shoulder")
    AppointmentFactory.create(patient=other, reason="Olive's reason")
    text = json.dumps(patient_data_export(user=full_patient), default=str)
    assert "Olive" not in text and "olive@example.com" not in text
    other_text = json.dumps(patient_data_export(user=other), default=str)
    assert "Knee program" not in other_text and "Sore knee" not in other_text


def test_download_is_a_private_uncached_attachment_and_is_audited(full_patient: User) -> None:
    client = Client()
    client.force_login(full_patient)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="stride-my-data.json"'
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Type"].startswith("application/json")
    data: dict[str, Any] = json.loads(response.content)
    assert data["profile"]["user"]["id"] == full_patient.pk
    event = AuditEvent.objects.get(action=AuditAction.DATA_EXPORT)
    assert event.patient_id == event.actor_id == full_patient.pk
    assert event.path == URL


def test_staff_and_visitors_cannot_download(db: None, staff: User) -> None:
    client = Client()
    assert client.get(URL).status_code == 302
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    admin = UserFactory.create(role=Role.ADMIN, email="boss@stridept.example")
    client.force_login(admin)
    assert client.get(URL).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DATA_EXPORT).exists()


def test_download_is_rate_limited(settings: Any, patient: User) -> None:
    settings.STRIDE_RATE_LIMIT_DATA_EXPORT = "2/3600"
    RateLimitCounter.objects.all().delete()
    cache.clear()
    client = Client()
    client.force_login(patient)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]


def test_post_is_refused(patient: User) -> None:
    client = Client()
    client.force_login(patient)
    assert client.post(URL).status_code == 405
