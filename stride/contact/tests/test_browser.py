"""The contact form in Chromium: accessible with and without errors, fits a phone, works."""

from __future__ import annotations

import pytest

from stride.contact.models import ContactMessage
from stride.core.tests.browser import assert_accessible, assert_no_horizontal_overflow

from .factories import LocationFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic(transactional_db, settings):
    settings.STRIDE_CLINIC_INBOX = "frontdesk@clinic.example"
    return LocationFactory()


def test_contact_form_errors_are_accessible_and_fit_a_phone(page, clinic):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/contact/")
    assert_accessible(page)
    assert_no_horizontal_overflow(page)

    page.get_by_role("textbox", name="Your name").fill("Alex Rivera")
    page.get_by_role("textbox", name="Email address").fill("not-an-email")
    page.get_by_role("radio", name="Phone").check()
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "Enter an email address" in summary.inner_text()
    assert page.get_by_role("textbox", name="Your name").input_value() == "Alex Rivera"
    assert page.get_by_role("textbox", name="Email address").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert_no_horizontal_overflow(page)

    summary.get_by_role("link", name="Email address").click()
    assert page.evaluate("() => location.hash") == "#id_email"
    assert ContactMessage.objects.count() == 0


def test_keyboard_skips_the_honeypot_and_a_message_gets_through(page, clinic):
    page.goto("/contact/")
    page.get_by_role("textbox", name="Your name").fill("Alex Rivera")
    page.get_by_role("textbox", name="Email address").fill("alex@example.com")
    page.get_by_role("textbox", name="Your message").focus()
    page.keyboard.type("Can I book an evaluation for my knee?")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => document.activeElement.name || document.activeElement.textContent"
    )
    assert focused.strip() == "Send message"
    page.keyboard.press("Enter")
    page.wait_for_url("**/contact/thanks/")
    assert "If this is an emergency, call 911" in page.content()
    assert_accessible(page)
    message = ContactMessage.objects.get()
    assert message.message == "Can I book an evaluation for my knee?"
