"""The patient's private calendar feed at ``/calendar/<token>.ics``, fetched by calendar apps.

No session is read: the secret token in the path is the credential. Events name the visit type,
therapist and place, never the reason for the visit or screening answers, because subscribed
calendars sync to third parties and show on lock screens.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from ..ics import appointments_to_ical
from ..models import PatientCalendarFeed
from ..selectors import location_get_primary
from ..services.calendar_feed import (
    appointment_list_for_patient_feed,
    patient_calendar_feed_get_by_token,
)


@require_safe
def patient_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve the patient's appointments as iCalendar; an unknown or revoked token is a 404."""
    try:
        feed = patient_calendar_feed_get_by_token(token=token)
    except PatientCalendarFeed.DoesNotExist:
        raise Http404("No such feed.") from None
    clinic = location_get_primary()
    body = appointments_to_ical(
        appointment_list_for_patient_feed(patient=feed.user),
        name=f"{clinic.name if clinic else 'Physical therapy'} appointments",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
