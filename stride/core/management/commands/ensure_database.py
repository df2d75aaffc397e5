"""Create the configured PostgreSQL database when it does not exist yet (used by `make run`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it is missing."

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            return
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(f"cannot reach PostgreSQL: {exc}") from exc
        name = connection.settings_dict["NAME"]
        # _nodb_cursor connects to the server's maintenance database with the same credentials.
        with connection._nodb_cursor() as cursor:
            quoted = connection.ops.quote_name(name)
            # nosemgrep: stride-sql-string-building -- an identifier, quoted just above
            cursor.execute(f"CREATE DATABASE {quoted}")
        self.stdout.write(self.style.SUCCESS(f"Created database {name}."))
