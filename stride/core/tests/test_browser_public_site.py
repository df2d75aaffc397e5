"""The public site as a patient's browser sees it: accessible, responsive, usable without JS."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from stride.core.tests.browser import (
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": "/",
    "articles": "/articles/",
    "article": "/articles/exercises-for-back-pain-relief/",
    "faq": "/faq/",
    "resources": "/resources/",
    "contact": "/contact/",
    "contact-thanks": "/contact/thanks/",
    "book": "/book/",
    "search": "/search/?q=back",
    "not-found": "/articles/no-such-article/",
}


@pytest.fixture
def demo_clinic(transactional_db: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_passes_axe_and_fits_phone_and_desktop(page, demo_clinic, name):
    path = PUBLIC_PAGES[name]
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(path)
        assert response is not None
        assert response.status == (404 if name == "not-found" else 200)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"{name}-{width}")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)


def test_keyboard_user_can_skip_to_content_and_reach_booking(page, demo_clinic):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # Tab on through the header until the Book Appointment link has focus.
    page.goto("/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Book Appointment":
            break
    else:
        pytest.fail("Book Appointment link is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**/book/")


def test_site_works_without_javascript(browser, live_server, demo_clinic):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Exercises for Back Pain Relief").first.click()
        page.wait_for_url("**/articles/exercises-for-back-pain-relief/")
        page.get_by_role("link", name="Understanding Back Pain").first.click()
        assert page.evaluate("() => location.hash") == "#understanding-back-pain"
        page.goto("/contact/")
        page.locator("#id_name").fill("Pat Example")
        page.locator("#id_email").fill("pat@example.org")
        page.locator("#id_message").fill("I would like to ask about an evaluation for my back.")
        page.get_by_role("button", name="Send").click()
        page.wait_for_url("**/contact/thanks/")
        page.goto("/faq/")
        assert page.get_by_text("What is physical therapy?").first.is_visible()
    finally:
        context.close()


def test_contact_form_keeps_typed_values_on_error(page, demo_clinic):
    page.goto("/contact/")
    page.locator("#id_name").fill("Pat Example")
    page.locator("#id_email").fill("not-an-email")
    page.locator("#id_message").fill("Hello, I have a question about my knee.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.locator("#id_name").input_value() == "Pat Example"
    assert page.locator("#id_message").input_value().startswith("Hello")
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)
