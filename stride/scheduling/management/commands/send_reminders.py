"""Email patients a reminder before each booked visit (run from cron every few minutes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.scheduling.services import ReminderResult, reminders_send_due
from stride.scheduling.services.reminders import REMINDER_LEAD


class Command(BaseCommand):
    help = (
        "Send a reminder email for every booked appointment starting within the next --hours "
        "hours that has not had one. Each reminder is sent once, even when several hosts run "
        "this at the same time; a failed email is retried by the next run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=REMINDER_LEAD.total_seconds() / 3600,
            help="Remind this many hours before a visit (default 24).",
        )
        parser.add_argument(
            "--limit", type=int, default=500, help="Most reminders to try in one run (500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours, limit = options["hours"], options["limit"]
        if not 0 < hours <= 24 * 14:
            raise CommandError("--hours must be more than 0 and at most 336 (two weeks).")
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        results = reminders_send_due(within=dt.timedelta(hours=hours), limit=limit)
        summary = ", ".join(f"{results[result]} {result.value}" for result in ReminderResult)
        self.stdout.write(f"Reminders: {results.total()} due; {summary}.")
        if results[ReminderResult.FAILED]:
            # A non-zero exit lets cron (or a monitor) notice a mail server that keeps failing.
            raise CommandError(f"{results[ReminderResult.FAILED]} reminder(s) failed; will retry.")
