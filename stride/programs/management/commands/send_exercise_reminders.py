"""Email patients their daily exercise reminder (run from cron every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.programs.services.reminders import ReminderResult, exercise_reminders_send_due


class Command(BaseCommand):
    help = (
        "Send today's exercise reminder to every patient on an active program whose reminder "
        "time has come (clinic time) and who has not logged a session today. One email per "
        "program per day, even when several hosts run this at once; a failed email is retried "
        "by the next run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=1000, help="Most reminders to try in one run (1000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        results = exercise_reminders_send_due(limit=limit)
        summary = ", ".join(f"{results[result]} {result.value}" for result in ReminderResult)
        self.stdout.write(f"Exercise reminders: {results.total()} due; {summary}.")
        if results[ReminderResult.FAILED]:
            # A non-zero exit lets cron (or a monitor) notice a mail server that keeps failing.
            raise CommandError(
                f"{results[ReminderResult.FAILED]} exercise reminder(s) failed; will retry."
            )
