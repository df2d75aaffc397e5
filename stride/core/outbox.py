"""The email outbox: every email is saved before it is sent, sent at once, retried when not.

Queue (``email_queue``): a caller builds a Django ``EmailMessage`` as usual and hands it here
instead of calling ``.send()``. The row is written in the caller's transaction, so an email
exists exactly when the change that caused it committed, and one attempt is made right after
commit, still in the request (bounded by ``EMAIL_TIMEOUT``). With the mail server up the email
leaves at once; with it down the visitor sees the same page and the row waits for
``manage.py send_queued_email``. Nothing reaches the caller: a failed attempt is recorded and
logged with the row's id and kind, never the address or the content.

Send (``email_send``), the claim pattern of the reminders and webhooks:

1. Claim: one conditional UPDATE sets ``claimed_at`` and a fresh ``claim_id`` where the row is
   still pending, due, unexpired and unclaimed (or its claim is older than ``CLAIM_LEASE``).
   The database runs it atomically on both backends (PostgreSQL re-checks the WHERE after
   waiting for a concurrent claim's row lock; SQLite serialises writers), so a rowcount of 1
   means this worker, and no other, owns the attempt.
2. Send outside any transaction, on a connection from ``EMAIL_BACKEND``: no lock is held while
   the mail server answers.
3. Record where the claim is still ours: sent; or the next try after ``BACKOFF[attempts - 1]``;
   or failed after ``EMAIL_MAX_ATTEMPTS``. A secret email's content is erased as it leaves
   the pending state.

Delivery is at least once: a worker that dies after the mail server accepted the email and
before step 3 leaves the claim to expire, and another run sends again (with the same
Message-ID, fixed at queue time). Clean-up (``emails_expire``, ``emails_purge``) marks emails
whose link ran out as expired, unsent, and deletes sent and expired rows after the retention
period.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import logging
import uuid
from collections import Counter
from email.mime.base import MIMEBase
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import EMAIL_ERROR_MAX_LENGTH, OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# Wait after the 1st, 2nd, ... failed attempt: about two days in all, long enough for a mail
# server's outage or a renewed password; the attempt after the last wait is final.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=1),
    dt.timedelta(hours=2),
    dt.timedelta(hours=4),
    dt.timedelta(hours=8),
    dt.timedelta(hours=12),
    dt.timedelta(hours=24),
)
EMAIL_MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a claim holds before another worker may take the email over; far above
# EMAIL_TIMEOUT, so a merely slow send is not duplicated.
CLAIM_LEASE = dt.timedelta(minutes=10)
# A run stops after this many failures in a row: the server is down, and the emails not tried
# keep their attempts for when it is back.
FAILURES_IN_A_ROW_MAX = 3
# What a secret email keeps once it is no longer pending: who, what kind, when, the subject.
CONTENT_ERASED: dict[str, Any] = {"body": "", "alternatives": [], "attachments": [], "headers": {}}


class SendResult(enum.Enum):
    """What ``email_send`` did with one email."""

    SENT = "sent"
    RETRYING = "retrying"  # failed; tried again after its backoff
    FAILED = "failed"  # the last attempt failed too: given up
    SKIPPED = "skipped"  # not due, no longer pending, expired, or claimed by another worker


class EmailNotAccepted(Exception):
    """The mail backend returned without raising but did not take the email."""


def _attachment_fields(attachment: Any) -> dict[str, Any]:
    if isinstance(attachment, MIMEBase):
        raise TypeError("Queue attachments as (filename, content, mimetype), not MIME parts.")
    filename, content, mimetype = attachment
    if isinstance(content, bytes):
        return {
            "filename": filename,
            "mimetype": mimetype or "",
            "content": base64.b64encode(content).decode("ascii"),
            "base64": True,
        }
    return {"filename": filename, "mimetype": mimetype or "", "content": content, "base64": False}


def _message_fields(message: EmailMessage) -> dict[str, Any]:
    headers = {str(k): str(v) for k, v in message.extra_headers.items()}
    if not any(name.lower() == "message-id" for name in headers):
        # Fixed now, so a retry (or the rare duplicate) carries the same id.
        headers["Message-ID"] = make_msgid(domain=str(DNS_NAME))
    return {
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": str(message.subject),
        "body": str(message.body),
        "alternatives": [
            {"content": str(content), "mimetype": mimetype}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [_attachment_fields(a) for a in message.attachments],
        "headers": headers,
    }


def email_message_build(email: OutgoingEmail) -> EmailMultiAlternatives:
    """Return the Django message stored in ``email``, as it was queued."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
    )
    for alternative in email.alternatives:
        message.attach_alternative(alternative["content"], alternative["mimetype"])
    for attachment in email.attachments:
        content = attachment["content"]
        message.attach(
            attachment["filename"],
            base64.b64decode(content) if attachment["base64"] else content,
            attachment["mimetype"] or None,
        )
    return message


