"""factory_boy factories for the exercise library (conditions: stride.content.tests.factories)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from stride.programs.models import (
    BodyRegion,
    Equipment,
    Exercise,
    ExerciseCategory,
    ExerciseProgram,
    ExerciseStep,
)


class BodyRegionFactory(DjangoModelFactory[BodyRegion]):
    class Meta:
        model = BodyRegion

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class EquipmentFactory(DjangoModelFactory[Equipment]):
    class Meta:
        model = Equipment

    name = factory.Sequence(lambda n: f"Equipment {n}")
    slug = factory.Sequence(lambda n: f"equipment-{n}")


class ExerciseFactory(DjangoModelFactory[Exercise]):
    """A published stretching exercise: 10 reps, hold 5 seconds, with two steps."""

    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Exercise {n:03d}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    category = ExerciseCategory.STRETCHING
    summary = "A gentle exercise."
    reps = 10
    hold_seconds = 5
    cues = "Move slowly.\nBreathe normally."
    precautions = ""
    is_published = True

    @factory.post_generation
    def regions(exercise: Exercise, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            exercise.regions.set(extracted)

    @factory.post_generation
    def equipment(exercise: Exercise, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            exercise.equipment.set(extracted)

    @factory.post_generation
    def conditions(exercise: Exercise, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            exercise.conditions.set(extracted)

    @factory.post_generation
    def steps(exercise: Exercise, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        texts = ["Lie on your back.", "Move gently."] if extracted is None else extracted
        for number, text in enumerate(texts, start=1):
            ExerciseStep.objects.create(exercise=exercise, number=number, text=text)


def program_prescribe(
    *,
    patient: Any = None,
    therapist: Any = None,
    exercises: int = 3,
    start: dt.date | None = None,
    sessions_per_week: int = 7,
    title: str = "Low back pain — early phase",
) -> ExerciseProgram:
    """Prescribe a program through the service (no invitation email), starting 14 days ago."""
    from stride.programs.services.programs import ItemInput, Prescription, program_create
    from stride.scheduling.tests.factories import TherapistFactory, UserFactory

    patient = patient or UserFactory()
    therapist = therapist or TherapistFactory()
    start = start or timezone.localdate(timezone=therapist.location.tzinfo) - dt.timedelta(days=14)
    items = [ItemInput.from_default(ExerciseFactory.create()) for _ in range(exercises)]
    return program_create(
        patient=patient,
        therapist=therapist,
        title=title,
        prescription=Prescription(
            start_date=start,
            review_date=start + dt.timedelta(weeks=4),
            sessions_per_week=sessions_per_week,
            items=items,
        ),
        created_by=therapist.user,
        invite=False,
    )
