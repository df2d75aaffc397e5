"""Shared model bases, the database-backed rate-limit counter and cache generations."""

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


# Error text kept on an outgoing email: the exception's class name, never its message (an SMTP
# refusal can echo the recipient's address).
EMAIL_ERROR_MAX_LENGTH = 100


class OutgoingEmail(models.Model):
    """One email in the outbox: saved before any attempt, sent now or retried with backoff.

    ``stride.core.outbox`` writes, claims, sends and cleans these rows. ``secret`` marks an
    email that carries a working link (sign-in, password reset, a booking's manage link): its
    content is erased as soon as it stops being pending (sent, expired or given up), so the
    stored copy is readable only while it can still be delivered. Sent and expired rows are
    deleted after ``STRIDE_EMAIL_RETENTION_DAYS``; failed ones stay for staff to see.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"
        EXPIRED = "expired", "Expired (not sent)"

    kind = models.CharField(max_length=50, help_text='What it is, e.g. "appointment.booked".')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # [{"content": str, "mimetype": str}], e.g. the HTML version.
    alternatives = models.JSONField(default=list, blank=True)
    # [{"filename": str, "mimetype": str, "content": str, "base64": bool}]
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    secret = models.BooleanField(
        default=False,
        help_text="Carries a working link: the content is erased once sent, expired or given up.",
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Never sent after this moment (the link has expired)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=EMAIL_ERROR_MAX_LENGTH, blank=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was sent, expired or given up."
    )
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due"),
            models.Index(fields=["status", "finished_at"], name="outgoing_email_finished"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed", "expired"]),
                name="outgoing_email_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(finished_at__isnull=False),
                name="outgoing_email_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class CacheGeneration(models.Model):
    """A counter that goes up whenever data behind one kind of cached answer changes.

    Cached answers record the generation they were computed at and are used only while it is
    current (``stride.core.generations``). It lives in the database, which every app server
    shares with or without Redis, and is bumped in the transaction that changes the data.
    """

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
