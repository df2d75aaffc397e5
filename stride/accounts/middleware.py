"""Middleware for staff sessions: sign out after idle time, and ask for the second factor.

Both act only on staff accounts (a staff role, ``is_staff`` or ``is_superuser``); patients
keep ``SESSION_COOKIE_AGE`` and are never asked for a code.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from stride.audit.services import audit_denied

from .models import User
from .permissions import two_factor_url, user_needs_two_factor

# Unix time of the staff member's latest request, kept in their session.
LAST_SEEN_SESSION_KEY = "accounts_staff_last_seen"
# The time is written at most once a minute, so a busy session is not saved on every request;
# the idle limit is therefore kept to within a minute.
LAST_SEEN_RESOLUTION = 60
# Everything a staff session could reach beyond what the public sees; the session must have
# its second factor first. /accounts/password/ is the password change page.
TWO_FACTOR_PATHS = ("/staff/", "/admin/", "/api/", "/fhir/", "/accounts/password/")
# Machine clients get their API's error shape rather than a redirect to a page.
API_PATH = "/api/"
FHIR_PATH = "/fhir/"
TWO_FACTOR_REQUIRED_DETAIL = (
    "Confirm your sign-in with your authenticator app at /accounts/two-factor/verify/ first."
)


def _may_be_signed_in(request: HttpRequest) -> bool:
    """Return whether the request carries a session cookie, without reading the session.

    Reading it would add ``Vary: Cookie`` to every response, such as cacheable calendar feeds.
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class StaffIdleTimeoutMiddleware:
    """Sign staff out when ``STRIDE_STAFF_IDLE_MINUTES`` pass without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_be_signed_in(request):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and isinstance(user, User) and user.has_staff_access:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            limit = settings.STRIDE_STAFF_IDLE_MINUTES * 60
            if isinstance(last_seen, int) and now - last_seen > limit:
                # The request goes on signed out: pages then ask to sign in as for anyone.
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.STRIDE_STAFF_IDLE_MINUTES} minutes "
                    "without activity. Please sign in again.",
                )
            elif not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Keep staff sessions off staff pages, the admin and the APIs until a code confirms them.

    Pages redirect to the two-factor page (which sends new staff on to set up an
    authenticator); ``/api/`` answers 403 ``{"error": "two_factor_required", ...}`` and
    ``/fhir/`` a 403 ``OperationOutcome``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info.startswith(TWO_FACTOR_PATHS)
            and _may_be_signed_in(request)
            and user_needs_two_factor(request.user)
        ):
            if request.path_info.startswith((API_PATH, FHIR_PATH)):
                audit_denied(request, reason="two_factor_required")
            if request.path_info.startswith(API_PATH):
                return JsonResponse(
                    {"error": "two_factor_required", "detail": TWO_FACTOR_REQUIRED_DETAIL},
                    status=403,
                )
            if request.path_info.startswith(FHIR_PATH):
                return JsonResponse(
                    {
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {
                                "severity": "error",
                                "code": "security",
                                "diagnostics": TWO_FACTOR_REQUIRED_DETAIL,
                            }
                        ],
                    },
                    status=403,
                    content_type="application/fhir+json; charset=utf-8",
                )
            next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
            return HttpResponseRedirect(two_factor_url(next_url))
        return self.get_response(request)
