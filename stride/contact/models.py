"""Messages sent through the public contact form: the clinic's inbox."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from stride.core.models import TimeStampedModel

from .validators import validate_phone_characters, validate_phone_digits, validate_single_line

_no_nul = ProhibitNullCharactersValidator()

NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 30
MESSAGE_MIN_LENGTH = 5
MESSAGE_MAX_LENGTH = 5000
USER_AGENT_MAX_LENGTH = 300
# The retry command gives up on a notification after this many failed sends.
NOTIFICATION_MAX_ATTEMPTS = 10


class ContactMessage(TimeStampedModel):
    """One message from a visitor, with how the clinic handled it and whether staff were told."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        HANDLED = "handled", "Handled"

    class PreferredContact(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[_no_nul, validate_single_line])
    email = models.EmailField(
        max_length=EMAIL_MAX_LENGTH, validators=[_no_nul, validate_single_line]
    )
    phone = models.CharField(
        max_length=PHONE_MAX_LENGTH,
        blank=True,
        validators=[_no_nul, validate_phone_characters, validate_phone_digits],
    )
    message = models.TextField(
        validators=[
            _no_nul,
            MinLengthValidator(MESSAGE_MIN_LENGTH),
            MaxLengthValidator(MESSAGE_MAX_LENGTH),
        ]
    )
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.EMAIL
    )

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff_reply = models.TextField(
        blank=True,
        help_text="Saving a reply emails it to the sender and marks the message handled.",
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    client_ip = models.GenericIPAddressField("client IP", null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)

    notification_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clinic inbox was emailed about this message."
    )
    notification_attempts = models.PositiveIntegerField(default=0)
    last_notification_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The retry command's scan: pending notifications only.
            models.Index(
                fields=["created_at"],
                condition=models.Q(notification_sent_at__isnull=True),
                name="contact_pending_notif_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "handled"]),
                name="contact_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(preferred_contact__in=["email", "phone"]),
                name="contact_preferred_contact_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(preferred_contact="email") | ~models.Q(phone=""),
                name="contact_phone_when_preferred",
                violation_error_message="Enter a phone number so we can call you back.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="new") | models.Q(handled_at__isnull=False),
                name="contact_handled_has_time",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH),
                name="contact_message_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Message from {self.name}"
