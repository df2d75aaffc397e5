"""Run the escalation rules on every open program once a day (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stride.programs.services.escalation import program_evaluate_all


class Command(BaseCommand):
    help = (
        "Evaluate every open exercise program on its clinic's date and record the alerts that "
        "newly hold (low adherence has no log to trigger it). Safe to run again: an alert is "
        "recorded once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = program_evaluate_all()
        self.stdout.write(f"Programs evaluated: {count} new alert{'' if count == 1 else 's'}.")
