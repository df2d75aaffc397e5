"""Fixtures shared by every app's tests: a Playwright-driven Chromium and axe-core checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stride.core.tests.browser import AXE_JS

CHROMIUM = os.environ.get("STRIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _browser_unavailable(reason: str) -> None:
    # CI sets STRIDE_REQUIRE_BROWSER=1: a missing browser there is a failure, never a skip.
    if os.environ.get("STRIDE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but unavailable: {reason}")
    pytest.skip(f"browser unavailable: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium once per test session."""
    if not Path(CHROMIUM).exists():
        _browser_unavailable(f"{CHROMIUM} not found (apt-get install -y chromium)")
    if not AXE_JS.exists():
        _browser_unavailable(f"{AXE_JS} not found (npm ci)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM
    # calls made from test code while it is running.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """Open a fresh desktop-sized page whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
