from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The primary location is cached; a row from an earlier test must not leak into this one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic_inbox(settings):
    settings.STRIDE_CLINIC_INBOX = "frontdesk@clinic.example"
    return settings.STRIDE_CLINIC_INBOX
