"""Backups of the clinic's database (and optionally its uploads), and restoring them.

A backup is three files side by side, named after the dump:

- ``<name>``: the database. SQLite: a copy made with SQLite's online backup API, consistent
  while the app keeps running. PostgreSQL: ``pg_dump --format=custom``.
- ``<name>.manifest.json``: Stride's version, the database vendor, the migrations applied
  (the latest per app, and all of them), when it was made, every table's row count, and the
  dump's SHA-256.
- ``<name>.media.tar.gz`` (with ``media=True``): the files under ``MEDIA_ROOT``.

The manifest describes the dump exactly: on SQLite it is read from the copy; on PostgreSQL
from the same snapshot ``pg_dump`` reads (``--snapshot``), so rows written meanwhile are in
neither. Restoring refuses a dump whose migrations this code does not have (made by a newer
Stride), a dump of the other vendor, and a dump whose checksum does not match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MANIFEST_SUFFIX = ".manifest.json"
MEDIA_SUFFIX = ".media.tar.gz"
MANIFEST_FORMAT = 1
# Rows these tables get from ``migrate`` itself; a database with rows only here is "empty".
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
PG_TIMEOUT_SECONDS = 60 * 60


class BackupError(Exception):
    """The backup or restore could not be done; the message says why and what to do."""


@dataclass
class BackupCreated:
    path: Path
    manifest_path: Path
    media_path: Path | None
    manifest: dict[str, Any]


@dataclass
class RestoreDone:
    manifest: dict[str, Any]
    media_files: int = 0
    # Tables whose row count after the restore differs from the manifest (should be none).
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Migrations in the code newer than the dump: run ``manage.py migrate`` after restoring.
    unapplied_migrations: list[str] = field(default_factory=list)


def stride_version() -> str:
    """Return the installed Stride's version, or "unknown" when run from a bare checkout."""
    try:
        return metadata.version("stride")
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def media_path_for(path: Path) -> Path:
    return path.with_name(path.name + MEDIA_SUFFIX)


def backup_default_path(*, vendor: str, now: dt.datetime) -> Path:
    """Return ``STRIDE_BACKUP_DIR/stride-<UTC time>.<sqlite3|dump>``."""
    directory = Path(getattr(settings, "STRIDE_BACKUP_DIR", settings.BASE_DIR / "var" / "backups"))
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    return directory / f"stride-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{suffix}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by the owner only: dumps hold patient data."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)