def email_queue(
    *,
    message: EmailMessage,
    kind: str,
    expires_at: dt.datetime | None = None,
    secret: bool = False,
    after_commit: bool = True,
) -> OutgoingEmail:
    """Save ``message`` in the outbox and make its first attempt; return the row.

    ``kind`` names the email for the admin and the logs ("appointment.booked"). An email is
    never sent after ``expires_at``: give the lifetime of the link it carries. ``secret``
    marks an email carrying a working link or token; its content is erased once it is sent,
    expired or given up.

    Call it inside the transaction whose change the email announces: the first attempt waits
    for commit (nothing is sent for a rolled-back change). ``after_commit=False`` attempts at
    once instead, for callers whose email depends on nothing uncommitted (a password reset).
    The save runs in a savepoint, so a failure here raises without breaking the caller's
    transaction; a failed send never raises.
    """
    if not message.recipients():
        raise ValueError("An email needs at least one recipient.")
    email = OutgoingEmail(
        kind=kind,
        secret=secret,
        expires_at=expires_at,
        next_attempt_at=timezone.now(),
        **_message_fields(message),
    )
    with transaction.atomic():
        email.save()
    email_id = email.pk
    if after_commit:
        transaction.on_commit(lambda: _send_quietly(email_id))
    else:
        _send_quietly(email_id)
    return email


def _send_quietly(email_id: int) -> None:
    # Runs in the request that queued the email: the row is saved, so nothing may reach the
    # visitor; the next send_queued_email run picks up whatever went wrong here.
    try:
        email_send(email_id=email_id)
    except Exception:
        logger.exception("outgoing email %s: first attempt crashed; left for the retry", email_id)


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)


def _outcome(email: OutgoingEmail, error: str, now: dt.datetime) -> dict[str, Any]:
    """Return the row's new fields after one more attempt, which failed with ``error`` ("" if
    it was accepted)."""
    attempts = email.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error[:EMAIL_ERROR_MAX_LENGTH],
        "claimed_at": None,
        "claim_id": None,
    }
    if not error:
        fields.update(status=Status.SENT, finished_at=now, next_attempt_at=None)
    elif attempts >= EMAIL_MAX_ATTEMPTS:
        fields.update(status=Status.FAILED, finished_at=now, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + BACKOFF[attempts - 1])
    if email.secret and "status" in fields:
        fields.update(CONTENT_ERASED)
    return fields


def email_send(*, email_id: int, now: dt.datetime | None = None) -> SendResult:
    """Send one due email unless another worker has it, and record the attempt; never raise for
    a mail failure.

    Locks: none held across the send; the claim is a single conditional UPDATE (see the module
    docstring).
    """
    now = now if now is not None else timezone.now()
    claim_id = uuid.uuid4()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(_unclaimed(now))
        .update(claimed_at=now, claim_id=claim_id)
    )
    if claimed != 1:
        return SendResult.SKIPPED

    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:  # deleted meanwhile (erasure)
        return SendResult.SKIPPED
    error = ""
    try:
        message = email_message_build(email)
        if get_connection(fail_silently=False).send_messages([message]) != 1:
            raise EmailNotAccepted
    except Exception as exc:  # SMTP down, timeouts, refused recipients, a damaged row.
        error = type(exc).__name__

    fields = _outcome(email, error, now)
    recorded = OutgoingEmail.objects.filter(pk=email_id, claim_id=claim_id).update(**fields)
    if recorded != 1:
        # Stalled past the lease and taken over: the other worker's outcome stands.
        logger.warning("outgoing email %s: claim lost while sending", email_id)
    if not error:
        logger.info("outgoing email %s (%s): sent", email_id, email.kind)
        return SendResult.SENT
    if fields.get("status") == Status.FAILED:
        logger.error(
            "outgoing email %s (%s): attempt %s failed (%s); given up",
            email_id,
            email.kind,
            fields["attempts"],
            error,
        )
        return SendResult.FAILED
    logger.warning(
        "outgoing email %s (%s): attempt %s failed (%s); next try at %s",
        email_id,
        email.kind,
        fields["attempts"],
        error,
        fields["next_attempt_at"].isoformat(timespec="seconds"),
    )
    return SendResult.RETRYING


