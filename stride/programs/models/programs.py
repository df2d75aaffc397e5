"""Home exercise programs: what a therapist prescribes to one patient, version by version.

A program's prescription is never edited in place. Each change makes a new ``ProgramVersion``
with its own items, so the history shows what was prescribed when, and each session log points
at the version the patient followed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from stride.core.models import TimeStampedModel

from .library import DOSE_FIELDS, Dose, Exercise, _dose_field, dose_constraints

MAX_SESSIONS_PER_WEEK = 14
MAX_ITEMS = 12


class PrescribedDose(models.Model):
    """One exercise at a place in a list, with the dose and notes the therapist chose."""

    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    sets = _dose_field("sets", 10)
    reps = _dose_field("repetitions", 100)
    hold_seconds = _dose_field("hold (seconds)", 300)
    minutes = _dose_field("minutes", 180)
    times_per_day = _dose_field("times a day", 10)
    days_per_week = _dose_field("days a week", 7)
    per_side = models.BooleanField(default=False)
    notes = models.CharField(
        max_length=500, blank=True, help_text="The therapist's words to the patient."
    )

    class Meta:
        abstract = True

    @property
    def dose(self) -> Dose:
        return Dose(
            **{field: getattr(self, field) for field in DOSE_FIELDS}, per_side=self.per_side
        )

    @property
    def dose_display(self) -> str:
        return self.dose.in_words()

    def dose_values(self) -> dict[str, Any]:
        """Return the dose as keyword arguments for another ``PrescribedDose``."""
        return {
            **{field: getattr(self, field) for field in DOSE_FIELDS},
            "per_side": self.per_side,
        }


class ProgramTemplate(TimeStampedModel):
    """A ready-made list of exercises a therapist starts from, e.g. "Low back pain — early phase"."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    sessions_per_week = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS_PER_WEEK)]
    )
    review_after_weeks = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgramTemplateItem(PrescribedDose):
    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="template_items")

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="programs_templateitem_unique_position"
            ),
            *dose_constraints("programs_templateitem"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} #{self.position}"


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    # CLINICAL.md §5 → §1: an emergency red flag suspends the program until the therapist resumes.
    SUSPENDED = "suspended", "Paused"
    ENDED = "ended", "Ended"


OPEN_STATUSES = (ProgramStatus.ACTIVE, ProgramStatus.SUSPENDED)


class ExerciseProgram(TimeStampedModel):
    """A patient's home exercise program from one therapist; its items live in its versions.

    A patient has at most one open (active or paused) program at a time: ``/my/`` and
    ``GET /api/v1/me/program`` show that one. ``start_date``, ``review_date`` and
    ``sessions_per_week`` mirror the newest version for cheap listing.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exercise_programs"
    )
    therapist = models.ForeignKey(
        "scheduling.Therapist", on_delete=models.PROTECT, related_name="programs"
    )
    title = models.CharField(max_length=120)
    status = models.CharField(
        max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    template = models.ForeignKey(
        ProgramTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="programs"
    )
    start_date = models.DateField()
    review_date = models.DateField()
    sessions_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS_PER_WEEK)],
        help_text="Sessions the patient should log each week; adherence is measured against it.",
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    reminder_time = models.TimeField(
        null=True,
        blank=True,
        help_text="The patient's local time for a daily exercise reminder email; empty for none.",
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["therapist", "status"], name="program_therapist_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="programs_one_open_program_per_patient",
                violation_error_message="This patient already has an open program.",
            ),
            models.CheckConstraint(
                condition=models.Q(review_date__gte=models.F("start_date")),
                name="programs_program_review_after_start",
                violation_error_message="The review date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_per_week__gte=1)
                & models.Q(sessions_per_week__lte=MAX_SESSIONS_PER_WEEK),
                name="programs_program_sessions_per_week_range",
                violation_error_message="Sessions a week must be between 1 and 14.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.review_date and self.start_date and self.review_date < self.start_date:
            raise ValidationError({"review_date": "The review date cannot be before the start."})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ProgramVersion(models.Model):
    """What the program prescribed from ``created_at`` until the next version."""

    program = models.ForeignKey(ExerciseProgram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    change_note = models.CharField(max_length=500, blank=True)
    start_date = models.DateField()
    review_date = models.DateField()
    sessions_per_week = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number"], name="programs_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id} v{self.number}"


class ProgramItem(PrescribedDose):
    """One exercise of one program version."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="program_items")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="programs_item_unique_position"
            ),
            *dose_constraints("programs_item"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} #{self.position}"
