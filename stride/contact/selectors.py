"""Reads of contact messages and of where the clinic receives them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from stride.scheduling.selectors import location_get_primary

from .models import NOTIFICATION_MAX_ATTEMPTS, ContactMessage

DEFAULT_CLINIC_NAME = "Stride Physical Therapy"


def contact_inbox_get() -> str:
    """Return the address that receives contact messages: STRIDE_CLINIC_INBOX or the clinic's."""
    if settings.STRIDE_CLINIC_INBOX:
        return str(settings.STRIDE_CLINIC_INBOX)
    location = location_get_primary()
    return location.email if location is not None else ""


def contact_clinic_name_get() -> str:
    """Return the clinic's public name, for emails to senders."""
    location = location_get_primary()
    return location.name if location is not None else DEFAULT_CLINIC_NAME


def contact_message_list_pending_notification() -> QuerySet[ContactMessage]:
    """Return messages whose clinic notification is still owed, oldest first."""
    return ContactMessage.objects.filter(
        notification_sent_at__isnull=True,
        notification_attempts__lt=NOTIFICATION_MAX_ATTEMPTS,
    ).order_by("created_at", "pk")
