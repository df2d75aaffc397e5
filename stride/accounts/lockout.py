"""Hooks that fit django-axes (the sign-in lockout) to Stride.

Axes counts wrong passwords per username and client IP. These functions give it the same
client IP as the rate limiter, one spelling of each email address, and the site's 429 page.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse

from stride.core.ratelimit import client_ip, too_many_requests

# Axes stores the username in a 255-character column; an email address has at most 254.
USERNAME_MAX_LENGTH = 254
# Stored in place of a tried "email" that is not one.
NOT_AN_EMAIL = "(not an email address)"


def axes_client_ip(request: HttpRequest) -> str | None:
    """Return the client IP the rate limiter uses, or None when it is not an IP address.

    Axes stores it in an IP address column, which refuses anything else on PostgreSQL.
    """
    candidate = client_ip(request)
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """Return the email address tried, lowercased, so "Pat@X.org" and "pat@x.org" count once.

    Anything that is not an email address (a password typed into the wrong box, say) is kept
    as ``NOT_AN_EMAIL``: no account has such a name, and axes stores what this returns.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None:
        value = request.POST.get("username")
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return NOT_AN_EMAIL
    return email[:USERNAME_MAX_LENGTH]


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Answer a locked-out sign-in with the site's 429 page, the same for every address."""
    cool_off = settings.AXES_COOLOFF_TIME
    return too_many_requests(request, int(cool_off.total_seconds()))
