"""The exercise library: exercises with plain-language steps, a default dose and precautions.

Home exercise programs (``programs.py``) prescribe these exercises, each with its own dose.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse

from stride.content.models import Condition
from stride.core.models import TimeStampedModel

from ..validators import validate_exercise_illustration

# CLINICAL.md §3: every exercise carries this precaution, shown on top of its own.
STANDARD_PRECAUTION = "Stop and contact your therapist if this causes sharp or increasing pain."


class BodyRegion(models.Model):
    """A part of the body an exercise works or stretches (e.g. "Lower back")."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    """Something an exercise needs at home (a mat, a chair, a wall) or "No equipment"."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "equipment"

    def __str__(self) -> str:
        return self.name


class ExerciseCategory(models.TextChoices):
    STRETCHING = "stretching", "Stretching"
    MOBILITY = "mobility", "Mobility"
    STRENGTHENING = "strengthening", "Strengthening"
    MOTOR_CONTROL = "motor_control", "Motor control"
    AEROBIC = "aerobic", "Low-impact aerobic"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _times_a_day(number: int) -> str:
    return {1: "once a day", 2: "twice a day"}.get(number, f"{number} times a day")


@dataclass(frozen=True)
class Dose:
    """How much of an exercise to do; every part is optional and None when not given."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    times_per_day: int | None = None
    days_per_week: int | None = None
    per_side: bool = False

    def in_words(self) -> str:
        """Return the dose in plain words, e.g. "2 sets of 10 reps, hold 5 seconds, twice a day"."""
        parts: list[str] = []
        if self.reps:
            reps = _count(self.reps, "rep")
            parts.append(f"{_count(self.sets, 'set')} of {reps}" if self.sets else reps)
        elif self.sets:
            parts.append(_count(self.sets, "set"))
        if self.hold_seconds:
            parts.append(f"hold {_count(self.hold_seconds, 'second')}")
        if self.minutes:
            parts.append(_count(self.minutes, "minute"))
        if self.per_side and parts:
            parts[0] += " on each side"
        if self.times_per_day:
            parts.append(_times_a_day(self.times_per_day))
        if self.days_per_week == 7:
            # "Twice a day" already says "every day".
            if not self.times_per_day:
                parts.append("every day")
        elif self.days_per_week == 1:
            parts.append("once a week")
        elif self.days_per_week:
            parts.append(f"{self.days_per_week} days a week")
        return ", ".join(parts)


def _positive_or_null(field: str) -> models.Q:
    return models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 1})


DOSE_FIELDS = ("sets", "reps", "hold_seconds", "minutes", "times_per_day", "days_per_week")


def dose_constraints(prefix: str) -> list[models.BaseConstraint]:
    """Return the checks every stored dose obeys, named ``<prefix>_<rule>``."""
    return [
        *(
            models.CheckConstraint(
                condition=_positive_or_null(field),
                name=f"{prefix}_{field}_positive",
                violation_error_message=f"The {field.replace('_', ' ')} must be at least 1.",
            )
            for field in DOSE_FIELDS
        ),
        models.CheckConstraint(
            condition=models.Q(days_per_week__isnull=True) | models.Q(days_per_week__lte=7),
            name=f"{prefix}_days_per_week_max_7",
            violation_error_message="A week has seven days.",
        ),
        models.CheckConstraint(
            condition=models.Q(reps__isnull=False)
            | models.Q(hold_seconds__isnull=False)
            | models.Q(minutes__isnull=False),
            name=f"{prefix}_dose_has_amount",
            violation_error_message="Give the repetitions, a hold time or the minutes.",
        ),
    ]


def _dose_field(verbose_name: str, maximum: int, help_text: str = "") -> models.Field:
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
        help_text=help_text,
    )


class Exercise(TimeStampedModel):
    """One exercise of the library, with its numbered steps (``ExerciseStep``) and default dose.

    Public when ``is_published``. The dose is what a therapist would typically start with;
    programs may prescribe another.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    category = models.CharField(max_length=20, choices=ExerciseCategory.choices)
    regions = models.ManyToManyField(BodyRegion, blank=True, related_name="exercises")
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="exercises")
    summary = models.CharField(max_length=300, help_text="One sentence for cards and lists.")

    sets = _dose_field("sets", 10)
    reps = _dose_field("repetitions", 100)
    hold_seconds = _dose_field("hold (seconds)", 300)
    minutes = _dose_field("minutes", 180)
    times_per_day = _dose_field("times a day", 10)
    days_per_week = _dose_field("days a week", 7)
    per_side = models.BooleanField(
        default=False, help_text="The repetitions or hold are done on each side."
    )
    dose_note = models.CharField(
        max_length=300, blank=True, help_text='Shown after the dose, e.g. "Build up to 30 reps."'
    )

    cues = models.TextField(blank=True, help_text="Tips for doing it well, one per line.")
    precautions = models.TextField(
        blank=True,
        help_text="One per line. The standard precaution about sharp or increasing pain is "
        "always shown as well.",
    )
    illustration = models.ImageField(
        upload_to="exercises/",
        blank=True,
        width_field="illustration_width",
        height_field="illustration_height",
        validators=[validate_exercise_illustration],
        help_text="PNG, JPEG or WebP, up to 5 MB and 4000 × 4000 pixels.",
    )
    illustration_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    illustration_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    illustration_alt = models.CharField(
        "illustration description",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for people who cannot see it.",
    )
    video_url = models.URLField(
        "video link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="An https:// address; shown as a link (videos are never embedded).",
    )
    conditions = models.ManyToManyField(Condition, blank=True, related_name="exercises")
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_published", "category"], name="programs_exercise_public_idx")
        ]
        constraints = [
            *dose_constraints("programs_exercise"),
            models.CheckConstraint(
                condition=models.Q(video_url="") | models.Q(video_url__startswith="https://"),
                name="programs_exercise_video_https",
                violation_error_message="The video link must start with https://.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.illustration and not self.illustration_alt.strip():
            raise ValidationError(
                {"illustration_alt": "Describe the illustration for people who cannot see it."}
            )

    def get_absolute_url(self) -> str:
        return reverse("programs:exercise_detail", kwargs={"slug": self.slug})

    @property
    def dose(self) -> Dose:
        return Dose(
            sets=self.sets,
            reps=self.reps,
            hold_seconds=self.hold_seconds,
            minutes=self.minutes,
            times_per_day=self.times_per_day,
            days_per_week=self.days_per_week,
            per_side=self.per_side,
        )

    @property
    def dose_display(self) -> str:
        """Return the default dose in plain words (the note not included)."""
        return self.dose.in_words()

    @property
    def cue_list(self) -> list[str]:
        return _lines(self.cues)

    @property
    def precaution_list(self) -> list[str]:
        """Return the standard precaution first, then the exercise's own ones."""
        own = [line for line in _lines(self.precautions) if line != STANDARD_PRECAUTION]
        return [STANDARD_PRECAUTION, *own]


def _lines(text: str) -> list[str]:
    return [line.strip().removeprefix("- ").strip() for line in text.splitlines() if line.strip()]


class ExerciseStep(models.Model):
    """One numbered instruction of an exercise, in plain words."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    text = models.TextField()

    class Meta:
        ordering = ["exercise", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "number"], name="programs_exercisestep_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="programs_exercisestep_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} step {self.number}"
