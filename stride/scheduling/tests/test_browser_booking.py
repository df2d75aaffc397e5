"""The booking flow in Chromium: a patient books, reschedules and cancels through the pages;
every step passes axe-core (WCAG 2.2 AA) and fits a 375 px phone without sideways scrolling.

"Now" is the real time here (the live server runs in a thread), so the test books a weekday of
next week, two or more days ahead, which the minimum notice and the 24-hour window allow.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from stride.core.tests.browser import (
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)
from stride.scheduling.models import Appointment, AppointmentStatus, Therapist
from stride.scheduling.tests.conftest import NY
from stride.scheduling.tests.factories import (
    AppointmentTypeFactory,
    BookingRulesFactory,
    InsurancePlanFactory,
    LocationFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}


@dataclass
class Clinic:
    maya: Therapist
    daniel: Therapist
    next_monday: dt.date


@pytest.fixture
def booking_clinic(transactional_db: None) -> Clinic:
    cache.clear()  # the primary location is cached
    location = LocationFactory.create(
        name="Stride Physical Therapy", is_primary=True, phone="(718) 555-0142"
    )
    BookingRulesFactory.create(location=location)
    evaluation = AppointmentTypeFactory.create(
        name="Initial evaluation", slug="initial-evaluation", duration_minutes=60, order=1
    )
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", duration_minutes=45, new_patients=False, order=2
    )
    maya = TherapistFactory.create(
        location=location,
        display_name="Dr. Maya Chen",
        credentials="PT, DPT, OCS",
        bio="Maya helps people with back and neck pain get back to work, sport and sleep.",
        types=[evaluation, follow_up],
    )
    daniel = TherapistFactory.create(
        location=location, display_name="Dr. Daniel Okafor", types=[evaluation, follow_up]
    )
    InsurancePlanFactory.create(name="Aetna PPO", slug="aetna-ppo")
    InsurancePlanFactory.create(
        name="Blue Cross HMO", slug="blue-cross-hmo", referral_required=True
    )
    today = timezone.now().astimezone(NY).date()
    return Clinic(maya, daniel, today + dt.timedelta(days=7 - today.weekday()))


def check(page: Any, name: str) -> None:
    """Check the current page at phone and desktop widths: axe, no overflow, screenshots."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        screenshot(page, f"booking-{name}-{size['width']}")
    assert page.locator("h1").count() == 1


def slot_on(page: Any, day: dt.date) -> Any:
    return page.locator(f'ul[aria-labelledby="day-{day.isoformat()}"] a.slot').first


