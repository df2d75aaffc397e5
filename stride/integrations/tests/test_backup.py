"""Backups: every table's rows come back exactly after a restore, on SQLite and PostgreSQL;
restores refuse what they cannot safely apply.

The round trip runs on whichever database the suite uses. SQLite's test database is in memory,
which SQLite's backup API copies (and restores into) like a file; a second test runs the
commands in child processes against a WAL file database, as production runs them.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from stride.contact.tests.factories import ContactMessageFactory
from stride.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from stride.integrations.services import backups
from stride.integrations.services.backups import BackupError, backup_create, backup_restore
from stride.scheduling.models import Therapist
from stride.scheduling.services import appointment_book, appointment_cancel
from stride.scheduling.tests.factories import AppointmentTypeFactory, TimeOffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
BASE_TIME = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


# --- Filling every table ------------------------------------------------------------------------


def _sample(field: models.Field[Any, Any], n: int, position: int) -> Any:
    """Return a plausible value for ``field`` (later fields get later times, so end > start)."""
    if field.choices:
        return field.flatchoices[0][0]
    kind = field.get_internal_type()
    text = f"backup-{n}-{field.name}"
    samples: dict[str, Any] = {
        "EmailField": f"backup{n}.{field.name}@example.org",
        "URLField": f"https://example.org/{n}/{field.name}",
        "GenericIPAddressField": "192.0.2.1",
        "BooleanField": False,
        "DateTimeField": BASE_TIME + dt.timedelta(hours=position),
        "DateField": dt.date(2026, 12, 7) + dt.timedelta(days=position),
        "TimeField": dt.time(min(8 + position, 23)),
        "DurationField": dt.timedelta(minutes=5 + position),
        "DecimalField": decimal.Decimal("1"),
        "FloatField": 1.5,
        "UUIDField": uuid.uuid4(),
        "JSONField": {},
        "BinaryField": b"backup",
        "FileField": f"backup/{n}.txt",
        "ImageField": f"backup/{n}.png",
    }
    if kind in samples:
        return samples[kind]
    if "Integer" in kind or kind == "AutoField":
        return 1 + position
    max_length = getattr(field, "max_length", None) or 200
    return text[-max_length:]


def _row_create(model: type[models.Model], n: int) -> None:
    """Insert one row of ``model`` with made-up values and existing rows for its relations."""
    values: dict[str, Any] = {}
    for position, field in enumerate(model._meta.concrete_fields):
        if isinstance(field, models.AutoField | models.BigAutoField):
            continue
        if field.is_relation:
            if field.null:
                continue
            related = field.related_model._base_manager.order_by("pk")  # type: ignore[union-attr]
            if field.unique:
                related = related.exclude(pk__in=model._base_manager.values(field.attname))
            target = related.first()
            if target is None:
                raise LookupError(f"no {field.related_model} row to point to")
            values[field.name] = target
        elif not field.has_default() and not field.null:
            values[field.name] = _sample(field, n, position)
    model(**values).save(force_insert=True)


def _fill_empty_tables() -> list[str]:
    """Give each model without rows one made-up row; return the labels still empty."""
    empty = [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._base_manager.exists()
    ]
    for attempt in range(4):  # a model may need a row another empty model gets first
        for n, model in enumerate(list(empty)):
            try:
                with transaction.atomic():
                    _row_create(model, attempt * 1000 + n)
            except Exception:  # noqa: S112 (a constraint or relation it cannot meet yet)
                continue
            empty.remove(model)
    return sorted(model._meta.label for model in empty)


def populate() -> None:
    """Load the demo clinic, book and cancel through the services, then fill what is empty."""
    call_command("load_demo", stdout=io.StringIO())
    WebhookEndpoint.objects.create(
        name="Billing", url="https://hooks.example.org/stride", events=list(WebhookEvent.values)
    )
    therapist = Therapist.objects.select_related("location").order_by("pk").first()
    assert therapist is not None
    visit = AppointmentTypeFactory.create(slug="backup-visit")
    therapist.appointment_types.add(visit)
    for day in range(3):
        appointment = appointment_book(
            patient=UserFactory.create(),
            therapist=therapist,
            appointment_type=visit,
            start=dt.datetime(2026, 12, 7 + day, 15, tzinfo=dt.UTC),
            reason="Knee pain on stairs",
            enforce_rules=False,
        )
    appointment_cancel(appointment=appointment, by_patient=False)
    TimeOffFactory.create(therapist=therapist)
    ContactMessageFactory.create()
    still_empty = _fill_empty_tables()
    assert still_empty == [], (
        f"No rows in {still_empty}: add them in populate() so the backup test covers them."
    )


def _normalise(value: Any) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)  # SQLite keeps JSON as text; PostgreSQL's jsonb reorders
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return repr(value)


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Return every table's row count and a checksum of its sorted rows."""
    fingerprints = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (quoted)
            rows = sorted(tuple(_normalise(v) for v in row) for row in cursor.fetchall())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            fingerprints[table] = (len(rows), digest)
    return fingerprints


