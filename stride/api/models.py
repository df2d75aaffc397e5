"""Personal API tokens: a patient's app or script signs in to ``/api/v1/me/...`` with one."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models


def api_token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token; the token itself is not kept."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal token sent as ``Authorization: Bearer <token>``; shown once when created.

    Only the token's SHA-256 is stored. A revoked token stays listed (with ``revoked_at``) so
    the admin shows what was used and when. A staff member's token is made only with a current
    code from their authenticator, expires, and stops working when their authenticator goes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text='What it is for, e.g. "Phone app".')
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Staff tokens expire (STRIDE_STAFF_API_TOKEN_DAYS); a patient's token lasts until revoked.
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
