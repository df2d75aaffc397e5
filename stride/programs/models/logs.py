"""What the patient records: sessions, pain (NPRS), PSFS check-ins and red-flag symptoms.

Dates (``on``) are the patient's local dates in the clinic's time zone; ``created_at`` is when
the row was saved. Rows are only ever added: a patient corrects a log by logging again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from stride.scheduling.models import RedFlag

from .programs import ExerciseProgram, ProgramItem, ProgramVersion

NPRS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def _score_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | (models.Q(**{f"{field}__gte": 0}) & models.Q(**{f"{field}__lte": 10})),
        name=name,
        violation_error_message="Give a number from 0 to 10.",
    )


class Completion(models.TextChoices):
    """How much of a session was done; values match ``rules.Completion``."""

    DONE = "done", "Done"
    PARTLY = "partly", "Partly done"
    SKIPPED = "skipped", "Skipped"


class SessionLog(models.Model):
    """One exercise session as the patient reports it, against the version they followed."""

    program = models.ForeignKey(ExerciseProgram, on_delete=models.CASCADE, related_name="sessions")
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="sessions")
    on = models.DateField("date")
    completion = models.CharField(max_length=10, choices=Completion.choices)
    pain_during = models.PositiveSmallIntegerField(
        "pain during exercise (0-10)", null=True, blank=True, validators=NPRS_VALIDATORS
    )
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "on", "created_at"]
        indexes = [models.Index(fields=["program", "on"], name="sessionlog_program_on")]
        constraints = [_score_range("pain_during", "programs_sessionlog_pain_during_range")]

    def __str__(self) -> str:
        return f"Session {self.on} ({self.completion})"


class ExerciseLog(models.Model):
    """How one exercise of a session went, when the patient logs exercise by exercise."""

    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="exercises")
    item = models.ForeignKey(ProgramItem, on_delete=models.PROTECT, related_name="logs")
    completion = models.CharField(max_length=10, choices=Completion.choices)

    class Meta:
        ordering = ["session", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="programs_exerciselog_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.completion}"


class PainScore(models.Model):
    """The patient's usual pain now on the NPRS (CLINICAL.md §2), with or without a session."""

    program = models.ForeignKey(ExerciseProgram, on_delete=models.CASCADE, related_name="pains")
    session = models.OneToOneField(
        SessionLog, on_delete=models.CASCADE, null=True, blank=True, related_name="pain"
    )
    on = models.DateField("date")
    nprs = models.PositiveSmallIntegerField("pain now (0-10)", validators=NPRS_VALIDATORS)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "on", "created_at"]
        indexes = [models.Index(fields=["program", "on"], name="painscore_program_on")]
        constraints = [_score_range("nprs", "programs_painscore_nprs_range")]

    def __str__(self) -> str:
        return f"Pain {self.nprs}/10 on {self.on}"


class PsfsActivity(models.Model):
    """One of the 3-5 activities the patient finds hard, rated at each PSFS check-in."""

    program = models.ForeignKey(
        ExerciseProgram, on_delete=models.CASCADE, related_name="psfs_activities"
    )
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["program", "position"]
        verbose_name_plural = "PSFS activities"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "position"], name="programs_psfsactivity_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PsfsCheckin(models.Model):
    """A PSFS check-in (CLINICAL.md §2, Stratford 1995): every activity rated 0-10."""

    program = models.ForeignKey(
        ExerciseProgram, on_delete=models.CASCADE, related_name="psfs_checkins"
    )
    on = models.DateField("date")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "on", "created_at"]

    def __str__(self) -> str:
        return f"PSFS {self.on}"


class PsfsRating(models.Model):
    checkin = models.ForeignKey(PsfsCheckin, on_delete=models.CASCADE, related_name="ratings")
    activity = models.ForeignKey(PsfsActivity, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(validators=NPRS_VALIDATORS)

    class Meta:
        ordering = ["checkin", "activity__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "activity"], name="programs_psfsrating_unique"
            ),
            _score_range("score", "programs_psfsrating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.score}"


class SymptomReport(models.Model):
    """A red-flag symptom the patient reported while on the program (CLINICAL.md §1).

    It counts for the escalation rules until a therapist marks it resolved.
    """

    program = models.ForeignKey(
        ExerciseProgram, on_delete=models.CASCADE, related_name="symptom_reports"
    )
    on = models.DateField("date")
    code = models.CharField(max_length=30, choices=RedFlag.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "on", "created_at"]

    def __str__(self) -> str:
        return f"{self.code} on {self.on}"
