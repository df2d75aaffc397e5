"""Seed an empty database with the bench clinic of `make bench` (never a production database)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.accounts.models import User
from stride.core.benchseed import DEFAULT, TINY, seed
from stride.core.benchseed.calendar import CapacityError
from stride.scheduling.models import Location


class Command(BaseCommand):
    help = (
        "Fill an empty database with the bench clinic: 3 locations, 10 therapists, 20,000 past "
        "and future appointments, 200 articles and 2,000 patients with 90 days of exercise logs "
        "(times --scale for appointments per therapist-day and patients). Deterministic for a "
        "given day. Refuses a database that holds users or locations unless --flush."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply appointment rows per therapist-day and patients by this (default 1).",
        )
        parser.add_argument(
            "--flush", action="store_true", help="Empty the database first (all of it)."
        )
        parser.add_argument(
            "--tiny", action="store_true", help="A few rows of each kind (for tests)."
        )
        for name in ("appointments", "articles", "patients", "log-days"):
            parser.add_argument(f"--{name}", type=int, help=f"Override the number of {name}.")
        parser.add_argument("--seed", type=int, help="Random seed (default: a fixed one).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 1:
            raise CommandError("--scale must be at least 1.")
        if User.objects.exists() or Location.objects.exists():
            if not options["flush"]:
                raise CommandError(
                    "The database is not empty. The bench seeds a fresh database; pass --flush "
                    "to empty this one first (every row is deleted)."
                )
            call_command("flush", interactive=False, verbosity=0)
        counts = TINY if options["tiny"] else DEFAULT
        overrides = {
            field: options[field]
            for field in ("appointments", "articles", "patients", "log_days")
            if options.get(field) is not None
        }
        counts = dataclasses.replace(counts, **overrides)
        extra = {"random_seed": options["seed"]} if options["seed"] is not None else {}
        verbose = options["verbosity"] > 0
        try:
            result = seed(
                counts=counts,
                scale=options["scale"],
                progress=lambda message: verbose and self.stdout.write(f"  {message}"),
                **extra,
            )
        except CapacityError as exc:
            raise CommandError(f"{exc}: ask for fewer appointments (or use --scale).") from exc
        for line in result.lines():
            self.stdout.write(line)
