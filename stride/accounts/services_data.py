"""A patient's rights over their record: a copy of everything held (HIPAA §164.524 right of
access) and erasure of their identity on request (GDPR Art. 17), keeping the clinical record the
clinic must retain.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from stride.api.models import ApiToken
from stride.audit.models import AuditAction, AuditEvent
from stride.audit.services import audit_record
from stride.contact.models import ContactMessage
from stride.core.outbox import emails_delete_for_address
from stride.programs.models import (
    ExerciseLog,
    ExerciseProgram,
    ExerciseReminder,
    PainScore,
    ProgramAlert,
    ProgramItem,
    ProgramStatus,
    ProgramVersion,
    PsfsActivity,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
    SymptomReport,
)
from stride.programs.services.programs import program_status_set
from stride.scheduling.models import Appointment, AppointmentStatus, PatientCalendarFeed
from stride.scheduling.services.changes import appointment_cancel

from .models import PatientProfile, Role, SignInLink, User

# Credentials and internal bookkeeping: never part of an export (hashes are secrets even hashed,
# claim ids and idempotency keys mean nothing to the patient).
SECRET_FIELDS = frozenset(
    {
        "password",
        "token_hash",
        "manage_token_hash",
        "idempotency_key",
        "claim_id",
        "reminder_claim_id",
    }
)
USER_FIELDS = ("id", "email", "first_name", "last_name", "role", "is_active", "date_joined")
ERASED_NAME = "Erased patient"
ERASED_DOMAIN = "invalid.example"


def _row(obj: models.Model, *, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return ``obj``'s concrete fields as a dict; a foreign key as ``<name>_id``."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or (only and field.name not in only):
            continue
        data[field.attname] = getattr(obj, field.attname)
    return data


def _rows(queryset: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [_row(obj) for obj in queryset.order_by("pk")]


def patient_data_export(*, user: User) -> dict[str, Any]:
    """Return everything held about ``user`` as plain data (datetimes left for the encoder).

    Keys name the records; each is a list of rows ordered by id. Hashes of sign-in links, API
    tokens and calendar feeds are left out: they are credentials, and the patient has no use
    for them.
    """
    programs = ExerciseProgram.objects.filter(patient=user)
    sessions = SessionLog.objects.filter(program__patient=user)
    profile = PatientProfile.objects.filter(user=user).first()
    return {
        "profile": {
            "user": _row(user, only=USER_FIELDS),
            "patient_profile": _row(profile) if profile else None,
        },
        "appointments": _rows(Appointment.objects.filter(patient=user)),
        "exercise_programs": _rows(programs),
        "program_versions": _rows(ProgramVersion.objects.filter(program__patient=user)),
        "program_items": _rows(ProgramItem.objects.filter(version__program__patient=user)),
        "session_logs": _rows(sessions),
        "exercise_logs": _rows(ExerciseLog.objects.filter(session__program__patient=user)),
        "pain_scores": _rows(PainScore.objects.filter(program__patient=user)),
        "psfs_activities": _rows(PsfsActivity.objects.filter(program__patient=user)),
        "psfs_checkins": _rows(PsfsCheckin.objects.filter(program__patient=user)),
        "psfs_ratings": _rows(PsfsRating.objects.filter(checkin__program__patient=user)),
        "symptom_reports": _rows(SymptomReport.objects.filter(program__patient=user)),
        "alerts": _rows(ProgramAlert.objects.filter(program__patient=user)),
        "reminders": _rows(ExerciseReminder.objects.filter(program__patient=user)),
        "sign_in_links": _rows(SignInLink.objects.filter(user=user)),
        "api_tokens": _rows(ApiToken.objects.filter(user=user)),
        "calendar_feeds": _rows(PatientCalendarFeed.objects.filter(user=user)),
        "audit_events": [
            _row(event) for event in AuditEvent.objects.filter(patient_id=user.pk).order_by("pk")
        ],
        "contact_messages": _rows(ContactMessage.objects.filter(email__iexact=user.email)),
    }


def _erased_email(user: User) -> str:
    return f"erased-{user.pk}@{ERASED_DOMAIN}"


def _sessions_delete(user: User) -> int:
    """Delete the database sessions signed in as ``user``; return how many."""
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def patient_erase(*, user: User, by: User | None) -> None:
    """Erase ``user``'s identity, keep their clinical record; a second call changes nothing.

    ``by`` is the clinic admin who acts, or None for the operator at ``manage.py`` (who already
    holds the server). Identity goes (email, names, phone, date of birth, credentials, sessions,
    calendar feed); appointments, programs and logs stay, linked to the anonymised account, as
    the clinic's retention duty requires. Contact messages from their address keep their text
    (the clinic's correspondence) but lose name, email and phone. Emails to their address still
    in the outbox are deleted, pending or sent.

    Future visits are cancelled through ``appointment_cancel``. Its notice is built after commit
    from the anonymised row, so it is addressed to ``erased-<id>@invalid.example`` (RFC 2606,
    never delivered), never the old address.

    Locks: the user row until commit, so two erasures of one patient run one after the other.
    """
    if by is not None and not (by.is_active and by.role == Role.ADMIN):
        raise PermissionDenied("Only a clinic admin can erase a patient.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role != Role.PATIENT:
            raise PermissionDenied("Only patients are erased this way.")
        erased_email = _erased_email(user)
        if user.email == erased_email and not user.is_active:
            return
        old_email = user.email
        now = timezone.now()

        user.email = erased_email
        user.first_name = ERASED_NAME
        user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
        PatientProfile.objects.filter(user=user).update(
            phone="", date_of_birth=None, updated_at=now
        )

        links = SignInLink.objects.filter(user=user).delete()[0]
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        feeds = PatientCalendarFeed.objects.filter(user=user).delete()[0]
        sessions = _sessions_delete(user)

        open_programs = ExerciseProgram.objects.filter(patient=user).exclude(
            status=ProgramStatus.ENDED
        )
        for program in open_programs:
            program_status_set(program=program, status=ProgramStatus.ENDED)
        ExerciseProgram.objects.filter(patient=user).update(reminder_time=None)

        future = Appointment.objects.filter(
            patient=user, status=AppointmentStatus.CONFIRMED, start__gt=now
        )
        cancelled = 0
        for appointment in future:
            appointment_cancel(appointment=appointment, by_patient=False, now=now, notify=False)
            cancelled += 1

        messages = ContactMessage.objects.filter(email__iexact=old_email).update(
            name=ERASED_NAME, email=erased_email, phone="", updated_at=now
        )
        # Emails waiting or kept in the outbox: none may still go out, none is kept.
        emails = emails_delete_for_address(old_email)

        audit_record(
            action=AuditAction.ERASURE,
            actor=by,
            patient=user,
            object_type="user",
            object_id=user.pk,
            detail={
                "sign_in_links": links,
                "api_tokens_revoked": tokens,
                "calendar_feeds": feeds,
                "sessions": sessions,
                "appointments_cancelled": cancelled,
                "contact_messages": messages,
                "outgoing_emails": emails,
            },
        )
