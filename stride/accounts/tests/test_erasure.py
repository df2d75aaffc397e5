"""Erasure on request: identity and access go, the clinical record stays, nothing is sent."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from stride.accounts.models import PatientProfile, Role, SignInLink, User
from stride.accounts.services import sign_in_link_create, sign_in_link_request
from stride.accounts.services_data import patient_data_export, patient_erase
from stride.api.auth import api_token_create
from stride.api.models import ApiToken
from stride.audit.models import AuditAction, AuditEvent
from stride.contact.models import ContactMessage
from stride.core.models import OutgoingEmail
from stride.core.outbox import emails_send_due
from stride.programs.models import ExerciseProgram, ProgramStatus, SessionLog
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.reminders import exercise_reminders_send_due
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.models import Appointment, AppointmentStatus, PatientCalendarFeed
from stride.scheduling.services.calendar_feed import patient_calendar_feed_rotate
from stride.scheduling.services.reminders import reminders_send_due
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # the factories' password
OLD_EMAIL = "pat@example.com"


class Before:
    """A patient with a record, credentials and a signed-in browser, as they were."""

    def __init__(self, patient: User) -> None:
        therapist = TherapistFactory.create()
        PatientProfile.objects.update_or_create(
            user=patient, defaults={"phone": "555 0100", "date_of_birth": dt.date(1980, 1, 2)}
        )
        self.program = program_prescribe(patient=patient, therapist=therapist, title="Knee")
        ExerciseProgram.objects.filter(pk=self.program.pk).update(reminder_time=dt.time(8, 0))
        SessionLog.objects.create(
            program=self.program,
            version=version_current(program=self.program),
            on=program_today(self.program),
            completion="done",
        )
        now = timezone.now()
        self.past = AppointmentFactory.create(
            patient=patient, therapist=therapist, start=now - dt.timedelta(days=7)
        )
        self.past.status = AppointmentStatus.COMPLETED
        self.past.save(update_fields=["status"])
        self.future = AppointmentFactory.create(
            patient=patient, therapist=therapist, start=now + dt.timedelta(hours=20)
        )
        self.link, self.link_token = sign_in_link_create(
            user=patient, purpose=SignInLink.Purpose.SIGN_IN
        )
        self.api_token_row, self.api_token = api_token_create(user=patient, name="phone")
        patient_calendar_feed_rotate(patient=patient)
        ContactMessage.objects.create(
            name="Pat Patient", email="Pat@Example.com", phone="555 0100", message="My knee"
        )
        self.browser = Client()
        self.browser.post("/accounts/sign-in/", {"username": OLD_EMAIL, "password": PASSWORD})
        assert self.browser.session.get(SESSION_KEY) == str(patient.pk)


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory.create(role=Role.ADMIN, is_staff=True, email="boss@stridept.example")


@pytest.fixture
def before(patient: User) -> Before:
    return Before(patient)


def _erase(patient: User, admin: User, capture: Any) -> None:
    with capture(execute=True):
        patient_erase(user=patient, by=admin)
    patient.refresh_from_db()


def test_erasure_anonymises_identity_and_keeps_the_clinical_record(
    patient: User, admin: User, before: Before, django_capture_on_commit_callbacks: Any
) -> None:
    _erase(patient, admin, django_capture_on_commit_callbacks)
    assert patient.email == f"erased-{patient.pk}@invalid.example"
    assert (patient.first_name, patient.last_name) == ("Erased patient", "")
    assert not patient.is_active and not patient.has_usable_password()
    profile = PatientProfile.objects.get(user=patient)
    assert (profile.phone, profile.date_of_birth) == ("", None)
    # Kept: appointments, programs, logs, linked to the anonymised account.
    assert Appointment.objects.filter(patient=patient).count() == 2
    assert SessionLog.objects.filter(program__patient=patient).count() == 1
    program = ExerciseProgram.objects.get(pk=before.program.pk)
    assert program.status == ProgramStatus.ENDED and program.reminder_time is None
    before.future.refresh_from_db()
    before.past.refresh_from_db()
    assert before.future.status == AppointmentStatus.CANCELLED
    assert before.past.status == AppointmentStatus.COMPLETED
    # Gone: links, feeds; tokens revoked.
    assert not SignInLink.objects.filter(user=patient).exists()
    assert not PatientCalendarFeed.objects.filter(user=patient).exists()
    assert ApiToken.objects.get(pk=before.api_token_row.pk).revoked_at is not None
    # Contact message: text kept (the clinic's correspondence), identity gone.
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.phone) == (
        "Erased patient",
        patient.email,
        "",
    )
    assert message.message == "My knee"
    event = AuditEvent.objects.get(action=AuditAction.ERASURE)
    assert (event.actor_id, event.patient_id) == (admin.pk, patient.pk)
    assert "pat@example.com" not in str(patient_data_export(user=patient))


def test_nothing_is_sent_to_the_old_address(
    patient: User, admin: User, before: Before, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    _erase(patient, admin, django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=timezone.now() + dt.timedelta(hours=1))
        exercise_reminders_send_due(now=later)
    assert all(OLD_EMAIL not in [a.lower() for a in m.to] for m in mail.outbox), [
        m.to for m in mail.outbox
    ]
    # No cancellation email either, not even to the anonymised address.
    assert mail.outbox == []


def test_emails_waiting_for_the_old_address_are_deleted_and_never_sent(
    patient: User,
    admin: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.SMTPDownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email=OLD_EMAIL)
    other = UserFactory.create(email="someone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email=other.email)
    assert OutgoingEmail.objects.filter(status="pending").count() == 2

    _erase(patient, admin, django_capture_on_commit_callbacks)

    assert [e.to for e in OutgoingEmail.objects.all()] == [[other.email]]
    event = AuditEvent.objects.get(action=AuditAction.ERASURE)
    assert event.detail["outgoing_emails"] == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    emails_send_due(now=timezone.now() + dt.timedelta(minutes=5))
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_erased_patient_cannot_sign_in_by_password_link_or_token(
    patient: User, admin: User, before: Before, django_capture_on_commit_callbacks: Any
) -> None:
    _erase(patient, admin, django_capture_on_commit_callbacks)
    # The browser signed in before is signed out.
    assert before.browser.get("/my/").status_code == 302
    assert not any(
        s.get_decoded().get(SESSION_KEY) == str(patient.pk) for s in Session.objects.all()
    )
    for email in (OLD_EMAIL, patient.email):
        client = Client()
        client.post("/accounts/sign-in/", {"username": email, "password": PASSWORD})
        assert SESSION_KEY not in client.session
    client = Client()
    client.get(f"/accounts/link/{before.link.pk}/{before.link_token}/")
    client.post(f"/accounts/link/{before.link.pk}/sign-in/")
    assert SESSION_KEY not in client.session
    response = Client().get(
        "/api/v1/me/program", headers={"Authorization": f"Bearer {before.api_token}"}
    )
    assert response.status_code == 401


def test_erasure_is_idempotent(
    patient: User, admin: User, before: Before, django_capture_on_commit_callbacks: Any
) -> None:
    _erase(patient, admin, django_capture_on_commit_callbacks)
    snapshot = patient_data_export(user=patient)
    _erase(patient, admin, django_capture_on_commit_callbacks)
    assert patient_data_export(user=patient) == snapshot
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE).count() == 1


def test_another_patients_data_is_unaffected(
    patient: User, admin: User, before: Before, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory.create(email="olive@example.com", first_name="Olive")
    program_prescribe(patient=other, title="Olive's shoulder")
    AppointmentFactory.create(patient=other, start=timezone.now() + dt.timedelta(days=2))
    sign_in_link_create(user=other, purpose=SignInLink.Purpose.SIGN_IN)
    ContactMessage.objects.create(name="Olive", email="olive@example.com", message="Hi")
    export_before = patient_data_export(user=other)
    _erase(patient, admin, django_capture_on_commit_callbacks)
    assert patient_data_export(user=other) == export_before


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.FRONT_DESK, Role.PATIENT])
def test_only_a_clinic_admin_may_erase(patient: User, role: str) -> None:
    someone = UserFactory.create(role=role, email=f"{role}@stridept.example")
    with pytest.raises(PermissionDenied):
        patient_erase(user=patient, by=someone)
    patient.refresh_from_db()
    assert patient.email == OLD_EMAIL and patient.is_active


def test_staff_accounts_are_not_erased_this_way(admin: User) -> None:
    therapist = TherapistFactory.create().user
    with pytest.raises(PermissionDenied):
        patient_erase(user=therapist, by=admin)


def test_command_needs_yes_and_erases(patient: User, admin: User) -> None:
    with pytest.raises(CommandError):
        call_command("patient_erase", OLD_EMAIL)
    patient.refresh_from_db()
    assert patient.is_active
    out = io.StringIO()
    call_command("patient_erase", OLD_EMAIL, "--yes", "--by", admin.email, stdout=out)
    patient.refresh_from_db()
    assert patient.email == f"erased-{patient.pk}@invalid.example"
    assert AuditEvent.objects.get(action=AuditAction.ERASURE).actor_id == admin.pk
    # Again, by the new address: nothing changes.
    call_command("patient_erase", patient.email, "--yes", stdout=out)
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE).count() == 1
    with pytest.raises(CommandError):
        call_command("patient_erase", "nobody@example.com", "--yes")
