"""Send the outbox's due emails, expire stale ones and delete old ones (run from cron every minute)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.core.outbox import SendResult, emails_expire, emails_purge, emails_send_due


class Command(BaseCommand):
    help = (
        "Send every due email of the outbox. A failed email is retried after 1, 5, 15 and 30 "
        "minutes, then 1, 2, 4, 8, 12 and 24 hours, then marked failed; an email whose link has "
        "expired is never sent. Sent and expired emails are deleted after "
        "STRIDE_EMAIL_RETENTION_DAYS. Safe to run on several hosts at once: each email is "
        "claimed before it is sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=200, help="Most emails to try in one run (200)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        expired = emails_expire()
        results = emails_send_due(limit=options["limit"])
        purged = emails_purge()
        summary = ", ".join(f"{results[result]} {result.value}" for result in SendResult)
        self.stdout.write(
            f"Outgoing email: {results.total()} due; {summary}; {expired} expired; {purged} "
            f"deleted after {settings.STRIDE_EMAIL_RETENTION_DAYS} days."
        )
        failed = results[SendResult.RETRYING] + results[SendResult.FAILED]
        if failed:
            # A non-zero exit lets cron (or a monitor) notice a mail server that keeps failing.
            raise CommandError(f"{failed} email(s) not sent; see the log and the admin.")
