"""Shared model bases and the database-backed rate-limit counter."""

from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base that records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RateLimitCounter(models.Model):
    """Hits of one client on one limited action in one fixed time window.

    Lives in the database so that every app server shares it when Redis is not configured.
    """

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField(help_text="Unix time at which the window opened.")
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratelimit_key_window_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"
