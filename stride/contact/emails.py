"""The emails the contact inbox sends: the clinic's notification and a staff reply."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse

from stride.scheduling.selectors import location_get_primary

from .models import ContactMessage
from .validators import has_control_characters, single_line

SUBJECT_MAX_LENGTH = 150


def email_address_safe(address: str) -> str | None:
    """Return ``address`` when it is one valid address fit for a header, else None."""
    address = address.strip()
    if not address or has_control_characters(address):
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _received_display(moment: datetime) -> str:
    # No shared time formatter exists yet; show the clinic's local time when it is known.
    location = location_get_primary()
    local = moment.astimezone(location.tzinfo if location is not None else UTC)
    return local.strftime("%Y-%m-%d %H:%M %Z")


def _subject(text: str) -> str:
    return single_line(text)[:SUBJECT_MAX_LENGTH]


def notification_email_build(*, message: ContactMessage, recipient: str) -> EmailMessage:
    """Build the email telling the clinic inbox about ``message``; Reply-To is the sender."""
    reply_to = email_address_safe(message.email)
    admin_path = reverse("admin:contact_contactmessage_change", args=[message.pk])
    body = render_to_string(
        "contact/email/notification.txt",
        {
            "message": message,
            "received": _received_display(message.created_at),
            "admin_url": f"{settings.SITE_URL}{admin_path}",
        },
    )
    return EmailMessage(
        subject=_subject(f"New contact message from {message.name}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
    )


def reply_email_build(
    *, message: ContactMessage, text: str, clinic_name: str, clinic_inbox: str
) -> EmailMessage:
    """Build the email carrying a staff reply to the sender of ``message``.

    Raise ValueError when the sender's address cannot be used.
    """
    recipient = email_address_safe(message.email)
    if recipient is None:
        raise ValueError("the sender's email address is not usable")
    reply_to = email_address_safe(clinic_inbox)
    body = render_to_string(
        "contact/email/reply.txt",
        {
            "message": message,
            "name": single_line(message.name),
            "text": text,
            "clinic_name": clinic_name,
            "clinic": location_get_primary(),
        },
    )
    return EmailMessage(
        subject=_subject(f"Reply to your message to {clinic_name}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
    )
