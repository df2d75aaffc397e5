"""Back up the database (and optionally the uploads) with a manifest beside the dump."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stride.integrations.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database while the app runs: SQLite through its online backup API, "
        "PostgreSQL with pg_dump --format=custom. Writes <file>.manifest.json beside the dump "
        "and, with --media, the uploads as <file>.media.tar.gz."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="File (or existing folder) to write; default STRIDE_BACKUP_DIR/stride-<time>.",
        )
        parser.add_argument(
            "--media", action="store_true", help="Also archive the files under MEDIA_ROOT."
        )
        parser.add_argument("--database", default="default", help="Database alias (default).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = backup_create(
                output=options["output"], media=options["media"], using=options["database"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = created.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {manifest['vendor']} ({len(manifest['tables'])} tables, {rows} rows) "
            f"to {created.path}"
        )
        self.stdout.write(f"Manifest: {created.manifest_path}")
        if created.media_path is not None:
            self.stdout.write(f"Media: {created.media_path} ({manifest['media']['files']} files)")
