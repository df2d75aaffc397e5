"""A therapist's private calendar feed: issuing and revoking the secret in its URL."""

from __future__ import annotations

import secrets

from django.db import transaction

from stride.scheduling.models import Therapist, manage_token_hash


def calendar_feed_token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a feed token."""
    return manage_token_hash(token)


def calendar_feed_token_rotate(*, therapist: Therapist) -> str:
    """Issue a new feed token for ``therapist`` and return it; any earlier feed URL stops working.

    Only the token's SHA-256 is stored, so the token can be shown once and never re-read: a
    database leak reveals no working feed URL.

    Locks: none needed; one UPDATE of the therapist row.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Therapist.objects.filter(pk=therapist.pk).update(
            calendar_token_hash=calendar_feed_token_hash(token)
        )
    therapist.calendar_token_hash = calendar_feed_token_hash(token)
    return token


def calendar_feed_token_revoke(*, therapist: Therapist) -> None:
    """Turn the therapist's feed off: its URL answers 404 from now on."""
    Therapist.objects.filter(pk=therapist.pk).update(calendar_token_hash=None)
    therapist.calendar_token_hash = None
