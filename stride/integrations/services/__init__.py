"""Writes of the integrations app: the webhook outbox and its sender, backups and restores.

Import services from here; the modules behind it are an implementation detail.
"""

from .backups import BackupCreated, BackupError, RestoreDone, backup_create, backup_restore
from .webhooks import (
    DeliveryResult,
    webhook_deliveries_send,
    webhook_delivery_attempt,
    webhook_delivery_retry,
    webhook_event_enqueue,
)

__all__ = [
    "BackupCreated",
    "BackupError",
    "DeliveryResult",
    "RestoreDone",
    "backup_create",
    "backup_restore",
    "webhook_deliveries_send",
    "webhook_delivery_attempt",
    "webhook_delivery_retry",
    "webhook_event_enqueue",
]
