import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_ensure_database_creates_a_missing_postgresql_database_once():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; this run uses SQLite")
    settings_dict = connection.settings_dict
    name = f"stride_ensure_{uuid.uuid4().hex[:8]}"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "postgres"
    url = f"postgres://{user}@{host}:{port}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    command = [sys.executable, "manage.py", "ensure_database"]
    try:
        first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        assert f"Created database {name}" in first.stdout
        assert second.returncode == 0, second.stderr
        assert "Created" not in second.stdout
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')  # noqa: S608 (the test's own name)