def media_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def media_root(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    (root / "therapists").mkdir(parents=True)
    (root / "therapists" / "maya.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    settings.MEDIA_ROOT = root
    return root


# --- Round trip ---------------------------------------------------------------------------------


def test_every_table_round_trips_through_backup_and_restore(
    tmp_path: Path, media_root: Path
) -> None:
    populate()
    before = table_fingerprints()
    uploads = media_files(media_root)  # the demo's photos too
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert model_tables <= set(before)
    assert all(before[table][0] > 0 for table in model_tables)
    dump = tmp_path / "backups" / ("stride.sqlite3" if connection.vendor == "sqlite" else "s.dump")

    out = io.StringIO()
    call_command("backup", "--output", str(dump), "--media", stdout=out)

    assert f"to {dump}" in out.getvalue()
    manifest = json.loads(Path(f"{dump}.manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["stride_version"]
    assert dt.datetime.fromisoformat(manifest["created_at"]) <= timezone.now()
    assert manifest["tables"] == {table: count for table, (count, _) in before.items()}
    leaves = dict(MigrationLoader(connection).graph.leaf_nodes())
    assert {app: manifest["migrations"][app] for app in leaves} == leaves
    assert manifest["media"]["files"] == len(uploads)
    assert oct(dump.stat().st_mode & 0o777) == "0o600"

    # Change, delete and add rows, and lose an upload.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET first_name = 'Changed'")
        cursor.execute("DELETE FROM integrations_webhookdeliveryattempt")
        cursor.execute("DELETE FROM integrations_webhookdelivery")
        cursor.execute("UPDATE scheduling_appointment SET status = 'no_show'")
    ContactMessageFactory.create_batch(3)
    for upload in media_root.rglob("*"):
        if upload.is_file():
            upload.unlink()
    assert table_fingerprints() != before

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(dump), stdout=io.StringIO())

    out = io.StringIO()
    call_command("restore", str(dump), "--yes", "--media", stdout=out)

    assert "Restored the" in out.getvalue()
    assert f"Extracted {len(uploads)} media files." in out.getvalue()
    after = table_fingerprints()
    assert {t: c for t, (c, _) in after.items()} == {t: c for t, (c, _) in before.items()}
    assert after == before
    assert media_files(media_root) == uploads
    assert uploads["therapists/maya.jpg"] == b"\xff\xd8 not really a jpeg"
    assert WebhookDelivery.objects.count() == 4  # three bookings and a cancellation


def test_restore_into_an_empty_database_needs_no_confirmation(tmp_path: Path) -> None:
    populate()
    before = table_fingerprints()
    created = backup_create(output=tmp_path / "b")
    call_command("flush", "--no-input", verbosity=0)
    assert not backups.database_has_data()

    done = backup_restore(path=created.manifest_path)  # the manifest's path works too

    assert done.count_mismatches == {} and done.unapplied_migrations == []
    assert table_fingerprints() == before


# --- Refusals -----------------------------------------------------------------------------------


def _manifest_edit(path: Path, **changes: Any) -> None:
    manifest_path = Path(f"{path}.manifest.json")
    manifest = json.loads(manifest_path.read_text())
    manifest.update(changes)
    manifest_path.write_text(json.dumps(manifest))


def test_restore_refuses_a_backup_from_newer_code(tmp_path: Path) -> None:
    UserFactory.create()
    created = backup_create(output=tmp_path / "b")
    applied = created.manifest["applied_migrations"] + [["scheduling", "9999_from_the_future"]]
    _manifest_edit(created.path, applied_migrations=applied)

    with pytest.raises(CommandError, match=r"newer Stride .*scheduling\.9999_from_the_future"):
        call_command("restore", str(created.path), "--yes")


def test_restore_refuses_a_damaged_dump_and_the_other_vendor(tmp_path: Path) -> None:
    created = backup_create(output=tmp_path / "b")
    with created.path.open("ab") as dump:
        dump.write(b"\0")

    with pytest.raises(BackupError, match="checksum"):
        backup_restore(path=created.path, replace_data=True)

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _manifest_edit(created.path, vendor=other)
    with pytest.raises(BackupError, match=f"{other} backup"):
        backup_restore(path=created.path, replace_data=True)


def test_restore_refuses_media_the_backup_does_not_have(tmp_path: Path) -> None:
    created = backup_create(output=tmp_path / "b")

    with pytest.raises(BackupError, match="no media archive"):
        backup_restore(path=created.path, replace_data=True, media=True)


def test_backup_never_overwrites_and_names_a_file_in_a_folder(tmp_path: Path) -> None:
    created = backup_create(output=tmp_path)  # a folder: stride-<time> inside it

    assert created.path.parent == tmp_path and created.path.name.startswith("stride-")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(created.path))


def test_media_archive_keeps_paths_inside_media_root(tmp_path: Path, media_root: Path) -> None:
    created = backup_create(output=tmp_path / "b", media=True)
    assert created.media_path is not None
    outside = tmp_path / "escaped.txt"

    with tarfile.open(created.media_path, "w:gz") as archive:
        source = tmp_path / "payload"
        source.write_text("x")
        archive.add(source, arcname="../escaped.txt")
    _manifest_edit(
        created.path,
        media={**created.manifest["media"], "sha256": backups._sha256(created.media_path)},
    )

    with pytest.raises(tarfile.OutsideDestinationError):
        backup_restore(path=created.path, replace_data=True, media=True)
    assert not outside.exists()


# --- PostgreSQL specifics -----------------------------------------------------------------------


def test_pg_password_goes_in_the_environment_never_the_command_line() -> None:
    args, env = backups._pg_connection_args(
        {
            "NAME": "stride",
            "USER": "stride",
            "PASSWORD": "s3cret-pass",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )

    assert args == ["--host=db.internal", "--port=5433", "--username=stride", "--dbname=stride"]
    assert not any("s3cret" in arg for arg in args)
    assert env["PGPASSWORD"] == "s3cret-pass" and env["PGSSLMODE"] == "require"


def test_pg_dump_of_another_major_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite backups use no client tools")
    server = backups._pg_server_major(connection)
    monkeypatch.setattr(backups, "_pg_tool_major", lambda tool: server - 1)

    with pytest.raises(BackupError, match=f"is PostgreSQL {server - 1} but the server is {server}"):
        backup_create(output=Path("/nonexistent/never-written.dump"))


def test_pg_dump_matches_the_server_here() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite backups use no client tools")

    tool = backups._pg_tool_checked("pg_dump", connection)

    assert backups._pg_tool_major(tool) == backups._pg_server_major(connection)


# --- The commands against a SQLite file, as in production ----------------------------------------

PREPARE = """
import os
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ["B_URL"], database_name=None)
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
"""


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 (names from sqlite_master)


def test_commands_back_up_and_restore_a_sqlite_file_database(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file test runs in the SQLite pass of the suite (DATABASE_URL unset)")
    database = tmp_path / "clinic.sqlite3"
    env = {"B_URL": f"sqlite:///{database}", "DATABASE_URL": f"sqlite:///{database}"}
    prepare = subprocess.run(
        [sys.executable, "-c", PREPARE],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert prepare.returncode == 0, prepare.stderr[-3000:]
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    before = _sqlite_counts(database)
    dump = tmp_path / "out" / "clinic-backup.sqlite3"

    backed_up = _manage("backup", "--output", str(dump), env=env)

    assert backed_up.returncode == 0, backed_up.stderr[-3000:]
    assert _sqlite_counts(dump) == before
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM content_faq")
        db.execute("UPDATE accounts_user SET first_name = 'Changed'")
    refused = _manage("restore", str(dump), env=env)
    assert refused.returncode != 0 and "--yes" in refused.stderr

    restored = _manage("restore", str(dump), "--yes", env=env)

    assert restored.returncode == 0, restored.stderr[-3000:]
    assert _sqlite_counts(database) == before
    with sqlite3.connect(database) as db:
        assert db.execute(
            "SELECT COUNT(*) FROM accounts_user WHERE first_name = 'Changed'"
        ).fetchone() == (0,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
