"""Make the database refuse overlapping active appointments of one therapist.

The guard covers each appointment's [start, end): two visits of one therapist can never overlap,
whatever their starts and lengths. Buffers (end to buffer_end) are clinic policy, checked by the
booking service under the therapist row lock, so staff can see them in one place and change a
type's buffer without rewriting history; the constraint is the hard guarantee behind that check.

- PostgreSQL: an exclusion constraint over (therapist_id, tstzrange(start, end)) on btree_gist,
  limited to the active statuses. It holds under concurrency: a second transaction inserting an
  overlapping row waits for the first and then fails with ExclusionViolation.
- SQLite: BEFORE INSERT / BEFORE UPDATE triggers raising 'appointment_no_overlap'. Writers are
  serialised by the IMMEDIATE transaction mode set in config/settings/base.py.

Both errors reach Django as IntegrityError mentioning ``appointment_no_overlap``.

Caution for later migrations: on SQLite, Django rebuilds a table for many ALTERs (copy, drop,
rename), which drops these triggers. A migration that alters scheduling_appointment must end
with a RunPython that reinstalls them, e.g. via
``importlib.import_module("stride.scheduling.migrations.0003_appointment_no_overlap")
.install_sqlite_triggers(schema_editor)``; tests/test_overlap_guard.py fails if it does not.
"""

from django.db import migrations

ACTIVE = "('confirmed', 'arrived', 'completed', 'no_show')"

PG_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE scheduling_appointment
    ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (therapist_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status IN {ACTIVE})
    """,
]
PG_REMOVE = ["ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap"]

# The INSERT trigger must not compare ids: NEW.id is not assigned yet in a BEFORE INSERT trigger.
_SQLITE_CLASH = f"""
    SELECT RAISE(ABORT, 'appointment_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM scheduling_appointment AS other
        WHERE other.therapist_id = NEW.therapist_id
          AND other.status IN {ACTIVE}
          AND other.start < NEW."end"
          AND other."end" > NEW.start
          {{extra}}
    );
"""
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS appointment_no_overlap_insert
    BEFORE INSERT ON scheduling_appointment
    WHEN NEW.status IN {ACTIVE}
    BEGIN {_SQLITE_CLASH.format(extra="")} END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS appointment_no_overlap_update
    BEFORE UPDATE ON scheduling_appointment
    WHEN NEW.status IN {ACTIVE}
    BEGIN {_SQLITE_CLASH.format(extra="AND other.id != OLD.id")} END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS appointment_no_overlap_insert",
    "DROP TRIGGER IF EXISTS appointment_no_overlap_update",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"No appointment overlap guard for the {vendor} backend.")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement)


def install_sqlite_triggers(schema_editor):
    """(Re)create the SQLite triggers; for migrations that rebuild the appointment table."""
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, {"sqlite": SQLITE_INSTALL})


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_booking"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
