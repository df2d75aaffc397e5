"""Webhook outbox: events written with the booking change, posted later by ``send_webhooks``.

Enqueue (``webhook_event_enqueue``) runs inside the booking service's transaction, so a
delivery row exists exactly when the booking change committed: a rolled-back booking leaves
no event, and a committed one cannot lose its event to a crash after commit.

Send (``webhook_delivery_attempt``), the same claim pattern as the appointment reminders
(``stride/scheduling/services/reminders.py``):

1. Claim: one conditional UPDATE sets ``claimed_at`` and a fresh ``claim_id`` where the row is
   still pending, due and unclaimed (or its claim is older than ``CLAIM_LEASE``). A rowcount
   of 1 means this worker, and no other, owns the attempt.
2. POST outside any transaction (no lock held across a slow receiver).
3. Record the attempt and the outcome where the claim is still ours: delivered on a 2xx,
   otherwise the next try after ``BACKOFF[attempts - 1]``, or failed after
   ``DELIVERY_MAX_ATTEMPTS``.

Delivery is at least once: a worker that dies after the receiver answered and before step 3
leaves the claim to expire, and another run posts again with the same ``Stride-Delivery`` id,
by which receivers deduplicate.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import time
import uuid
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from stride.integrations.models import (
    DELIVERY_MAX_ATTEMPTS,
    ERROR_MAX_LENGTH,
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from stride.integrations.selectors import webhook_delivery_list_due
from stride.integrations.transport import PostResult, signature_header, webhook_post
from stride.scheduling.models import Appointment

logger = logging.getLogger(__name__)

# Wait after the 1st, 2nd, ... 6th failed attempt; the 7th failure is final.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)
# How long a claim holds before another worker may take the delivery over; far above the
# 10-second request timeout so a merely slow receiver is not posted to twice.
CLAIM_LEASE = dt.timedelta(minutes=5)


class DeliveryResult(enum.Enum):
    """What ``webhook_delivery_attempt`` did with one delivery."""

    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"  # the last attempt failed too: given up
    SKIPPED = "skipped"  # not due, already done, or claimed by another worker


def _local_iso(value: dt.datetime, appointment: Appointment) -> str:
    return value.astimezone(appointment.location.tzinfo).isoformat()


def webhook_payload_build(
    *, event: str, event_id: uuid.UUID, appointment: Appointment, created: dt.datetime
) -> dict[str, Any]:
    """Return the event body: who, when and where, never clinical or contact details.

    Left out on purpose: the reason for the visit, screening answers, notes, insurance, and
    the patient's name, email and phone (receivers look the patient up by id if entitled).
    """
    therapist = appointment.therapist
    appointment_type = appointment.appointment_type
    return {
        "event": event,
        "id": str(event_id),
        "created": created.astimezone(dt.UTC).isoformat(),
        "data": {
            "appointment": {
                "id": appointment.pk,
                "status": appointment.status,
                "start": _local_iso(appointment.start, appointment),
                "end": _local_iso(appointment.end, appointment),
                "timezone": appointment.location.timezone,
                "therapist": {"slug": therapist.slug, "name": therapist.display_name},
                "location": {"slug": appointment.location.slug},
                "appointment_type": {
                    "slug": appointment_type.slug,
                    "name": appointment_type.name,
                },
                "patient": {"id": appointment.patient_id},
            }
        },
    }


def webhook_event_enqueue(
    *, event: str, appointment: Appointment, now: dt.datetime | None = None
) -> list[WebhookDelivery]:
    """Queue ``event`` about ``appointment`` for every active endpoint subscribed to it.

    Precondition: the caller is inside the transaction that changes the appointment (that is
    what makes this an outbox); called outside one it raises RuntimeError. One event id is
    shared by the event's deliveries to different endpoints.
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Enqueue webhook events inside the booking change's transaction.")
    # Few endpoints per clinic; the events list is filtered here (JSON containment is not
    # available on SQLite).
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(is_active=True) if e.subscribes_to(event)
    ]
    if not endpoints:
        return []
    now = now if now is not None else timezone.now()
    event_id = uuid.uuid4()
    payload = webhook_payload_build(
        event=event, event_id=event_id, appointment=appointment, created=now
    )
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            event_id=event_id,
            payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )


