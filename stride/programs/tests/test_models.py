import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from stride.programs.models import STANDARD_PRECAUTION, Dose, Exercise, ExerciseStep

from .factories import ExerciseFactory


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        (
            Dose(sets=2, reps=10, hold_seconds=5, times_per_day=2),
            "2 sets of 10 reps, hold 5 seconds, twice a day",
        ),
        (Dose(reps=10), "10 reps"),
        (Dose(reps=1, sets=1), "1 set of 1 rep"),
        (Dose(hold_seconds=30), "hold 30 seconds"),
        (Dose(hold_seconds=1), "hold 1 second"),
        (Dose(hold_seconds=30, per_side=True), "hold 30 seconds on each side"),
        (Dose(reps=10, hold_seconds=5, per_side=True), "10 reps on each side, hold 5 seconds"),
        (Dose(sets=2, reps=8, per_side=True), "2 sets of 8 reps on each side"),
        (Dose(reps=5, times_per_day=3), "5 reps, 3 times a day"),
        (Dose(reps=5, times_per_day=1), "5 reps, once a day"),
        (Dose(minutes=30, days_per_week=5), "30 minutes, 5 days a week"),
        (Dose(minutes=1, days_per_week=1), "1 minute, once a week"),
        (Dose(minutes=20, days_per_week=7), "20 minutes, every day"),
        (Dose(reps=10, times_per_day=2, days_per_week=7), "10 reps, twice a day"),
        (Dose(reps=10, times_per_day=2, days_per_week=3), "10 reps, twice a day, 3 days a week"),
        (Dose(sets=2, hold_seconds=30), "2 sets, hold 30 seconds"),
        (
            Dose(sets=2, reps=4, hold_seconds=30, days_per_week=7),
            "2 sets of 4 reps, hold 30 seconds, every day",
        ),
        (Dose(), ""),
    ],
)
def test_dose_in_plain_words(dose, words):
    assert dose.in_words() == words


def test_exercise_dose_display_uses_its_dose_fields():
    exercise = Exercise(sets=2, reps=10, hold_seconds=5, times_per_day=2)
    assert exercise.dose_display == "2 sets of 10 reps, hold 5 seconds, twice a day"


def test_standard_precaution_always_comes_first_and_only_once():
    exercise = Exercise(precautions=f"- Mind your knees.\n\n{STANDARD_PRECAUTION}\nKeep warm.\n")
    assert exercise.precaution_list == [STANDARD_PRECAUTION, "Mind your knees.", "Keep warm."]
    assert Exercise(precautions="").precaution_list == [STANDARD_PRECAUTION]


def test_cues_are_one_per_line():
    assert Exercise(cues=" Move slowly. \n\n- Breathe.\n").cue_list == ["Move slowly.", "Breathe."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"reps": None, "hold_seconds": None, "minutes": None},
        {"sets": 0},
        {"reps": 0},
        {"hold_seconds": 0, "reps": None},
        {"minutes": 0},
        {"times_per_day": 0},
        {"days_per_week": 0},
        {"days_per_week": 8},
        {"video_url": "http://example.org/video"},
        {"video_url": "javascript:alert(1)"},
    ],
)
def test_database_refuses_impossible_doses_and_insecure_videos(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseFactory(**fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{"reps": None, "hold_seconds": None, "minutes": 20}, {"reps": None}, {"hold_seconds": None}],
)
def test_any_one_amount_is_enough(fields):
    assert ExerciseFactory(**fields).pk


@pytest.mark.django_db
def test_full_clean_explains_what_is_wrong():
    exercise = ExerciseFactory.build(reps=None, hold_seconds=None, minutes=None, sets=0)
    with pytest.raises(ValidationError) as info:
        exercise.full_clean(exclude=["regions", "equipment", "conditions"])
    errors = info.value.message_dict
    assert "sets" in errors
    assert errors["__all__"] == ["Give the repetitions, a hold time or the minutes."]

    exercise = ExerciseFactory.build(video_url="http://example.org/v")
    with pytest.raises(ValidationError) as info:
        exercise.full_clean(exclude=["regions", "equipment", "conditions"])
    assert "video_url" in info.value.message_dict


@pytest.mark.django_db
def test_step_numbers_are_unique_per_exercise():
    exercise = ExerciseFactory(steps=["One."])
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseStep.objects.create(exercise=exercise, number=1, text="Again.")
    ExerciseStep.objects.create(exercise=ExerciseFactory(steps=[]), number=1, text="Elsewhere.")


def test_absolute_url():
    assert Exercise(slug="glute-bridge").get_absolute_url() == "/exercises/glute-bridge/"


amounts = st.one_of(st.none(), st.integers(min_value=1, max_value=300))


@given(
    sets=amounts,
    reps=amounts,
    hold_seconds=amounts,
    minutes=amounts,
    times_per_day=amounts,
    days_per_week=st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
    per_side=st.booleans(),
)
def test_dose_words_mention_every_amount_given(
    sets, reps, hold_seconds, minutes, times_per_day, days_per_week, per_side
):
    dose = Dose(sets, reps, hold_seconds, minutes, times_per_day, days_per_week, per_side)
    words = dose.in_words()
    numbers = [int(n) for n in re.findall(r"\d+", words)]
    for amount in (sets, reps, hold_seconds, minutes):
        if amount:
            assert amount in numbers
    if reps or hold_seconds or minutes:
        assert words
        assert (" on each side" in words) == per_side
    assert "  " not in words and not words.startswith(",") and not words.endswith(",")
