"""A clinic admin reads and filters the audit log in Chromium; the page and the 403 pass axe."""

from __future__ import annotations

from typing import Any

import pytest

from stride.accounts.models import Role
from stride.audit.models import AuditAction, AuditEvent
from stride.core.tests.browser import (
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)
from stride.scheduling.tests.factories import LocationFactory, StaffUserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"  # the factories' password
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")


def _check(page: Any, name: str) -> None:
    for size, label in ((PHONE, "375"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"audit-{name}-{label}")
        assert_accessible(page)


def test_an_admin_filters_the_log(page: Any, transactional_db: None) -> None:
    LocationFactory.create(name="Stride Brooklyn", is_primary=True)
    admin = StaffUserFactory.create(role=Role.ADMIN, email="admin@stridept.example")
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN_FAILED, outcome="failed", actor_email="who@example.com"
    )
    _sign_in(page, admin.email)

    page.goto("/staff/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    _check(page, "list")
    page.get_by_label("Action").select_option(label="Sign-in failed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/staff/audit/?*action=sign_in_failed*")
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 2  # the header and the one failed sign-in
    assert "who@example.com" in rows.nth(1).inner_text()
    _check(page, "filtered")


def test_the_refusal_page_passes_axe(page: Any, transactional_db: None) -> None:
    desk = StaffUserFactory.create(role=Role.FRONT_DESK)
    _sign_in(page, desk.email)
    response = page.goto("/staff/audit/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You can't open this page"
    _check(page, "403")
