"""The patient's pages in Chromium: a patient signs in with their password, reads their program,
logs a session and sees the streak and the charts drawn. Every page passes axe-core (WCAG 2.2 AA)
at 375 and 1280 px without sideways scrolling, and the browser reports no error, so no script or
style broke the Content Security Policy."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from stride.accounts.models import User
from stride.core.tests.browser import (
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)
from stride.programs.models import ExerciseProgram, PainScore, SessionLog
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.tests.factories import (
    AppointmentTypeFactory,
    BookingRulesFactory,
    LocationFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"  # the factories' password
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}
FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def program(transactional_db: None) -> ExerciseProgram:
    cache.clear()  # the primary location is cached
    location = LocationFactory.create(name="Stride Physical Therapy", is_primary=True)
    BookingRulesFactory.create(location=location)
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", new_patients=False
    )
    therapist = TherapistFactory.create(
        location=location, display_name="Dr. Maya Chen", types=[follow_up]
    )
    patient = UserFactory.create(email="ana@example.org", first_name="Ana", last_name="Silva")
    today = timezone.localdate(timezone=location.tzinfo)
    program = program_prescribe(
        patient=patient, therapist=therapist, start=today - dt.timedelta(days=16)
    )
    # Two days logged before today, so the charts have something to draw.
    version = version_current(program=program)
    for back, pain in ((2, 6), (1, 5)):
        on = program_today(program) - dt.timedelta(days=back)
        session = SessionLog.objects.create(
            program=program, version=version, on=on, completion="done"
        )
        PainScore.objects.create(program=program, session=session, on=on, nprs=pain)
    return program


@pytest.fixture
def errors(page: Any) -> Iterator[list[str]]:
    """Collect the browser's console errors, uncaught exceptions and CSP violations."""
    found: list[str] = []

    def console(message: Any) -> None:
        # The site has no favicon; the browser's own request for one is not the page's error.
        if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
            found.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda e: found.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield found


def check(page: Any, name: str) -> None:
    """Check the page at phone and desktop widths: axe, no overflow; save screenshots."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        # Chart.js resizes its canvases on the next frames; give it a moment before measuring.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(FITS, timeout=2_000)
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        screenshot(page, f"my-{name}-{size['width']}")
    assert page.locator("h1").count() == 1


def test_patient_signs_in_logs_a_session_and_sees_progress(
    page: Any, program: ExerciseProgram, errors: list[str]
) -> None:
    patient: User = program.patient

    # Signing in with a password from /my/ comes back to /my/.
    page.goto("/my/")
    page.wait_for_url("**/accounts/sign-in/?next=/my/")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/my/")

    assert page.get_by_role("heading", level=1).inner_text() == "Your exercise program"
    assert page.get_by_role("link", name="My program").get_attribute("aria-current") == "page"
    assert page.get_by_text("2 of 7").is_visible()
    assert page.get_by_role("button", name="Print").is_visible()  # shown by my.js
    assert page.get_by_role("link", name="Download handout (PDF)").is_visible()
    page.wait_for_function("() => window.Chart && window.Chart.getChart('chart-pain')")
    check(page, "home")

    # An empty log is refused with an error summary that takes the focus.
    page.get_by_role("link", name="Log a session").click()
    page.wait_for_url("**/my/log/")
    check(page, "log")
    page.get_by_role("button", name="Save log").click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
    assert page.get_by_text("Choose a number from 0 to 10.").first.is_visible()
    check(page, "log-errors")

    # A whole session with its pain.
    page.get_by_role("radio", name="I did all of it").check()
    pain_now = page.get_by_role("group", name=re.compile("How bad is your pain now"))
    pain_now.get_by_role("radio", name="4", exact=True).check()
    pain_during = page.get_by_role("group", name=re.compile("during the exercises"))
    pain_during.get_by_role("radio", name="3", exact=True).check()
    page.get_by_label(re.compile("Anything to tell your therapist")).fill("Easier today.")
    page.get_by_role("button", name="Save log").click()

    page.wait_for_url("**/my/")
    assert page.get_by_text("Your session is logged.").is_visible()
    assert page.get_by_text("3 of 7").is_visible()
    assert re.search(r"3\s+days in a row", page.locator(".my-stats").inner_text())
    page.wait_for_function(
        "() => { const c = window.Chart && window.Chart.getChart('chart-pain');"
        " return c && c.data.datasets[0].data.length === 3; }"
    )
    drawn = page.evaluate(
        "() => { const c = document.getElementById('chart-adherence');"
        " return c.width > 0 && c.height > 0 && !!window.Chart.getChart(c); }"
    )
    assert drawn
    # Printed, the page keeps the program and drops the site's chrome, forms and canvases.
    page.emulate_media(media="print")
    assert page.locator(".my-exercise").first.is_visible()
    assert page.locator("#chart-pain-table-summary").is_hidden()
    for hidden in (".site-header", ".site-footer", ".my-links", "canvas", ".my-week .actions"):
        assert page.locator(hidden).first.is_hidden(), hidden
    page.emulate_media(media="screen")

    session = SessionLog.objects.get(program=program, on=program_today(program))
    assert (session.completion, session.pain_during, session.note) == ("done", 3, "Easier today.")

    # The pain-only page and the reminders page pass the same checks.
    page.goto("/my/pain/")
    check(page, "pain")
    page.goto("/my/reminders/")
    check(page, "reminders")
    page.goto("/my/check-in/")
    check(page, "check-in")

    assert errors == []
