"""Reads for the integrations app: which webhook deliveries are due."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import DeliveryStatus, WebhookDelivery


def webhook_delivery_list_due(
    *, now: dt.datetime, lease: dt.timedelta, limit: int | None = None
) -> list[int]:
    """Return the ids of pending deliveries due at ``now`` to active endpoints, oldest first.

    Rows claimed by a worker within ``lease`` are left out; a stale claim is due again.
    """
    ids = (
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit is not None else ids)
