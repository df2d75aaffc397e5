"""Private calendar feeds: issuing and revoking the secret in their URLs, and the patient's reads.

A therapist's feed token lives on the ``Therapist`` row, a patient's in ``PatientCalendarFeed``;
either way only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stride.accounts.models import User
from stride.scheduling.models import (
    Appointment,
    PatientCalendarFeed,
    Therapist,
    manage_token_hash,
)

# How far back a patient's feed reaches; it has no forward limit.
PATIENT_FEED_PAST = dt.timedelta(days=90)


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


# --- The patient's feed ------------------------------------------------------------------------


def patient_calendar_feed_rotate(*, patient: User, now: dt.datetime | None = None) -> str:
    """Issue a new feed token for ``patient`` and return it; any earlier feed URL stops working.

    Creates the patient's feed on first use. Locks: the patient's feed row, through
    ``update_or_create``; when two first calls race, the one-to-one key makes the loser update
    the winner's row, so exactly one of the two tokens works.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        PatientCalendarFeed.objects.update_or_create(
            user=patient,
            defaults={
                "token_hash": calendar_feed_token_hash(token),
                "created_at": now if now is not None else timezone.now(),
            },
        )
    return token


def patient_calendar_feed_revoke(*, patient: User) -> None:
    """Turn the patient's feed off: its URL answers 404 from now on (a no-op when off)."""
    PatientCalendarFeed.objects.filter(user=patient).delete()


def patient_calendar_feed_get(*, patient: User) -> PatientCalendarFeed | None:
    """Return the patient's feed, or None while it is off."""
    return PatientCalendarFeed.objects.filter(user=patient).first()


def patient_calendar_feed_get_by_token(*, token: str) -> PatientCalendarFeed:
    """Return the feed whose token is ``token``, with its user.

    Raises ``PatientCalendarFeed.DoesNotExist`` alike for an unknown, revoked or replaced token
    and for a deactivated account's.
    """
    if not token:
        raise PatientCalendarFeed.DoesNotExist
    return PatientCalendarFeed.objects.select_related("user").get(
        token_hash=calendar_feed_token_hash(token), user__is_active=True
    )


def appointment_list_for_patient_feed(
    *, patient: User, now: dt.datetime | None = None
) -> QuerySet[Appointment]:
    """Return the patient's own appointments of any status from 90 days back, with no end.

    Cancelled visits stay in so that subscribed calendars mark them cancelled rather than keep
    a stale event. Loads location, therapist and type, which is all
    ``ics.appointments_to_ical`` needs; never the reason or the screening answers.
    """
    now = now if now is not None else timezone.now()
    return (
        Appointment.objects.filter(patient=patient, start__gte=now - PATIENT_FEED_PAST)
        .select_related("location", "therapist", "appointment_type")
        .defer("reason", "red_flags")
        .order_by("start", "pk")
    )
