"""Make the database refuse to change or delete audit events.

- PostgreSQL: a ``BEFORE UPDATE OR DELETE ... FOR EACH ROW`` trigger raising
  ``audit_event_append_only`` with SQLSTATE 23001 (restrict_violation).
- SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers, ``RAISE(ABORT, 'audit_event_append_only')``.

Both errors reach Django as IntegrityError mentioning ``audit_event_append_only``.

Row triggers do not see TRUNCATE, so on PostgreSQL ``manage.py flush`` (and the test suite's
flush between transactional tests) still empties the table; on SQLite, where flush is a
``DELETE``, the audit app's ``flush`` command lifts the triggers for that one command
(stride/audit/management/commands/flush.py). In production, also grant the application's
database role no TRUNCATE on ``audit_auditevent``; the README says how.

Caution for later migrations, as in scheduling.0003: on SQLite, Django rebuilds a table for many
ALTERs, which drops these triggers. A migration that alters audit_auditevent must end with a
RunPython calling ``install_sqlite_triggers(schema_editor)`` from this module
(``importlib.import_module("stride.audit.migrations.0002_append_only")``); the append-only tests
fail if it does not.
"""

from django.db import migrations

MESSAGE = "audit_event_append_only"

PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: audit events cannot be changed or deleted'
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete
    BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"No append-only guard for the {vendor} audit log.")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement)


def install_sqlite_triggers(schema_editor):
    """(Re)create the SQLite triggers; for migrations that rebuild the audit table."""
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, {"sqlite": SQLITE_INSTALL})


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
