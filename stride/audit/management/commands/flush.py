"""Django's ``flush``, which on SQLite lifts the audit log's append-only triggers meanwhile.

``flush`` empties every table. On PostgreSQL it does so with TRUNCATE, which row triggers do not
see; on SQLite it runs ``DELETE FROM`` each table, which the audit log's ``BEFORE DELETE``
trigger refuses. Dropping the SQLite triggers for the length of the command gives both
databases the same behaviour (the test suite flushes between transactional tests). Every other
way of deleting or changing an audit event stays refused.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "audit_auditevent"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        guard = importlib.import_module("stride.audit.migrations.0002_append_only")
        with connection.cursor() as cursor:
            for statement in guard.SQLITE_REMOVE:
                cursor.execute(statement)
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for statement in guard.SQLITE_INSTALL:
                    cursor.execute(statement)