def webhook_body_encode(payload: dict[str, Any]) -> bytes:
    """Return the exact bytes posted (and signed) for ``payload``."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _claim_release(delivery_id: int, claim_id: uuid.UUID) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, claim_id=claim_id).update(
        claimed_at=None, claim_id=None
    )


def _outcome(result: PostResult, attempts: int, now: dt.datetime) -> dict[str, Any]:
    """Return the delivery's new fields after attempt number ``attempts`` gave ``result``."""
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": result.status_code,
        "last_error": result.error[:ERROR_MAX_LENGTH],
        "claimed_at": None,
        "claim_id": None,
    }
    if result.ok:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif attempts >= DELIVERY_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + BACKOFF[min(attempts, len(BACKOFF)) - 1])
    return fields


def webhook_delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> DeliveryResult:
    """Post one due delivery unless another worker has it; record the attempt; never raise for
    a receiver's failure.

    Locks: none held across the POST; the claim is a single conditional UPDATE (see the
    module docstring).
    """
    now = now if now is not None else timezone.now()
    claim_id = uuid.uuid4()
    # Only the row's own columns in this WHERE: a join (endpoint__is_active) would make Django
    # write "id IN (subquery)", which PostgreSQL does not re-check after waiting for a
    # concurrent claim's row lock, so two workers could both claim the row.
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(claimed_at=now, claim_id=claim_id)
    )
    if claimed != 1:
        return DeliveryResult.SKIPPED

    try:
        delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
        if not delivery.endpoint.is_active:  # paused meanwhile: keep it pending
            _claim_release(delivery_id, claim_id)
            return DeliveryResult.SKIPPED
        body = webhook_body_encode(delivery.payload)
        headers = {
            "Stride-Event": delivery.event,
            "Stride-Delivery": str(delivery.event_id),
            "Stride-Signature": signature_header(
                secret=delivery.endpoint.secret, body=body, timestamp=int(time.time())
            ),
        }
        result = webhook_post(url=delivery.endpoint.url, body=body, headers=headers)
    except Exception:
        _claim_release(delivery_id, claim_id)
        raise

    fields = _outcome(result, delivery.attempts + 1, now)
    with transaction.atomic():
        WebhookDeliveryAttempt.objects.create(
            delivery_id=delivery_id,
            attempted_at=now,
            status_code=result.status_code,
            error=result.error[:ERROR_MAX_LENGTH],
            duration_ms=result.duration_ms,
        )
        recorded = WebhookDelivery.objects.filter(pk=delivery_id, claim_id=claim_id).update(
            **fields
        )
    if recorded != 1:
        # Stalled past the lease and taken over: the other worker's outcome stands.
        logger.warning("webhook delivery %s: claim lost while posting", delivery_id)
    if result.ok:
        logger.info("webhook delivery %s: delivered (%s)", delivery_id, result.status_code)
        return DeliveryResult.DELIVERED
    logger.warning(
        "webhook delivery %s: attempt %s failed (%s)",
        delivery_id,
        fields["attempts"],
        result.status_code or result.error[:100],
    )
    if fields.get("status") == DeliveryStatus.FAILED:
        return DeliveryResult.FAILED
    return DeliveryResult.RETRYING


def webhook_deliveries_send(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> Counter[DeliveryResult]:
    """Post every due delivery (at most ``limit``); return how many had each result.

    Safe to run from cron every minute on several machines at once: each delivery is claimed
    before it is posted.
    """
    listed_at = now if now is not None else timezone.now()
    results: Counter[DeliveryResult] = Counter()
    for delivery_id in webhook_delivery_list_due(now=listed_at, lease=CLAIM_LEASE, limit=limit):
        results[webhook_delivery_attempt(delivery_id=delivery_id, now=now)] += 1
    return results


def webhook_delivery_retry(*, delivery: WebhookDelivery, now: dt.datetime | None = None) -> bool:
    """Make a pending or failed delivery due now (staff's "retry now"); return whether it was.

    Delivered ones, and ones a worker is posting right now, are left alone. A failed delivery
    gets one more attempt; if that fails too it is failed again.
    """
    now = now if now is not None else timezone.now()
    queued = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.DELIVERED)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(status=DeliveryStatus.PENDING, next_attempt_at=now, claimed_at=None, claim_id=None)
    )
    return queued == 1
