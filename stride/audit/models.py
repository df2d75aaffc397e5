"""The audit log: who signed in, was refused, or read, changed or exported a patient's record.

Answers HIPAA §164.312(b) (audit controls) and OWASP ASVS V7 (logging). Rows are append-only,
refused twice over: here in Python (``save`` of an existing row, ``delete``, and the queryset's
``update``/``delete``/``bulk_update`` raise ``AuditEventImmutable``) and in the database by
triggers (migration 0002) that make any UPDATE or DELETE fail with ``IntegrityError``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone

# Every field of an event, in the order the admin shows them and the CSV export writes them.
AUDIT_EVENT_FIELDS = (
    "at",
    "action",
    "outcome",
    "actor_id",
    "actor_email",
    "actor_role",
    "patient_id",
    "patient_ref",
    "object_type",
    "object_id",
    "method",
    "path",
    "ip",
    "user_agent",
    "detail",
)


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    RECORD_VIEW = "record_view", "Viewed a record"
    RECORD_CHANGE = "record_change", "Changed a record"
    RECORD_EXPORT = "record_export", "Exported records"
    DATA_EXPORT = "data_export", "Exported a patient's data"
    ERASURE = "erasure", "Erased a patient's data"


class AuditOutcome(models.TextChoices):
    OK = "ok", "OK"
    DENIED = "denied", "Denied"
    FAILED = "failed", "Failed"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Querysets that read and insert audit events but refuse to change or delete them."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be changed.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be deleted.")

    update.alters_data = True  # type: ignore[attr-defined]
    bulk_update.alters_data = True  # type: ignore[attr-defined]
    delete.alters_data = True  # type: ignore[attr-defined]


class AuditEvent(models.Model):
    """One thing that happened, by whom, to which patient's record, from where.

    People are kept as plain ids plus snapshots (``actor_email``, ``actor_role``,
    ``patient_ref``), not as foreign keys. A foreign key would need an UPDATE of old rows when
    a user is deleted (SET_NULL), which the append-only triggers refuse, or would block the
    deletion (PROTECT); and an event must keep saying who acted as they were then, whatever
    later happens to the account. ``actor_id`` and ``patient_id`` are the users' primary keys
    at the time (never reused: both databases allocate them monotonically).

    ``detail`` holds non-clinical context only: field names, counts, statuses, filters. Never
    clinical values (pain scores, notes, symptoms, a visit's reason).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.OK)
    actor_id = models.BigIntegerField(
        null=True, blank=True, help_text="The acting user's id; empty when nobody was signed in."
    )
    actor_email = models.CharField(
        max_length=254,
        blank=True,
        help_text="The actor's email then, lowercased; for a failed sign-in, the email tried.",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    patient_id = models.BigIntegerField(
        null=True, blank=True, help_text="The id of the patient whose record was touched."
    )
    patient_ref = models.CharField(
        max_length=254, blank=True, help_text="The patient's email then, lowercased."
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "at"], name="audit_patient_at"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC {who} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new event; refuse to save one that is already stored."""
        if not self._state.adding:
            raise AuditEventImmutable("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be deleted.")

    def detail_summary(self) -> str:
        """Return ``detail`` as "key: value; key: a, b" for pages."""
        parts = []
        for key, value in (self.detail or {}).items():
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}: {text}")
        return "; ".join(parts)
