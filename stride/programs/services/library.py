"""Writes for the exercise library."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from ..models import Exercise, ExerciseStep


@transaction.atomic
def exercise_save(exercise: Exercise) -> Exercise:
    """Validate and save ``exercise`` (many-to-many fields and steps are the caller's to set)."""
    exercise.full_clean(exclude=["regions", "equipment", "conditions"])
    exercise.save()
    return exercise


@transaction.atomic
def exercise_steps_set(*, exercise: Exercise, texts: Sequence[str]) -> list[ExerciseStep]:
    """Make ``texts`` the exercise's numbered steps, touching only the steps that changed.

    Steps beyond the new count are deleted; blank texts are refused.
    """
    cleaned = [text.strip() for text in texts]
    if any(not text for text in cleaned):
        raise ValueError("A step needs some text.")
    existing = {step.number: step for step in exercise.steps.all()}
    steps: list[ExerciseStep] = []
    for number, text in enumerate(cleaned, start=1):
        step = existing.get(number)
        if step is None:
            step = ExerciseStep.objects.create(exercise=exercise, number=number, text=text)
        elif step.text != text:
            step.text = text
            step.save(update_fields=["text"])
        steps.append(step)
    exercise.steps.filter(number__gt=len(cleaned)).delete()
    return steps
