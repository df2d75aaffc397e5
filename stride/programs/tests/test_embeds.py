"""Exercise cards embedded in articles with a ``[[exercise:<slug>]]`` paragraph."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stride.content.markdown import render_markdown
from stride.programs.selectors import EMBED_LIMIT, exercise_list_for_embed
from stride.programs.views import exercise_embeds_expand

from .factories import BodyRegionFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercises():
    back = BodyRegionFactory(name="Lower back", slug="lower-back")
    return [
        ExerciseFactory(name="Glute bridge", slug="glute-bridge", regions=[back]),
        ExerciseFactory(name="Bird-dog", slug="bird-dog"),
        ExerciseFactory(name="Hidden", slug="hidden", is_published=False),
    ]


def test_embed_selector_keeps_the_order_given_and_drops_what_is_not_public(
    exercises, django_assert_num_queries
):
    with django_assert_num_queries(2):
        found = exercise_list_for_embed(
            ["bird-dog", "hidden", "missing", "<bad slug>", "glute-bridge", "bird-dog"]
        )
    assert [e.slug for e in found] == ["bird-dog", "glute-bridge"]
    assert [r.name for r in found[1].regions.all()] == ["Lower back"]


def test_embed_selector_without_slugs_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert exercise_list_for_embed([]) == []
        assert exercise_list_for_embed(["<not a slug>"]) == []


def test_embed_selector_is_capped():
    for n in range(EMBED_LIMIT + 2):
        ExerciseFactory(slug=f"e{n}", steps=[])
    assert len(exercise_list_for_embed(f"e{n}" for n in range(EMBED_LIMIT + 2))) == EMBED_LIMIT


def test_markdown_directive_becomes_an_exercise_card(exercises):
    body = (
        "## Strength\n\nTry this:\n\n[[exercise:glute-bridge]]\n\n"
        "### Balance\n\n[[exercise:bird-dog]]\n\n[[exercise:hidden]]\n\n"
        "Inline [[exercise:bird-dog]] stays text.\n"
    )
    html = exercise_embeds_expand(render_markdown(body).html)

    assert "[[exercise:glute-bridge]]" not in html
    assert (
        '<h3 class="card-title"><a href="/exercises/glute-bridge/">Exercise: Glute bridge' in html
    )
    assert '<h4 class="card-title"><a href="/exercises/bird-dog/">Exercise: Bird-dog' in html
    assert "10 reps, hold 5 seconds" in html
    assert "<li>Lower back</li>" in html
    assert "sharp or increasing pain" in html
    assert "Hidden" not in html and "[[exercise:hidden]]" not in html
    assert "<p>Inline [[exercise:bird-dog]] stays text.</p>" in html


def test_html_without_directives_is_returned_untouched_without_queries():
    html = render_markdown("## Heading\n\nText with [[brackets]].").html
    with CaptureQueriesContext(connection) as queries:
        assert exercise_embeds_expand(html) == html
    assert len(queries) == 0


def test_embedded_card_escapes_exercise_text():
    ExerciseFactory(slug="hostile", name="<script>alert(1)</script>", summary="<b>x</b>")
    html = exercise_embeds_expand(render_markdown("[[exercise:hostile]]").html)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
