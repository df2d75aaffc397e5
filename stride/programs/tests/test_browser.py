"""The exercise library in Chromium: WCAG 2.2 AA (axe-core), no sideways scrolling, no JS needed."""

import pytest
from django.core.cache import cache

from stride.core.tests.browser import assert_accessible, assert_no_horizontal_overflow, screenshot
from stride.programs import demo
from stride.programs.models import STANDARD_PRECAUTION

pytestmark = pytest.mark.browser

PAGES = {
    "exercises": "/exercises/",
    "exercises-filtered": "/exercises/?category=stretching&region=lower-back",
    "exercises-unknown": "/exercises/?category=yoga",
    "exercise": "/exercises/glute-bridge/",
    "exercise-long": "/exercises/swimming-water-exercise/",
}


@pytest.fixture
def library(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    cache.clear()


@pytest.mark.parametrize("name", list(PAGES))
def test_exercise_pages_pass_axe_and_fit_phone_and_desktop(page, library, name):
    for width, height in ((375, 812), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(PAGES[name])
        assert response is not None and response.status == 200
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        screenshot(page, f"{name}-{width}")


def test_filter_form_works_without_javascript(browser, live_server, library):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/exercises/")
        page.get_by_label("Type of exercise", exact=True).select_option("strengthening")
        page.get_by_label("Body area", exact=True).select_option(label="Lower back")
        page.get_by_role("button", name="Show exercises").click()
        page.wait_for_url("**/exercises/?category=strengthening&region=lower-back")
        cards = page.locator(".exercise-card h2")
        assert cards.all_inner_texts() == ["Glute bridge"]
        page.get_by_role("link", name="Glute bridge").click()
        page.wait_for_url("**/exercises/glute-bridge/")
        assert page.get_by_role("heading", level=1).inner_text() == "Glute bridge"
        assert page.get_by_text(STANDARD_PRECAUTION).is_visible()
    finally:
        context.close()
