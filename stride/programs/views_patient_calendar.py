"""The patient's calendar link at /my/calendar/: issue it, see it once, replace or revoke it.

Only the token's hash is stored, so the feed's address is shown once, on the page that follows
the POST that issued it; afterwards the patient can only make a new one, which revokes the old.
Like every /my/ page it is for signed-in patients only, with or without an exercise program.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from stride.accounts.models import User
from stride.scheduling.services import patient_calendar_feed_revoke, patient_calendar_feed_rotate
from stride.scheduling.services.calendar_feed import patient_calendar_feed_get

from .views_patient import patient_page

# The new token waits here between the POST that issues it and the page that shows it once.
FEED_TOKEN_SESSION_KEY = "my:new-feed-token"  # noqa: S105 (a key name, not a secret)


def _calendar_page() -> HttpResponse:
    # 303: the browser fetches the page with GET, so reloading it posts nothing again.
    return HttpResponseRedirect(reverse("my:calendar"), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
@patient_page
def calendar(request: HttpRequest) -> HttpResponse:
    """Show the patient's feed status and its address once after issuing; POST rotate or revoke."""
    patient = cast(User, request.user)  # patient_page lets only signed-in patients through
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            request.session[FEED_TOKEN_SESSION_KEY] = patient_calendar_feed_rotate(patient=patient)
            messages.success(
                request, "Your calendar link is ready. Any earlier link has stopped working."
            )
        elif action == "revoke":
            patient_calendar_feed_revoke(patient=patient)
            request.session.pop(FEED_TOKEN_SESSION_KEY, None)
            messages.success(request, "Your calendar link is turned off and no longer works.")
        else:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        return _calendar_page()
    token = request.session.pop(FEED_TOKEN_SESSION_KEY, None)
    feed = patient_calendar_feed_get(patient=patient)
    feed_url = (
        settings.SITE_URL + reverse("scheduling:patient_feed", kwargs={"token": token})
        if token and feed is not None
        else None
    )
    return render(request, "programs/my/calendar.html", {"feed": feed, "feed_url": feed_url})
