"""Post due webhook deliveries to the clinic's other systems (run from cron every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.integrations.services import DeliveryResult, webhook_deliveries_send


class Command(BaseCommand):
    help = (
        "Post every due webhook delivery, signed, and record each attempt. A failed delivery is "
        "retried after 1 min, 5 min, 30 min, 2 h, 6 h and 12 h, then marked failed. Safe to run "
        "on several hosts at once: each delivery is claimed before it is posted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="Most deliveries to try in one run (500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        results = webhook_deliveries_send(limit=options["limit"])
        summary = ", ".join(f"{results[result]} {result.value}" for result in DeliveryResult)
        self.stdout.write(f"Webhooks: {results.total()} due; {summary}.")
