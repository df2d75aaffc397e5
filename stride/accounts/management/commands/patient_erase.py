"""Erase a patient's identity on their request, keeping the clinical record the clinic retains."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.accounts.models import Role, User
from stride.accounts.services_data import patient_erase


class Command(BaseCommand):
    help = (
        "Erase the patient with EMAIL: anonymise their account, end their sign-in links, API "
        "tokens, calendar feed, sessions and reminders, cancel future visits. Appointments, "
        "programs and logs stay, under the anonymised account. Cannot be undone; needs --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The patient's email address.")
        parser.add_argument("--yes", action="store_true", help="Confirm the erasure.")
        parser.add_argument(
            "--by", default="", help="The email of the clinic admin who asked (for the audit log)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Erasure cannot be undone; run again with --yes to confirm.")
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']!r}.")
        if user.role != Role.PATIENT:
            raise CommandError(f"{user.email} is not a patient.")
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"].strip()).first()
            if by is None:
                raise CommandError(f"No user with the email {options['by']!r}.")
        try:
            patient_erase(user=user, by=by)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        user.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(f"Erased patient {user.pk}; now {user.email}."))
