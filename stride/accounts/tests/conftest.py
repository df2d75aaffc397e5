"""Fixtures for the sign-in link tests: a patient, a staff member and a clock tests can move."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
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
