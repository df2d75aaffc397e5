"""Content pages in Chromium: WCAG 2.2 AA (axe-core) and no sideways scrolling at 375 px."""

import pytest
from django.core.cache import cache

from stride.content import demo
from stride.core.tests.browser import assert_accessible, assert_no_horizontal_overflow
from stride.scheduling import demo as scheduling_demo

from .factories import ArticleFactory, FaqFactory

pytestmark = pytest.mark.browser

HOSTILE_BODY = (
    "## A heading with a verylongwordthatkeepsgoing"
    + "x" * 120
    + "\n\nSee https://example.org/"
    + "a/" * 80
    + "\n\n"
    "| Exercise | Sets | Reps | Hold | Rest | Notes about the exercise |\n"
    "|---|---|---|---|---|---|\n"
    "| Bird-dog with a long descriptive name | 3 | 10 | 5 s | 30 s | "
    + "keep your back flat "
    * 6
    + "|\n\n"
    "```\n" + "code_" * 60 + "\n```\n"
)


@pytest.fixture
def demo_site(transactional_db):
    pytest.importorskip("stride.content.demo_data")
    scheduling_demo.load()
    demo.load()
    ArticleFactory(slug="wide-content", title="Wide content", body=HOSTILE_BODY)
    FaqFactory(question="A question with a link?", answer="See [our page](/book/).")
    cache.clear()


PATHS = [
    "/",
    "/articles/",
    "/articles/?condition=low-back-pain",
    "/articles/exercises-for-back-pain-relief/",
    "/articles/wide-content/",
    "/faq/",
    "/resources/",
    "/search/",
    "/search/?q=back+pain",
    "/search/?q=" + "a" * 300,
    "/articles/no-such-article/",
]


@pytest.mark.parametrize("path", PATHS)
def test_content_pages_are_accessible_and_fit_a_phone(page, demo_site, path):
    page.goto(path)
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
