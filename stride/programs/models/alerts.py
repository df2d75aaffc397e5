"""What Stride has told patients and therapists: escalation alerts and exercise reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stride.programs import rules

from .programs import ExerciseProgram


def _choices(enum_type: type[rules.AlertKind] | type[rules.Severity]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum_type]


class ProgramAlert(models.Model):
    """One episode of an escalation rule firing for a program, recorded once.

    ``episode_key`` comes from ``rules.evaluate`` and is unique per program, so the same episode
    never alerts twice. ``cleared_at`` is set when the rule stops holding; ``acknowledged_at`` when
    the therapist has dealt with it.
    """

    program = models.ForeignKey(ExerciseProgram, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=_choices(rules.AlertKind))
    severity = models.CharField(max_length=20, choices=_choices(rules.Severity))
    episode_key = models.CharField(max_length=120)
    message_key = models.CharField(max_length=60)
    red_flag = models.CharField(max_length=30, blank=True)
    since = models.DateField()
    flag_therapist = models.BooleanField()
    suggest_booking = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "-created_at"]
        indexes = [models.Index(fields=["program", "cleared_at"], name="alert_program_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "episode_key"], name="programs_alert_unique_episode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} since {self.since}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None and self.acknowledged_at is None

    @property
    def rank(self) -> int:
        """Return 0 for the most pressing severity, higher for less pressing ones."""
        return rules.severity_rank(rules.Severity(self.severity))


class ExerciseReminder(models.Model):
    """The exercise reminder of one program on one local date: the row is the once-a-day claim.

    ``send_exercise_reminders`` inserts the row before sending (the unique key makes a second
    worker fail), then sets ``sent_at``; a claim left without ``sent_at`` by a worker that died
    may be taken over after a while (see services/reminders.py).
    """

    program = models.ForeignKey(
        ExerciseProgram, on_delete=models.CASCADE, related_name="exercise_reminders"
    )
    on = models.DateField()
    claimed_at = models.DateTimeField()
    claim_id = models.UUIDField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "on"], name="programs_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"Reminder {self.on} ({'sent' if self.sent_at else 'claimed'})"
