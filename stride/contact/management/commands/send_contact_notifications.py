"""Retry clinic notifications for contact messages whose first email failed (run from cron)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stride.contact.models import NOTIFICATION_MAX_ATTEMPTS
from stride.contact.selectors import contact_message_list_pending_notification
from stride.contact.services import NotifyResult, contact_message_notify


class Command(BaseCommand):
    help = (
        "Email the clinic inbox about contact messages not yet notified "
        f"(up to {NOTIFICATION_MAX_ATTEMPTS} attempts each). Safe to run on several hosts at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=200, help="Most messages to try in one run (200)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        message_ids = list(
            contact_message_list_pending_notification().values_list("pk", flat=True)[
                : options["limit"]
            ]
        )
        # Each message is claimed (row lock, skip locked) and re-checked inside
        # contact_message_notify, so a message another host is sending is skipped here.
        results = Counter(contact_message_notify(message_id) for message_id in message_ids)
        summary = ", ".join(f"{results[result]} {result.value}" for result in NotifyResult)
        self.stdout.write(f"Contact notifications: {len(message_ids)} pending; {summary}.")
