"""Restore a backup made by ``manage.py backup``, replacing the database's contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.integrations.services import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup (SQLite: the online backup API; PostgreSQL: "
        "pg_restore --clean --if-exists --no-owner in one transaction). Refuses a backup made "
        "by a newer Stride, and a database that has data unless --yes. Stop the app servers "
        "and cron jobs first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The dump (or its .manifest.json).")
        parser.add_argument("--yes", action="store_true", help="Replace a database that has data.")
        parser.add_argument(
            "--media",
            action="store_true",
            help="Also extract the backup's uploads into MEDIA_ROOT (existing files are kept "
            "unless the backup has a file of the same name).",
        )
        parser.add_argument("--database", default="default", help="Database alias (default).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_restore(
                path=options["path"],
                replace_data=options["yes"],
                media=options["media"],
                using=options["database"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = done.manifest
        self.stdout.write(
            f"Restored the {manifest['vendor']} backup of {manifest['created_at']} "
            f"(Stride {manifest['stride_version']}, {len(manifest['tables'])} tables)."
        )
        if options["media"]:
            self.stdout.write(f"Extracted {done.media_files} media files.")
        for table, (expected, found) in sorted(done.count_mismatches.items()):
            self.stderr.write(f"Warning: {table} has {found} rows; the backup had {expected}.")
        if done.unapplied_migrations:
            self.stdout.write(
                f"The backup predates {len(done.unapplied_migrations)} migration(s) of this "
                "code: run `manage.py migrate` now."
            )
