"""Writes of the integrations app: the webhook outbox and its sender.

Import services from here; the modules behind it are an implementation detail.
"""

from .webhooks import (
    DeliveryResult,
    webhook_deliveries_send,
    webhook_delivery_attempt,
    webhook_delivery_retry,
    webhook_event_enqueue,
)

__all__ = [
    "DeliveryResult",
    "webhook_deliveries_send",
    "webhook_delivery_attempt",
    "webhook_delivery_retry",
    "webhook_event_enqueue",
]
