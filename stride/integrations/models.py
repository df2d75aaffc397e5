"""Webhooks: the clinic's other systems subscribe to booking events, delivered from an outbox."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models

from stride.core.models import TimeStampedModel

from .targets import webhook_url_validate

# A delivery is given up after this many failed attempts (the first try plus six retries).
DELIVERY_MAX_ATTEMPTS = 7
# What is kept of an error message or a response body on a delivery.
ERROR_MAX_LENGTH = 500


class WebhookEvent(models.TextChoices):
    APPOINTMENT_CREATED = "appointment.created", "Appointment created"
    APPOINTMENT_CANCELLED = "appointment.cancelled", "Appointment cancelled"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", "Appointment rescheduled"


def webhook_secret_generate() -> str:
    """Return a new random signing secret for an endpoint."""
    return secrets.token_urlsafe(32)


def validate_events(value: object) -> None:
    """Require a non-empty list of known event names."""
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event.")
    unknown = [event for event in value if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError(f"Unknown event: {unknown[0]}.")


class WebhookEndpoint(TimeStampedModel):
    """An address in another system (EHR, billing, CRM) told about booking events.

    Each request is signed with ``secret`` (HMAC-SHA256). The secret is generated here, shown in
    full once when the endpoint is created, and never edited.
    """

    name = models.CharField(max_length=100, help_text='Which system it is, e.g. "Billing".')
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[webhook_url_validate],
        help_text="HTTPS address that receives a POST for each event.",
    )
    secret = models.CharField(max_length=64, default=webhook_secret_generate, editable=False)
    events = models.JSONField(
        default=list, validators=[validate_events], help_text="The events sent to this address."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.name

    @property
    def secret_masked(self) -> str:
        return f"{'•' * 8}{self.secret[-4:]}" if self.secret else ""

    def subscribes_to(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, written in the booking's own transaction.

    ``payload`` is the exact event as it was when the booking changed. A sender claims the row
    (``claimed_at``/``claim_id``, see ``services/webhooks.py``) while it posts, then records the
    attempt; pending rows wait until ``next_attempt_at``.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50, choices=WebhookEvent.choices)
    event_id = models.UUIDField(help_text="Sent as Stride-Delivery; receivers deduplicate by it.")
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_endpoint_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookDeliveryAttempt(models.Model):
    """One POST of a delivery and what came back: the delivery's history for the admin."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
