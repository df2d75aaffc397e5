"""Writes to the contact inbox: store a message, notify the clinic, reply, mark handled."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .emails import notification_email_build, reply_email_build
from .models import NOTIFICATION_MAX_ATTEMPTS, USER_AGENT_MAX_LENGTH, ContactMessage
from .selectors import contact_clinic_name_get, contact_inbox_get

if TYPE_CHECKING:
    from stride.accounts.models import User

logger = logging.getLogger(__name__)


class NotifyResult(enum.Enum):
    """What ``contact_message_notify`` did with one message."""

    SENT = "sent"
    FAILED = "failed"
    NO_RECIPIENT = "no recipient"
    SKIPPED = "skipped"  # already sent, given up on, or claimed by another worker


class ContactReplyError(Exception):
    """The reply could not be sent; its text stays saved so staff can retry."""


def contact_message_create(
    *,
    name: str,
    email: str,
    phone: str = "",
    message: str,
    preferred_contact: str = ContactMessage.PreferredContact.EMAIL,
    client_ip: str | None = None,
    user_agent: str = "",
) -> ContactMessage:
    """Store a visitor's message and, once committed, email the clinic inbox about it.

    The row is saved before any email is attempted, so a failing mail server never loses
    a message; ``send_contact_notifications`` retries what the first attempt missed.
    """
    contact_message = ContactMessage(
        name=name,
        email=email,
        phone=phone,
        message=message,
        preferred_contact=preferred_contact,
        client_ip=client_ip,
        # PostgreSQL text cannot hold NUL; the header is the client's to fill, so sanitise it.
        user_agent=user_agent.replace("\x00", "")[:USER_AGENT_MAX_LENGTH],
    )
    contact_message.full_clean()
    with transaction.atomic():
        contact_message.save()
        message_id = contact_message.pk
        transaction.on_commit(lambda: _notify_after_commit(message_id))
    return contact_message


def _notify_after_commit(message_id: int) -> None:
    # Runs in the visitor's request: nothing may reach them, the message is already safe.
    try:
        contact_message_notify(message_id)
    except Exception:
        logger.exception("contact message %s: notification crashed; left pending", message_id)


def contact_message_notify(message_id: int) -> NotifyResult:
    """Email the clinic inbox about one message unless that was already done; never raise
    for a mail failure.

    Locking: claims the row with ``SELECT ... FOR UPDATE SKIP LOCKED`` and holds it while
    sending, so concurrent workers (two cron hosts, or cron beside a request) skip a message
    another one is sending. SQLite ignores the row lock, but its IMMEDIATE transactions
    serialise writers. ``notification_sent_at`` is set only after the mail backend accepted
    the email. Logs carry the message id and error class, never the message's content.
    """
    with transaction.atomic():
        contact_message = (
            ContactMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk=message_id,
                notification_sent_at__isnull=True,
                notification_attempts__lt=NOTIFICATION_MAX_ATTEMPTS,
            )
            .first()
        )
        if contact_message is None:
            return NotifyResult.SKIPPED

        recipient = contact_inbox_get()
        if not recipient:
            logger.warning(
                "contact message %s: no clinic inbox (set STRIDE_CLINIC_INBOX or the "
                "location's email); notification left pending",
                message_id,
            )
            return NotifyResult.NO_RECIPIENT

        try:
            notification_email_build(message=contact_message, recipient=recipient).send()
        except Exception as exc:  # SMTP down, timeouts, refused recipients, bad templates.
            contact_message.notification_attempts += 1
            contact_message.last_notification_error = type(exc).__name__
            contact_message.save(
                update_fields=["notification_attempts", "last_notification_error", "updated_at"]
            )
            logger.warning(
                "contact message %s: notification failed (%s), attempt %s of %s",
                message_id,
                type(exc).__name__,
                contact_message.notification_attempts,
                NOTIFICATION_MAX_ATTEMPTS,
            )
            return NotifyResult.FAILED

        contact_message.notification_attempts += 1
        contact_message.notification_sent_at = timezone.now()
        contact_message.last_notification_error = ""
        contact_message.save(
            update_fields=[
                "notification_attempts",
                "notification_sent_at",
                "last_notification_error",
                "updated_at",
            ]
        )
    logger.info("contact message %s: clinic notified", message_id)
    return NotifyResult.SENT


def contact_message_reply(message: ContactMessage, staff_user: User, text: str) -> ContactMessage:
    """Email ``text`` to the sender of ``message`` and mark it handled by ``staff_user``.

    The reply text is saved even when sending fails (then ContactReplyError is raised) so
    staff can retry. Locking: holds the message row for the send, so two staff cannot both
    answer; a message already replied to raises ContactReplyError.
    """
    text = text.strip()
    if not text:
        raise ValidationError({"staff_reply": "Write a reply before sending it."})

    error: Exception | None = None
    with transaction.atomic():
        locked = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if locked.replied_at is not None:
            raise ContactReplyError("This message has already been answered.")
        locked.staff_reply = text
        try:
            reply_email_build(
                message=locked,
                text=text,
                clinic_name=contact_clinic_name_get(),
                clinic_inbox=contact_inbox_get(),
            ).send()
        except Exception as exc:  # The reply text is kept below; staff see the error.
            error = exc
            locked.save(update_fields=["staff_reply", "updated_at"])
        else:
            now = timezone.now()
            locked.replied_at = now
            locked.status = ContactMessage.Status.HANDLED
            locked.handled_at = now
            locked.handled_by = staff_user
            locked.save(
                update_fields=[
                    "staff_reply",
                    "replied_at",
                    "status",
                    "handled_at",
                    "handled_by",
                    "updated_at",
                ]
            )

    if error is not None:
        logger.warning("contact message %s: reply failed (%s)", message.pk, type(error).__name__)
        raise ContactReplyError(
            f"The reply could not be sent ({type(error).__name__}). It is saved: "
            "save the message again to retry."
        ) from error
    logger.info("contact message %s: reply sent", message.pk)
    return locked


def contact_message_mark_handled(*, message_ids: Iterable[int], user: User) -> int:
    """Mark new messages handled by ``user``; return how many changed."""
    now = timezone.now()
    return ContactMessage.objects.filter(
        pk__in=list(message_ids), status=ContactMessage.Status.NEW
    ).update(status=ContactMessage.Status.HANDLED, handled_at=now, handled_by=user, updated_at=now)


def contact_message_mark_new(*, message_ids: Iterable[int]) -> int:
    """Return handled messages to new; return how many changed."""
    return ContactMessage.objects.filter(
        pk__in=list(message_ids), status=ContactMessage.Status.HANDLED
    ).update(
        status=ContactMessage.Status.NEW,
        handled_at=None,
        handled_by=None,
        updated_at=timezone.now(),
    )