def email_list_due(*, now: dt.datetime, limit: int | None = None) -> list[int]:
    """Return the ids of pending, unexpired emails due at ``now``, oldest due first.

    Emails claimed by a worker within ``CLAIM_LEASE`` are left out; a stale claim is due again.
    """
    ids = (
        OutgoingEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(_unclaimed(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit is not None else ids)


def emails_send_due(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> Counter[SendResult]:
    """Send every due email (at most ``limit``); return how many had each result.

    Safe to run from cron every minute on several machines at once: each email is claimed
    before it is sent. Stops after ``FAILURES_IN_A_ROW_MAX`` failures in a row.
    """
    listed_at = now if now is not None else timezone.now()
    results: Counter[SendResult] = Counter()
    failures_in_a_row = 0
    for email_id in email_list_due(now=listed_at, limit=limit):
        result = email_send(email_id=email_id, now=now)
        results[result] += 1
        if result in (SendResult.RETRYING, SendResult.FAILED):
            failures_in_a_row += 1
            if failures_in_a_row >= FAILURES_IN_A_ROW_MAX:
                logger.warning("outgoing email: mail server failing; the rest wait for next run")
                break
        elif result == SendResult.SENT:
            failures_in_a_row = 0
    return results


def emails_expire(*, now: dt.datetime | None = None) -> int:
    """Mark pending emails whose ``expires_at`` has passed as expired; return how many.

    A secret email's content is erased with it. Emails a worker is sending right now (a fresh
    claim) are left to that worker.
    """
    now = now if now is not None else timezone.now()
    due = OutgoingEmail.objects.filter(status=Status.PENDING, expires_at__lte=now).filter(
        _unclaimed(now)
    )
    expired = list(due.values_list("pk", "kind"))
    if not expired:
        return 0
    fields = {
        "status": Status.EXPIRED,
        "finished_at": now,
        "next_attempt_at": None,
        "claimed_at": None,
        "claim_id": None,
    }
    listed = due.filter(pk__in=[pk for pk, _ in expired])
    count = listed.filter(secret=True).update(**fields, **CONTENT_ERASED)
    count += listed.filter(secret=False).update(**fields)
    for pk, kind in expired:
        logger.warning("outgoing email %s (%s): expired before it could be sent", pk, kind)
    return count


def emails_purge(*, now: dt.datetime | None = None, retention: dt.timedelta | None = None) -> int:
    """Delete sent and expired emails finished more than ``retention`` ago; return how many.

    The default is ``STRIDE_EMAIL_RETENTION_DAYS``: stored emails hold patients' names, visit
    times and addresses. Failed emails stay until staff retry or delete them.
    """
    now = now if now is not None else timezone.now()
    if retention is None:
        retention = dt.timedelta(days=settings.STRIDE_EMAIL_RETENTION_DAYS)
    deleted, _ = OutgoingEmail.objects.filter(
        status__in=[Status.SENT, Status.EXPIRED], finished_at__lt=now - retention
    ).delete()
    return deleted


def email_retry(*, email: OutgoingEmail, now: dt.datetime | None = None) -> bool:
    """Make a pending or failed email due now (staff's "retry now"); return whether it was.

    Sent and expired emails, secret ones whose content is erased, and emails a worker is
    sending right now are left alone. A failed email gets one more attempt.
    """
    now = now if now is not None else timezone.now()
    queued = (
        OutgoingEmail.objects.filter(pk=email.pk, status__in=[Status.PENDING, Status.FAILED])
        .exclude(status=Status.FAILED, secret=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(_unclaimed(now))
        .update(status=Status.PENDING, next_attempt_at=now, finished_at=None)
    )
    return queued == 1


def emails_delete_for_address(address: str) -> int:
    """Delete every stored email addressed to ``address`` (erasure); return how many.

    Matches the address in To, Cc and Bcc, ignoring case.
    """
    wanted = address.strip().lower()
    candidates = OutgoingEmail.objects.filter(
        Q(to__icontains=wanted) | Q(cc__icontains=wanted) | Q(bcc__icontains=wanted)
    ).values_list("pk", "to", "cc", "bcc")
    ids = [
        pk
        for pk, *lists in candidates
        if any(wanted == parseaddr(str(a))[1].lower() for addresses in lists for a in addresses)
    ]
    deleted, _ = OutgoingEmail.objects.filter(pk__in=ids).delete()
    return deleted
