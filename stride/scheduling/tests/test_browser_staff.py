"""The staff side in Chromium: a therapist signs in, reads the week, books a patient in and
records their arrival; every page passes axe and fits a 375 px phone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from stride.accounts.models import Role
from stride.core.tests.browser import (
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)
from stride.scheduling.models import Appointment, AppointmentStatus, Therapist
from stride.scheduling.tests.conftest import NY
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    BookingRulesFactory,
    LocationFactory,
    StaffUserFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"  # the factories' password
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}


@dataclass
class Team:
    therapist: Therapist
    colleague: Therapist
    front_desk_email: str
    tomorrow: dt.date


@pytest.fixture
def team(transactional_db: None) -> Team:
    location = LocationFactory.create(name="Stride Brooklyn", is_primary=True)
    BookingRulesFactory.create(location=location)
    evaluation = AppointmentTypeFactory.create(name="Initial evaluation", duration_minutes=60)
    follow_up = AppointmentTypeFactory.create(name="Follow-up", duration_minutes=45)
    therapist = TherapistFactory.create(
        location=location, display_name="Dr. Maya Chen", types=[evaluation, follow_up]
    )
    colleague = TherapistFactory.create(
        location=location, display_name="Dr. Daniel Okafor", types=[evaluation, follow_up]
    )
    today = timezone.now().astimezone(NY).date()
    week = today - dt.timedelta(days=today.weekday())
    for n, member in enumerate([therapist, colleague] * 4):
        AppointmentFactory.create(
            therapist=member,
            appointment_type=follow_up,
            patient=UserFactory.create(first_name="Sam", last_name=f"Walker {n}"),
            start=dt.datetime.combine(week + dt.timedelta(days=n), dt.time(9), tzinfo=NY),
        )
    TimeOffFactory.create(
        therapist=colleague,
        start=dt.datetime.combine(week + dt.timedelta(days=2), dt.time(13), tzinfo=NY),
        end=dt.datetime.combine(week + dt.timedelta(days=2), dt.time(17), tzinfo=NY),
    )
    desk = StaffUserFactory.create(role=Role.FRONT_DESK, first_name="Fran", last_name="Desk")
    return Team(therapist, colleague, desk.email, today + dt.timedelta(days=1))


def sign_in(page: Any, email: str) -> None:
    page.goto("/staff/")
    page.wait_for_url("**/accounts/sign-in/**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/calendar/**")


def check(page: Any, name: str) -> None:
    """Assert the page passes axe and fits a phone and a desktop; save both screenshots."""
    for size, label in ((PHONE, "375"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"staff-{name}-{label}")
        assert_accessible(page)


def test_therapist_sees_the_week_books_a_patient_and_marks_them_arrived(
    page: Any, team: Team
) -> None:
    sign_in(page, team.therapist.user.email)
    assert page.get_by_role("heading", level=1).inner_text() == "Calendar: Dr. Maya Chen"
    assert page.get_by_role("heading", name="Week of").is_visible()
    assert page.get_by_text("Sam Walker 0", exact=True).is_visible()
    check(page, "calendar-week-therapist")

    page.get_by_role("link", name="Book a visit").first.click()
    page.wait_for_url("**/staff/appointments/new/**")
    check(page, "book")
    page.get_by_label("Visit type").select_option(label="Initial evaluation (60 min)")
    page.get_by_label("Date", exact=False).first.fill(team.tomorrow.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Patient's email").fill("ada@example.com")
    page.get_by_label("Patient's full name").fill("Ada Lovelace")
    page.get_by_label("Patient's phone").fill("(718) 555-0199")
    page.get_by_role("button", name="Book visit").click()
    page.wait_for_url("**/staff/calendar/?view=day**")

    status = page.get_by_role("status")
    assert "Booked: Initial evaluation for Ada Lovelace with Dr. Maya Chen" in status.inner_text()
    visit = page.locator("li.appointment", has_text="Ada Lovelace")
    assert "10:00 AM – 11:00 AM" in visit.inner_text()
    check(page, "calendar-day-booked")

    page.set_viewport_size(DESKTOP)
    visit.locator("summary").click()
    visit.get_by_role("button", name="Mark arrived").click()
    page.wait_for_load_state()
    assert "Recorded arrived" in page.get_by_role("status").inner_text()
    assert (
        page.locator("li.appointment", has_text="Ada Lovelace").locator(".status").inner_text()
        == "Arrived"
    )
    check(page, "calendar-day-arrived")
    appointment = Appointment.objects.get(patient__email="ada@example.com")
    assert appointment.status == AppointmentStatus.ARRIVED
    assert appointment.booked_by == team.therapist.user


def test_the_booking_form_explains_a_clash(page: Any, team: Team) -> None:
    AppointmentFactory.create(
        therapist=team.colleague,
        appointment_type=team.colleague.appointment_types.first(),
        # 10:00, clear of the fixture's 9:00 visits whichever weekday tomorrow is.
        start=dt.datetime.combine(team.tomorrow, dt.time(10), tzinfo=NY),
    )
    sign_in(page, team.front_desk_email)
    page.goto(f"/staff/appointments/new/?therapist={team.colleague.pk}&date={team.tomorrow}")
    page.get_by_label("Visit type").select_option(label="Initial evaluation (60 min)")
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Patient's email").fill("ada@example.com")
    page.get_by_label("Patient's full name").fill("Ada Lovelace")
    page.get_by_role("button", name="Book visit").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Dr. Daniel Okafor already has a visit at that time" in summary.inner_text()
    check(page, "book-error")
    assert not Appointment.objects.filter(patient__email="ada@example.com").exists()


def test_location_week_table_scrolls_inside_its_region_on_a_phone(page: Any, team: Team) -> None:
    sign_in(page, team.front_desk_email)
    page.goto(f"/staff/calendar/?location={team.therapist.location_id}")
    region = page.get_by_role("region", name="Appointments at Stride Brooklyn")
    assert region.get_attribute("tabindex") == "0"
    assert page.get_by_role("columnheader").count() == 8
    assert page.get_by_role("rowheader").count() == 2
    check(page, "calendar-week-location")
    page.set_viewport_size(PHONE)
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # scrolls in place
    page.goto(f"/staff/calendar/?view=day&location={team.therapist.location_id}")
    check(page, "calendar-day-location")


@pytest.mark.parametrize("path", ["/staff/time-off/", "/staff/calendar-feed/"])
def test_other_staff_pages_pass_axe(page: Any, team: Team, path: str) -> None:
    sign_in(page, team.therapist.user.email)
    page.goto(path)
    name = path.strip("/").split("/")[-1]
    check(page, name)
    if path == "/staff/calendar-feed/":
        page.get_by_role("button", name="Turn on my feed").click()
        page.wait_for_load_state()
        assert "/staff/feeds/" in page.get_by_label("Copy it now").input_value()
        check(page, "calendar-feed-issued")


def test_booking_and_marking_work_without_javascript(
    browser: Any, live_server: Any, team: Team
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, team.therapist.user.email)
        page.goto(f"/staff/appointments/new/?date={team.tomorrow.isoformat()}&time=15:00")
        page.get_by_label("Visit type").select_option(label="Follow-up (45 min)")
        page.get_by_label("Patient's email").fill("grace@example.com")
        page.get_by_label("Patient's full name").fill("Grace Hopper")
        page.get_by_role("button", name="Book visit").click()
        page.wait_for_url("**/staff/calendar/?view=day**")
        visit = page.locator("li.appointment", has_text="Grace Hopper")
        visit.locator("summary").click()
        visit.get_by_role("button", name="Mark arrived").click()
        page.wait_for_load_state()
        assert Appointment.objects.get(patient__email="grace@example.com").status == "arrived"
    finally:
        context.close()
