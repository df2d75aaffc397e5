"""Public pages of the exercise library, and the exercise cards articles can embed."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from . import selectors
from .models import Exercise, ExerciseCategory

# A paragraph holding only "[[exercise:<slug>]]", as render_markdown outputs it.
EMBED_RE = re.compile(r"<p>\s*\[\[exercise:([-a-zA-Z0-9_]{1,120})\]\]\s*</p>\n?")
_HEADING_RE = re.compile(r"<h([1-6])[\s>]")


@require_safe
def exercise_list(request: HttpRequest) -> HttpResponse:
    """List published exercises, optionally of one category (``?category=``) and region
    (``?region=<slug>``); unknown values give an empty list and a message."""
    category = request.GET.get("category", "").strip()
    region_slug = request.GET.get("region", "").strip()
    regions = list(selectors.region_list_in_use())
    region = next((r for r in regions if r.slug == region_slug), None)
    category_known = category in ExerciseCategory.values
    unknown_category = bool(category) and not category_known
    unknown_region = bool(region_slug) and region is None
    exercises = (
        []
        if unknown_category or unknown_region
        else list(selectors.exercise_list_public(category=category, region_slug=region_slug))
    )
    return render(
        request,
        "programs/exercise_list.html",
        {
            "exercises": exercises,
            "categories": ExerciseCategory.choices,
            "regions": regions,
            "category": category,
            "category_label": ExerciseCategory(category).label if category_known else "",
            "region": region,
            "region_slug": region_slug,
            "unknown_category": unknown_category,
            "unknown_region": unknown_region,
            "filtered": bool(category or region_slug),
        },
    )


@require_safe
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one published exercise; unpublished and unknown ones are not found."""
    try:
        exercise = selectors.exercise_get_public(slug=slug)
    except Exercise.DoesNotExist:
        raise Http404("No such exercise.") from None
    return render(request, "programs/exercise_detail.html", {"exercise": exercise})


def exercise_embeds_expand(html: str) -> SafeString:
    """Replace each ``<p>[[exercise:<slug>]]</p>`` of sanitised ``html`` with the exercise's card.

    For article bodies rendered by ``stride.content.markdown.render_markdown``. The card's
    heading sits one level below the heading before it. Unknown or unpublished exercises
    are dropped. Two queries when ``html`` embeds any exercise, none otherwise.
    """
    slugs = EMBED_RE.findall(html)
    if not slugs:
        # nosemgrep: stride-mark-safe -- render_markdown's output (content.views), unchanged
        return mark_safe(html)  # noqa: S308 (the caller passes sanitised HTML)
    exercises = {e.slug: e for e in selectors.exercise_list_for_embed(slugs)}

    def card(match: re.Match[str]) -> str:
        exercise = exercises.get(match.group(1))
        if exercise is None:
            return ""
        headings = _HEADING_RE.findall(html, 0, match.start())
        level = min(int(headings[-1]) + 1, 6) if headings else 2
        return render_to_string(
            "programs/_exercise_card.html",
            {"exercise": exercise, "heading_level": level, "embedded": True},
        )

    # nosemgrep: stride-mark-safe -- render_markdown's output with autoescaped cards put in
    return mark_safe(EMBED_RE.sub(card, html))  # noqa: S308 (sanitised HTML + escaped template)
