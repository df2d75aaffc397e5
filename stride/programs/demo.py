"""Load the demo exercise library from ``stride.programs.demo_data``; idempotent.

Rows are matched by slug, many-to-many fields are set rather than appended, steps are
numbered in place, and unchanged exercises are not saved again (their ``updated_at`` stays).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from stride.content.models import Condition

from .models import DOSE_FIELDS, BodyRegion, Equipment, Exercise
from .services import exercise_save, exercise_steps_set

logger = logging.getLogger(__name__)

DEMO_DATA_MODULE = "stride.programs.demo_data"


@dataclass(frozen=True)
class LoadResult:
    exercises: int
    regions: int
    equipment: int


def _import_data() -> ModuleType | None:
    try:
        return importlib.import_module(DEMO_DATA_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEMO_DATA_MODULE:
            raise
        logger.warning("%s is missing; no demo exercises loaded.", DEMO_DATA_MODULE)
        return None


def _by_slug(
    model: type[BodyRegion] | type[Equipment], rows: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        row["slug"]: model.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"]}
        )[0]
        for row in rows
    }


def _condition(name: str) -> Condition:
    # Same slug rule as the content demo, so both loaders share one "Low back pain".
    condition, _ = Condition.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return condition


def _exercise_values(row: dict[str, Any]) -> dict[str, Any]:
    dose = row.get("dose", {})
    return {
        "name": row["name"],
        "category": row["category"],
        "summary": row["summary"],
        **{field: dose.get(field) for field in DOSE_FIELDS},
        "per_side": bool(dose.get("per_side", False)),
        "dose_note": row.get("dose_note", ""),
        "cues": "\n".join(row.get("cues", [])),
        "precautions": "\n".join(row.get("precautions", [])),
        "video_url": row.get("video_url", ""),
        "is_published": bool(row.get("is_published", True)),
    }


def _load_exercise(
    row: dict[str, Any], regions: dict[str, BodyRegion], equipment: dict[str, Equipment]
) -> Exercise:
    exercise = Exercise.objects.filter(slug=row["slug"]).first() or Exercise(slug=row["slug"])
    changed = exercise.pk is None
    for name, value in _exercise_values(row).items():
        if getattr(exercise, name) != value:
            setattr(exercise, name, value)
            changed = True
    if changed:
        exercise_save(exercise)
    exercise.regions.set([regions[slug] for slug in row.get("regions", [])])
    exercise.equipment.set([equipment[slug] for slug in row.get("equipment", [])])
    exercise.conditions.set([_condition(name) for name in row.get("conditions", [])])
    exercise_steps_set(exercise=exercise, texts=row.get("steps", []))
    return exercise


@transaction.atomic
def load(data: ModuleType | None = None) -> LoadResult:
    """Create or update the demo exercise library; running it again creates nothing twice.

    ``data`` defaults to ``stride.programs.demo_data``; without it nothing is loaded.
    """
    data = data or _import_data()
    if data is None:
        return LoadResult(exercises=0, regions=0, equipment=0)
    regions = _by_slug(BodyRegion, list(getattr(data, "REGIONS", [])))
    equipment = _by_slug(Equipment, list(getattr(data, "EQUIPMENT", [])))
    rows = list(getattr(data, "EXERCISES", []))
    for row in rows:
        _load_exercise(row, regions, equipment)
    return LoadResult(exercises=len(rows), regions=len(regions), equipment=len(equipment))
