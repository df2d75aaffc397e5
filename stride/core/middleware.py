"""Keep private answers out of every cache: ``Cache-Control: no-store`` on staff, patient and API.

A shared cache (a clinic's proxy, a CDN) or the browser's back button must never replay a page
or API answer that shows someone's health data. The rule is by place and by caller, so a new
view cannot forget it: everything under the private prefixes below, and every answer to a
signed-in caller wherever it is, carries ``no-store, private``. Public pages seen by visitors
without a session keep their own caching headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Staff pages, the patient portal, accounts, the HTTP and FHIR APIs, the admin, booking (its
# forms carry the visitor's details), a booking's manage pages and the patients' own feeds.
PRIVATE_PREFIXES = (
    "/staff/",
    "/my/",
    "/accounts/",
    "/api/",
    "/fhir/",
    "/admin/",
    "/book/",
    "/appointments/",
    "/calendar/",
)


def request_is_private(request: HttpRequest) -> bool:
    """Return whether the answer to ``request`` must not be stored by any cache."""
    if request.path.startswith(PRIVATE_PREFIXES):
        return True
    # Only a request with a session cookie can be signed in; looking at the session of the
    # others would add "Vary: Cookie" to every public page.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateNoStoreMiddleware:
    """Mark private answers ``Cache-Control: no-store, private`` (with ``Expires`` in the past)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request_is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
