"""Reads of the programs app, each scoped to the caller where the rows are private."""

from .library import (
    EMBED_LIMIT,
    exercise_get_public,
    exercise_list_for_embed,
    exercise_list_public,
    exercise_queryset_public,
    region_list_in_use,
)

__all__ = [
    "EMBED_LIMIT",
    "exercise_get_public",
    "exercise_list_for_embed",
    "exercise_list_public",
    "exercise_queryset_public",
    "region_list_in_use",
]