def test_patient_books_reschedules_and_cancels(page: Any, booking_clinic: Clinic) -> None:
    wednesday = booking_clinic.next_monday + dt.timedelta(days=2)
    thursday = booking_clinic.next_monday + dt.timedelta(days=3)

    # Step 1: the kind of visit.
    page.goto("/book/")
    assert "Step 1 of 4" in page.locator("h1").inner_text()
    check(page, "1-type")
    page.get_by_role("radio", name=re.compile("Initial evaluation")).check()
    page.get_by_role("button", name="Continue").click()

    # Step 2: the therapist.
    page.wait_for_url("**/book/therapist/**")
    check(page, "2-therapist")
    page.get_by_role("radio", name=re.compile("Dr. Maya Chen")).check()
    page.get_by_role("button", name="Continue").click()

    # Step 3: a week of times; "Next week" swaps the week in place and focuses its heading.
    page.wait_for_url("**/book/time/**")
    assert page.get_by_text("Times are in Eastern Time (America/New_York).").first.is_visible()
    check(page, "3-time")
    assert page.evaluate("() => typeof window.htmx") == "object"
    page.evaluate("() => { window.stillThisPage = true; }")  # gone if the page reloaded
    page.get_by_role("link", name=re.compile("Next week")).click()
    heading = page.locator("#week-heading")
    heading.filter(
        has_text=f"{booking_clinic.next_monday:%B} {booking_clinic.next_monday.day}"
    ).wait_for()
    # booking.js focuses the heading on htmx:afterSettle, a moment after the new text shows.
    page.wait_for_function("() => document.activeElement.id === 'week-heading'")
    assert "week=" in page.url  # the address follows, so reload and back work
    assert page.evaluate("() => window.stillThisPage === true")  # swapped in place by htmx
    check(page, "3-time-next-week")
    slot_on(page, wednesday).click()

    # Step 4: details; an empty submit puts focus on the error summary.
    page.wait_for_url("**/book/details/**")
    check(page, "4-details")
    page.get_by_role("button", name="Book appointment").click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
    assert (
        page.get_by_role("textbox", name=re.compile("Full name")).get_attribute("aria-invalid")
        == "true"
    )
    check(page, "4-details-errors")
    page.get_by_label("Full name").fill("Pat Example")
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Phone number").fill("(718) 555-0101")
    page.get_by_label("Date of birth").fill("1980-03-27")
    page.get_by_label("What would you like help with?").fill("Low back pain for three weeks.")
    page.get_by_label("Insurance plan").select_option(label="Blue Cross HMO")
    page.get_by_label(re.compile("cancellation policy")).check()
    page.get_by_role("button", name="Book appointment").click()

    # Step 5: confirmation.
    page.wait_for_url("**/book/confirmed/")
    appointment = Appointment.objects.get(patient__email="pat@example.org")
    assert appointment.therapist == booking_clinic.maya
    assert appointment.start.astimezone(NY).date() == wednesday
    assert page.get_by_text("Please bring your doctor's referral.").is_visible()
    check(page, "5-confirmed")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Add to calendar")).click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"appointment-{appointment.pk}@")
    assert event.decoded("DTSTART") == appointment.start

    # The manage page: reschedule to Thursday.
    page.get_by_role("link", name="Manage your appointment").click()
    page.wait_for_url(f"**/appointments/{appointment.pk}/manage/**")
    check(page, "6-manage")
    page.get_by_role("link", name="Reschedule").click()
    page.wait_for_url("**/reschedule/**")
    if not slot_on(page, thursday).count():
        page.get_by_role("link", name=re.compile("Next week")).click()
        page.locator(f'ul[aria-labelledby="day-{thursday.isoformat()}"]').wait_for()
    check(page, "7-reschedule")
    slot_on(page, thursday).click()
    page.get_by_role("heading", name="Move your appointment?").wait_for()
    check(page, "8-reschedule-confirm")
    page.get_by_role("button", name="Move my appointment").click()
    page.get_by_text("Your appointment has moved to").wait_for()
    appointment.refresh_from_db()
    assert appointment.start.astimezone(NY).date() == thursday
    check(page, "9-rescheduled")

    # Cancel, with a confirm step.
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("heading", name="Cancel this appointment?").wait_for()
    check(page, "10-cancel-confirm")
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    page.get_by_text("This appointment was cancelled.").wait_for()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert page.get_by_role("link", name="Book again").is_visible()
    check(page, "11-cancelled")


def test_booking_works_without_javascript(
    browser: Any, live_server: Any, booking_clinic: Clinic
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/book/")
        page.get_by_role("radio", name=re.compile("Initial evaluation")).check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/book/therapist/**")
        page.get_by_role("button", name="Continue").click()  # "Any therapist" is preselected
        page.wait_for_url("**/book/time/**")
        page.get_by_role("link", name=re.compile("Next week")).click()
        page.wait_for_url("**week=**")
        slot_on(page, booking_clinic.next_monday + dt.timedelta(days=2)).click()
        page.wait_for_url("**/book/details/**")
        page.get_by_label("Full name").fill("Sam Walker")
        page.get_by_label("Email address").fill("sam@example.org")
        page.get_by_label("Phone number").fill("718 555 0199")
        page.get_by_label("Date of birth").fill("1975-11-02")
        page.get_by_label(re.compile("A fever")).check()  # urgent: advice first, then booking
        page.get_by_label(re.compile("cancellation policy")).check()
        page.get_by_role("button", name="Book appointment").click()
        page.get_by_role("heading", name="Please see a doctor today").wait_for()
        assert not Appointment.objects.filter(patient__email="sam@example.org").exists()
        page.get_by_role("button", name="Book appointment").click()
        page.wait_for_url("**/book/confirmed/")
        assert Appointment.objects.get(patient__email="sam@example.org").red_flags == ["fever"]
    finally:
        context.close()


def test_an_emergency_answer_shows_the_emergency_advice(page: Any, booking_clinic: Clinic) -> None:
    wednesday = booking_clinic.next_monday + dt.timedelta(days=2)
    page.goto(
        "/book/details/?type=initial-evaluation&therapist=any&start="
        + dt.datetime.combine(wednesday, dt.time(10), tzinfo=NY)
        .isoformat(timespec="minutes")
        .replace("+", "%2B")
    )
    page.get_by_label(re.compile("Numbness around your genitals")).check()
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_role("heading", name="Please get emergency care now").wait_for()
    assert page.get_by_text("call 911 now").is_visible()
    assert page.get_by_role("button", name="Book appointment").count() == 0
    check(page, "emergency")
    assert not Appointment.objects.exists()
