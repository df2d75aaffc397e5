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
        "'Authorization: Bearer <token>'. Only its hash is stored: it cannot be shown again. "
        "A staff member's token needs --otp with a current code from their authenticator app "
        "and expires after STRIDE_STAFF_API_TOKEN_DAYS days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address.")
        parser.add_argument(
            "--name", default="", help='What the token is for, e.g. "Phone app" (100 characters).'
        )
        parser.add_argument(
            "--otp",
            default="",
            help="Staff only: a current code from the staff member's authenticator app, or one "
            "of their recovery codes (then used up).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']!r}.")
        try:
            row, token = api_token_create(user=user, name=options["name"], otp_code=options["otp"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(token)
        expiry = f"; it expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else ""
        self.stderr.write(
            f"Created token {row.name!r} (id {row.pk}) for {user.email}{expiry}; it is shown "
            "only once."
        )
