"""The whole home-exercise story in Chromium, as issue 4 tells it.

A therapist prescribes a program from a template; the patient signs in from the emailed link,
logs two weeks of sessions in which their pain does not improve, sees the "check in with your
therapist" prompt, books the follow-up from it with their therapist and the follow-up type
already chosen; the therapist then sees the patient first on their list, with the reason and the
appointment. "Now" is the real time (the live server runs in a thread), so the program starts
fourteen days ago and the follow-up is booked in the coming week.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from stride.accounts.models import User
from stride.core.tests.browser import assert_accessible, screenshot
from stride.programs.models import ExerciseProgram, ProgramAlert, ProgramTemplate, SessionLog
from stride.programs.tests.factories import ExerciseFactory
from stride.scheduling.models import Appointment, AppointmentStatus, Therapist
from stride.scheduling.tests.conftest import NY
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    BookingRulesFactory,
    LocationFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"  # the factories' password
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/link/\d+/[A-Za-z0-9_-]+/")


@dataclass
class Story:
    maya: Therapist
    patient: User
    today: dt.date


@pytest.fixture
def story(transactional_db: None) -> Story:
    cache.clear()  # the primary location is cached
    location = LocationFactory.create(name="Stride Physical Therapy", is_primary=True)
    BookingRulesFactory.create(location=location)
    evaluation = AppointmentTypeFactory.create(
        name="Initial evaluation", slug="initial-evaluation", duration_minutes=60, order=1
    )
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", duration_minutes=45, new_patients=False, order=2
    )
    maya = TherapistFactory.create(
        location=location, display_name="Dr. Maya Chen", types=[evaluation, follow_up]
    )
    TherapistFactory.create(
        location=location, display_name="Dr. Daniel Okafor", types=[evaluation, follow_up]
    )
    patient = UserFactory.create(email="ana@example.org", first_name="Ana", last_name="Silva")
    today = timezone.now().astimezone(NY).date()
    # The evaluation at which Maya met Ana, fifteen days ago: Ana is Maya's patient.
    AppointmentFactory.create(
        therapist=maya,
        appointment_type=evaluation,
        patient=patient,
        start=dt.datetime.combine(today - dt.timedelta(days=15), dt.time(9), tzinfo=NY),
        status=AppointmentStatus.COMPLETED,
    )
    template = ProgramTemplate.objects.create(
        name="Low back pain — early phase", slug="low-back-pain-early", review_after_weeks=4
    )
    for position, name in enumerate(("Pelvic tilt", "Knee to chest", "Cat-camel"), start=1):
        template.items.create(
            exercise=ExerciseFactory.create(name=name), position=position, reps=10
        )
    return Story(maya, patient, today)


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_prescribe_follow_through_and_book_the_follow_up(
    browser: Any, live_server: Any, story: Story
) -> None:
    therapist_ctx = browser.new_context(base_url=live_server.url)
    patient_ctx = browser.new_context(base_url=live_server.url)
    try:
        _therapist_prescribes(therapist_ctx.new_page(), story)
        patient_page = patient_ctx.new_page()
        _patient_signs_in_from_the_email(patient_page, story)
        _patient_logs_two_weeks_without_improving(patient_page, story)
        appointment = _patient_books_the_follow_up(patient_page, story)
        _therapist_sees_the_alert_and_the_appointment(therapist_ctx.new_page(), story, appointment)
    finally:
        therapist_ctx.close()
        patient_ctx.close()


def _therapist_prescribes(page: Any, story: Story) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, story.maya.user.email)
    page.goto("/staff/patients/")
    page.get_by_role("link", name="Ana Silva").click()
    page.get_by_role("link", name=re.compile("New program")).click()
    page.get_by_label(re.compile("Low back pain — early phase")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Start date").fill((story.today - dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Prescribe program").click()
    page.wait_for_url(re.compile(r"/staff/patients/\d+/"))
    program = ExerciseProgram.objects.get(patient=story.patient)
    assert program.therapist == story.maya
    assert [i.exercise.name for i in program.versions.get().items.order_by("position")] == [
        "Pelvic tilt",
        "Knee to chest",
        "Cat-camel",
    ]


def _patient_signs_in_from_the_email(page: Any, story: Story) -> None:
    page.set_default_timeout(10_000)
    (invitation,) = [m for m in mail.outbox if story.patient.email in m.to]
    body = str(invitation.body)
    assert "pelvic" not in body.lower()  # no clinical details in email
    link = LINK.search(body)
    assert link, body
    path = link.group(0).split("/accounts/", 1)[1]
    page.goto(f"/accounts/{path}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/my/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your exercise program"
    assert page.get_by_text("Pelvic tilt").first.is_visible()


def _patient_logs_two_weeks_without_improving(page: Any, story: Story) -> None:
    for back in range(14, -1, -1):
        page.goto("/my/log/")
        page.get_by_label("Date").fill((story.today - dt.timedelta(days=back)).isoformat())
        page.get_by_role("radio", name="I did all of it").check()
        pain_now = page.get_by_role("group", name=re.compile("How bad is your pain now"))
        pain_now.get_by_role("radio", name="6", exact=True).check()
        page.get_by_role("button", name="Save log").click()
        page.wait_for_url("**/my/")
    assert SessionLog.objects.filter(program__patient=story.patient).count() == 15
    prompt = page.get_by_role("region", name="Time to check in with your therapist")
    assert prompt.is_visible()
    assert_accessible(page)
    screenshot(page, "story-my-consult-prompt")


def _patient_books_the_follow_up(page: Any, story: Story) -> Appointment:
    page.get_by_role("link", name="Book a follow-up").click()
    page.wait_for_url("**/book/time/**")
    assert "type=follow-up" in page.url
    assert f"therapist={story.maya.slug}" in page.url
    # The first free time shown, in the coming days.
    page.locator("a.slot").first.click()
    page.wait_for_url("**/book/details/**")
    # Signed in: name and email are filled in already.
    assert page.get_by_label("Email address").input_value() == story.patient.email
    page.get_by_label("Phone number").fill("(718) 555-0101")
    page.get_by_label("Date of birth").fill("1980-03-27")
    page.get_by_label(re.compile("cancellation policy")).check()
    page.get_by_role("button", name="Book appointment").click()
    page.wait_for_url("**/book/confirmed/")
    appointment = Appointment.objects.get(patient=story.patient, status=AppointmentStatus.CONFIRMED)
    assert appointment.therapist == story.maya
    assert appointment.appointment_type.slug == "follow-up"
    return appointment


def _therapist_sees_the_alert_and_the_appointment(
    page: Any, story: Story, appointment: Appointment
) -> None:
    page.set_default_timeout(10_000)
    page.goto("/staff/patients/")
    first_row = page.locator("table tbody tr").first
    text = first_row.inner_text()
    assert "Ana Silva" in text
    assert "pain has not improved" in text
    when = appointment.start.astimezone(NY)
    assert f"{when:%b} {when.day}" in text
    assert (
        ProgramAlert.objects.filter(
            program__patient=story.patient, kind="not_improving", cleared_at__isnull=True
        ).count()
        == 1
    )
    assert_accessible(page)
    screenshot(page, "story-staff-patients")
    first_row.get_by_role("link", name="Ana Silva").click()
    page.wait_for_url(re.compile(r"/staff/patients/\d+/"))
    assert page.get_by_text("pain has not improved").first.is_visible()
    screenshot(page, "story-staff-patient")
