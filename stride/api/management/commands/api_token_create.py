"""Create a personal API token for a user and print it (it is shown only this once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.accounts.models import User
from stride.api.auth import api_token_create


class Command(BaseCommand):
    help = (
        "Create a personal API token for the user with EMAIL and print it on stdout. Send it as "
        "'Authorization: Bearer <token>'. Only its hash is stored: it cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address.")
        parser.add_argument(
            "--name", default="", help='What the token is for, e.g. "Phone app" (100 characters).'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']!r}.")
        try:
            row, token = api_token_create(user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(token)
        self.stderr.write(
            f"Created token {row.name!r} (id {row.pk}) for {user.email}; it is shown only once."
        )
