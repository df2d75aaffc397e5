"""Fixtures for the audit log tests: the scheduling tests' clinic, its staff, and a clean cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from stride.scheduling.tests.conftest import (
    Clinic,
    clinic,  # noqa: F401  (the fixture, reused)
)
from stride.scheduling.tests.test_staff_support import Staff, staff_build


@pytest.fixture(autouse=True)
def _cache_cleared() -> Iterator[None]:
    # The primary location (its time zone) is cached; a row from an earlier test must not leak.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(clinic: Clinic) -> Staff:  # noqa: F811  (``clinic`` is the imported fixture)
    return staff_build(clinic)
