"""Role checks for views: deny by default, answer 404 where a 403 would leak existence."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import STAFF_ROLES, Role


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
