"""Checks the bench runs on its databases after a load test (and the seed's tests run too)."""

from __future__ import annotations

from django.db.models import F, Window
from django.db.models.functions import Lag

from stride.scheduling.models import ACTIVE_STATUSES, Appointment


def appointment_overlap_count() -> int:
    """Return how many active appointments start before the previous one of their therapist ends.

    Zero means no double booking. Comparing each visit with the one before it (by start) is
    enough: if any two of a therapist's visits overlap, some two consecutive ones do. One scan
    with a window function, where a pairwise join would compare every visit with every other.
    """
    previous_end = Window(
        Lag("end"), partition_by=[F("therapist_id")], order_by=[F("start").asc(), F("pk").asc()]
    )
    return (
        Appointment.objects.filter(status__in=ACTIVE_STATUSES)
        .annotate(previous_end=previous_end)
        .filter(previous_end__gt=F("start"))
        .count()
    )
