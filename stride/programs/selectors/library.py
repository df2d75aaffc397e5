"""Reads of the exercise library; every page's queries are fixed in number, whatever the data."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from ..models import BodyRegion, Exercise, ExerciseCategory, ExerciseStep

_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")
EMBED_LIMIT = 20


def _is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value or ""))


def exercise_queryset_public() -> QuerySet[Exercise]:
    """Return published exercises by name (no related rows)."""
    return Exercise.objects.filter(is_published=True).order_by("name", "pk")


def _with_cards(queryset: QuerySet[Exercise]) -> QuerySet[Exercise]:
    # What an exercise card shows besides its own columns: the body regions.
    return queryset.prefetch_related("regions")


def exercise_list_public(
    *, category: str | None = None, region_slug: str | None = None
) -> QuerySet[Exercise]:
    """Return published exercises for the library, optionally of one category and one region.

    An unknown or malformed category or region gives an empty list, never an error.
    """
    queryset = _with_cards(exercise_queryset_public())
    if category:
        if category not in ExerciseCategory.values:
            return queryset.none()
        queryset = queryset.filter(category=category)
    if region_slug:
        if not _is_slug(region_slug):
            return queryset.none()
        queryset = queryset.filter(regions__slug=region_slug)
    return queryset


def region_list_in_use() -> QuerySet[BodyRegion]:
    """Return the body regions at least one published exercise works on."""
    return BodyRegion.objects.filter(exercises__is_published=True).distinct().order_by("name", "pk")


def exercise_get_public(*, slug: str) -> Exercise:
    """Return the published exercise ``slug`` with its regions, equipment, steps and conditions.

    Raise ``Exercise.DoesNotExist`` alike for a missing, unpublished or malformed slug.
    """
    if not _is_slug(slug):
        raise Exercise.DoesNotExist
    return (
        exercise_queryset_public()
        .prefetch_related(
            "regions",
            "equipment",
            "conditions",
            Prefetch("steps", queryset=ExerciseStep.objects.order_by("number")),
        )
        .get(slug=slug)
    )


def exercise_list_for_embed(slugs: Iterable[str]) -> list[Exercise]:
    """Return the published exercises named by ``slugs``, in that order, for article embeds.

    Unknown, unpublished and malformed slugs are left out; a slug given twice appears once.
    At most ``EMBED_LIMIT`` exercises; two queries however many.
    """
    wanted = list(dict.fromkeys(slug for slug in slugs if _is_slug(slug)))[:EMBED_LIMIT]
    if not wanted:
        return []
    found = {e.slug: e for e in _with_cards(exercise_queryset_public()).filter(slug__in=wanted)}
    return [found[slug] for slug in wanted if slug in found]