def _latest_per_app(applied: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return each app's last applied migration (``applied`` in the order they were applied)."""
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = name
    return dict(sorted(latest.items()))


def _describe(
    *, cursor: Any, quote: Any, tables: Iterable[str]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Return every table's row count and the applied migrations, read through ``cursor``."""
    counts: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the db)
        counts[table] = int(cursor.fetchone()[0])
    applied: list[tuple[str, str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
        applied = [(str(app), str(name)) for app, name in cursor.fetchall()]
    return counts, applied


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(connection: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        cursor = destination.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [name for (name,) in cursor.fetchall() if not name.startswith("sqlite_")]
        counts, applied = _describe(cursor=cursor, quote=_sqlite_quote, tables=tables)
    finally:
        destination.close()
    return {"format": "sqlite-backup-api", "tables": counts, "applied": applied}


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # Replaces the whole database, page by page, under SQLite's own locks.
        source.backup(connection.connection)
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    bindir = getattr(settings, "STRIDE_PG_BINDIR", "")
    tool = str(Path(bindir) / name) if bindir else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(
            f"{name} not found. Install the PostgreSQL client (apt-get install postgresql-client) "
            "or set STRIDE_PG_BINDIR to the folder that has it."
        )
    return tool


def _pg_tool_major(tool: str) -> int:
    completed = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        [tool, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", completed.stdout)
    if completed.returncode != 0 or match is None:
        raise BackupError(f"Could not tell the version of {tool}: {completed.stdout.strip()}")
    return int(match.group(1))


def _pg_server_major(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _pg_tool_checked(name: str, connection: BaseDatabaseWrapper) -> str:
    """Return the path of ``name`` after checking its major version is the server's."""
    tool = _pg_tool(name)
    tool_major, server_major = _pg_tool_major(tool), _pg_server_major(connection)
    if tool_major != server_major:
        raise BackupError(
            f"{name} is PostgreSQL {tool_major} but the server is {server_major}: install the "
            f"matching client (postgresql-client-{server_major}) or set STRIDE_PG_BINDIR, "
            f"e.g. /usr/lib/postgresql/{server_major}/bin."
        )
    return tool


def _pg_connection_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Return pg_dump/pg_restore arguments and environment for the live connection.

    The password goes in PGPASSWORD only, never on the command line (where ``ps`` shows it).
    """
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    args.append(f"--dbname={settings_dict['NAME']}")
    env = {key: value for key, value in os.environ.items() if key != "PGPASSWORD"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _pg_run(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=PG_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({completed.returncode}): {completed.stderr.strip()}")


def _pg_backup(connection: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
    pg_dump = _pg_tool_checked("pg_dump", connection)
    args, env = _pg_connection_args(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One snapshot for the dump and for the manifest's counts: the snapshot stays valid
        # while this transaction is open.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _pg_run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args],
            env,
        )
        tables = connection.introspection.table_names(cursor)
        counts, applied = _describe(cursor=cursor, quote=connection.ops.quote_name, tables=tables)
    return {
        "format": "pg_dump-custom",
        "server_version": _pg_server_major(connection),
        "tables": counts,
        "applied": applied,
    }


def _pg_restore(connection: BaseDatabaseWrapper, path: Path, manifest: dict[str, Any]) -> None:
    pg_restore = _pg_tool_checked("pg_restore", connection)
    args, env = _pg_connection_args(connection.settings_dict)
    # Tables the dump does not have (added by later migrations) would keep their rows and,
    # through foreign keys, block the dump's DROP TABLEs: drop them so the database is the dump.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        extra = set(connection.introspection.table_names(cursor)) - set(manifest["tables"])
        for table in sorted(extra):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()  # hold no locks while pg_restore drops and recreates tables
    _pg_run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env,
    )


# --- Media ----------------------------------------------------------------------------------


def _media_archive(target: Path) -> dict[str, Any]:
    root = Path(settings.MEDIA_ROOT)
    files = 0
    _private_file(target)
    with tarfile.open(target, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    files += 1
    return {"file": target.name, "files": files, "sha256": _sha256(target)}


def _media_extract(path: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        # The "data" filter refuses absolute paths, "..", links and device files.
        archive.extractall(root, members=members, filter="data")
    return len(members)


# --- Backup and restore ---------------------------------------------------------------------


def _connection(using: str) -> BaseDatabaseWrapper:
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    if connection.in_atomic_block:
        raise BackupError("Run backups and restores outside a transaction.")
    return connection


def backup_create(
    *,
    output: Path | None = None,
    media: bool = False,
    using: str = "default",
    now: dt.datetime | None = None,
) -> BackupCreated:
    """Back up the database to ``output`` (default: a new file in ``STRIDE_BACKUP_DIR``).

    Writes the manifest beside it, and with ``media`` the uploads as a tar.gz. Refuses to
    overwrite an existing file. The files are readable by their owner only.
    """
    connection = _connection(using)
    now = now if now is not None else timezone.now()
    path = output if output is not None else backup_default_path(vendor=connection.vendor, now=now)
    if path.is_dir():
        path = path / backup_default_path(vendor=connection.vendor, now=now).name
    related = [path, manifest_path_for(path), media_path_for(path)]
    if any(p.exists() for p in related):
        raise BackupError(f"{path} (or its manifest) already exists; choose another --output.")

    partial = path.with_name(path.name + ".partial")
    _private_file(partial)
    try:
        if connection.vendor == "sqlite":
            described = _sqlite_backup(connection, partial)
        else:
            described = _pg_backup(connection, partial)
        checksum = _sha256(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

    applied = described.pop("applied")
    manifest: dict[str, Any] = {
        "manifest_format": MANIFEST_FORMAT,
        "stride_version": stride_version(),
        "vendor": connection.vendor,
        "created_at": now.astimezone(dt.UTC).isoformat(),
        "dump": path.name,
        "sha256": checksum,
        "migrations": _latest_per_app(applied),
        "applied_migrations": [list(pair) for pair in applied],
        **described,
        "media": None,
    }
    media_path = None
    if media:
        media_path = media_path_for(path)
        manifest["media"] = _media_archive(media_path)
    manifest_path = manifest_path_for(path)
    _private_file(manifest_path)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return BackupCreated(
        path=path, manifest_path=manifest_path, media_path=media_path, manifest=manifest
    )


def manifest_read(path: Path) -> tuple[Path, dict[str, Any]]:
    """Return the dump's path and its manifest; ``path`` may name either of the two files."""
    if path.name.endswith(MANIFEST_SUFFIX):
        path = path.with_name(path.name[: -len(MANIFEST_SUFFIX)])
    manifest_path = manifest_path_for(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    if not manifest_path.is_file():
        raise BackupError(f"No manifest beside the backup ({manifest_path}).")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Cannot read {manifest_path}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("manifest_format") != MANIFEST_FORMAT:
        raise BackupError(f"{manifest_path} is not a Stride backup manifest this version reads.")
    return path, manifest


def migrations_unknown(applied: Iterable[Iterable[str]]) -> list[str]:
    """Return the applied migrations (``app.name``) this code does not have."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in applied if (app, name) not in known]


def manifest_check(*, path: Path, manifest: dict[str, Any], using: str = "default") -> None:
    """Raise BackupError unless the dump can be restored into ``using`` by this code."""
    connection = connections[using]
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"This is a {manifest.get('vendor')} backup; the database is {connection.vendor}."
        )
    if _sha256(path) != manifest.get("sha256"):
        raise BackupError(f"{path} does not match its manifest's checksum (damaged or changed).")
    unknown = migrations_unknown(manifest.get("applied_migrations", []))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise BackupError(
            f"The backup was made by a newer Stride ({manifest.get('stride_version')}): this "
            f"code does not have its migrations {shown}. Restore it with that version or newer."
        )


def database_row_counts(*, using: str = "default") -> dict[str, int]:
    """Return the row count of every table in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts, _ = _describe(cursor=cursor, quote=connection.ops.quote_name, tables=tables)
    return counts


def database_has_data(*, using: str = "default") -> bool:
    """Return whether any table other than migrate's own bookkeeping has rows."""
    counts = database_row_counts(using=using)
    return any(count for table, count in counts.items() if table not in BOOKKEEPING_TABLES)


def backup_restore(
    *, path: Path, replace_data: bool = False, media: bool = False, using: str = "default"
) -> RestoreDone:
    """Replace the database (and with ``media`` the uploads) with the backup at ``path``.

    Refuses (BackupError) a backup that fails ``manifest_check``, and a database that has data
    unless ``replace_data``. Afterwards every table's row count is compared with the manifest.
    Other processes should be stopped while restoring: on PostgreSQL pg_restore needs every
    table's lock.
    """
    connection = _connection(using)
    path, manifest = manifest_read(path)
    manifest_check(path=path, manifest=manifest, using=using)
    media_archive = media_path_for(path)
    if media and not (manifest.get("media") and media_archive.is_file()):
        raise BackupError(f"This backup has no media archive ({media_archive.name}).")
    if media and _sha256(media_archive) != manifest["media"].get("sha256"):
        raise BackupError(f"{media_archive} does not match its manifest's checksum.")
    if not replace_data and database_has_data(using=using):
        raise BackupError(
            "The database has data, which restoring replaces. Run again with --yes to confirm."
        )

    if connection.vendor == "sqlite":
        _sqlite_restore(connection, path)
    else:
        _pg_restore(connection, path, manifest)
    ContentType.objects.clear_cache()

    done = RestoreDone(manifest=manifest)
    counts = database_row_counts(using=using)
    done.count_mismatches = {
        table: (expected, counts.get(table, -1))
        for table, expected in manifest["tables"].items()
        if counts.get(table, -1) != expected
    }
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    done.unapplied_migrations = [f"{m.app_label}.{m.name}" for m, _ in plan]
    if media:
        done.media_files = _media_extract(media_archive)
    return done
