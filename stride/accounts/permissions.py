"""Role checks for views: deny by default, answer 404 where a 403 would leak existence."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import STAFF_ROLES, Role, User


def user_has_role(user: Any, roles: Iterable[str]) -> bool:
    """Return True when ``user`` is signed in, active and holds one of ``roles``."""
    return bool(user.is_authenticated and user.is_active and user.role in set(roles))


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let only signed-in users with one of ``roles`` through; others sign in or get 403."""
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
clinical_staff_required = role_required(Role.THERAPIST, Role.ADMIN)


def user_needs_two_factor(user: Any) -> bool:
    """Return True for a signed-in staff account whose session has no second factor yet.

    Always False for patients, and for everyone while ``STRIDE_STAFF_2FA`` is off. A user
    object that django-otp's middleware has not seen counts as unconfirmed.
    """
    if not settings.STRIDE_STAFF_2FA or not user.is_authenticated:
        return False
    if not isinstance(user, User) or not user.has_staff_access:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def two_factor_url(next_url: str = "") -> str:
    """Return the two-factor page's path, which sends the user on to ``next_url`` after."""
    url = reverse("accounts:two_factor_verify")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
