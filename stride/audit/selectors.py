"""Read the audit log for the clinic admins' page and its CSV export."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list(
    *,
    tz: ZoneInfo,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: str = "",
    actor: str = "",
    patient: str = "",
) -> QuerySet[AuditEvent]:
    """Return events newest first, filtered; dates are whole local days in ``tz``, inclusive.

    ``actor`` and ``patient`` match part of the email recorded with the event (as it was then),
    so events of deleted accounts and failed sign-ins are found too.
    """
    events = AuditEvent.objects.order_by("-at", "-id")
    if date_from is not None:
        events = events.filter(at__gte=dt.datetime.combine(date_from, dt.time(), tzinfo=tz))
    if date_to is not None:
        next_day = date_to + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(next_day, dt.time(), tzinfo=tz))
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_email__icontains=actor.strip())
    if patient:
        events = events.filter(patient_ref__icontains=patient.strip())
    return events
