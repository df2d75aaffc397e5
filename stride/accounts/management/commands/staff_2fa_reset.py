"""Clear a staff member's lost authenticator and recovery codes, so they set up anew."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.accounts.models import User
from stride.accounts.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and recovery codes of the user with EMAIL. Their sessions "
        "stop counting as confirmed, and at the next sign-in they set up an authenticator again. "
        "Check who is asking first; if the password may be known to someone else, reset it too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The staff member's email address.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']!r}.")
        removed = two_factor_reset(user=user)
        if removed == 0:
            self.stdout.write(f"{user.email} had no two-factor devices; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed the two-factor devices of {user.email}; they set up an authenticator "
                "app at their next sign-in."
            )
        )
