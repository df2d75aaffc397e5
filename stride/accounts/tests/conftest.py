"""Fixtures for the accounts tests: a patient, a staff member and a clock tests can move."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from stride.accounts.models import User
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


class Clock:
    """The time ``timezone.now()`` answers during a test; move it by setting ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock(NOW)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    # The primary location is cached; a row from an earlier test must not leak into this one.
    cache.clear()
    yield frozen
    cache.clear()


@pytest.fixture
def patient(db: None) -> User:
    return UserFactory.create(email="pat@example.com", first_name="Pat")


@pytest.fixture
def staff(db: None) -> User:
    return StaffUserFactory.create(email="desk@stridept.example")


def link_path_in(email: Any) -> str:
    """Return the sign-in link's path from ``email``'s text, checking the HTML has it too."""
    link_url = re.escape(settings.SITE_URL) + r"(/accounts/link/\d+/[A-Za-z0-9_-]+/)"
    match = re.search(link_url, email.body)
    assert match is not None, email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{match.group(0)}"' in html
    return match.group(1)


ROOT = Path(__file__).resolve().parents[3]


def settings_in_subprocess(
    tmp_path: Path, expression: str, *, module: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Load settings ``module`` in a fresh interpreter with ``env`` and print ``expression``.

    Settings read the environment once, at import; a subprocess is how a test sees that.
    """
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "k3y-" + "x7Qp9vL2mN8rT4wZ6yB1cD5fG0hJ3kS" * 2,
        "ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'settings.sqlite3'}",
        **env,
    }
    for name in ("STRIDE_STAFF_2FA", "STRIDE_RATE_LIMITS", "DEBUG"):
        if name not in env:
            full_env.pop(name, None)
    code = f"from django.conf import settings; print(repr({expression}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
