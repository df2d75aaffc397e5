"""Cache invalidation: the exercise library is public content (its pages, article embeds)."""

from stride.core.generations import CONTENT, generation_bump_on_change

from .models import BodyRegion, Equipment, Exercise, ExerciseStep


def connect() -> None:
    """Connect the receivers (from ``ProgramsConfig.ready()``)."""
    generation_bump_on_change(
        CONTENT,
        models=[Exercise, ExerciseStep, BodyRegion, Equipment],
        relations=[
            Exercise.regions.through,
            Exercise.equipment.through,
            Exercise.conditions.through,
        ],
    )
