"""Who is calling the API: a signed-in user by Django session or by personal API token.

- ``SessionCookie``: the site's session cookie. Unsafe methods (POST, ...) must pass Django's
  CSRF check, exactly like a form on the site, so another site cannot post as the patient.
- ``PersonalToken``: ``Authorization: Bearer <token>`` with a token made by
  ``manage.py api_token_create``. Browsers never add this header on their own, so no CSRF check
  applies. Only the token's SHA-256 is stored and looked up; an unknown or revoked token is 401,
  even when a session cookie comes with it.

Only active users pass either way. A staff member's token is made only with a current code from
their authenticator (while ``STRIDE_STAFF_2FA`` is on), expires after
``STRIDE_STAFF_API_TOKEN_DAYS`` and stops working when the account has no confirmed
authenticator any more: a token must never be a way around the second factor. ``patient_auth`` also refuses everyone who is not a patient
with 403: the ``/me`` endpoints show a patient's own clinical data and nobody else's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from stride.accounts.models import Role, User
from stride.accounts.services import TwoFactorThrottled, two_factor_verify

from .errors import ApiError
from .models import ApiToken, api_token_hash

# token_urlsafe(32) gives 43 characters; anything far longer is not a token of ours.
TOKEN_MAX_LENGTH = 200
# Record a token's use at most this often, so busy clients do not write on every request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


# --- Tokens --------------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str = "", otp_code: str = "", now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for active ``user``; return the row and the raw token.

    For staff, ``otp_code`` must be a current code from their authenticator (or a recovery
    code, which is then used up) while ``STRIDE_STAFF_2FA`` is on, and the token expires after
    ``STRIDE_STAFF_API_TOKEN_DAYS``. The raw token is not stored anywhere: show it once.
    """
    if not user.is_active:
        raise ValidationError({"user": ["Tokens are only for active users."]})
    now = now or timezone.now()
    expires_at = None
    if user.has_staff_access:
        if settings.STRIDE_STAFF_2FA:
            _staff_code_check(user=user, otp_code=otp_code)
        expires_at = now + dt.timedelta(days=settings.STRIDE_STAFF_API_TOKEN_DAYS)
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name.strip() or "Personal token",
        token_hash=api_token_hash(token),
        expires_at=expires_at,
    )
    row.full_clean()
    row.save()
    return row, token


def _staff_code_check(*, user: User, otp_code: str) -> None:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            {"otp": ["Set up two-factor authentication first: staff tokens need it."]}
        )
    try:
        device = two_factor_verify(user=user, code=otp_code) if otp_code.strip() else None
    except TwoFactorThrottled as exc:
        raise ValidationError(
            {"otp": [f"Too many wrong codes: try again in {exc.args[0]} seconds."]}
        ) from exc
    if device is None:
        raise ValidationError(
            {"otp": ["Give a current code from the staff member's authenticator app (--otp)."]}
        )


def api_token_revoke(*, token: ApiToken, now: dt.datetime | None = None) -> ApiToken:
    """Revoke ``token`` at once; revoking it again changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_user(*, token: str, now: dt.datetime | None = None) -> User | None:
    """Return the active user whose live token ``token`` is, else None; note the use.

    Live: not revoked, not expired, and for staff (while ``STRIDE_STAFF_2FA`` is on) only while
    the account still has a confirmed authenticator.
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    now = now or timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if row is None:
        return None
    user = row.user
    if (
        user.has_staff_access
        and settings.STRIDE_STAFF_2FA
        and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        return None
    if row.last_used_at is None or row.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user


# --- Auth classes for django-ninja ----------------------------------------------------------------


def _patient(user: User) -> User:
    if user.role != Role.PATIENT:
        raise ApiError(
            403, "forbidden", "These endpoints are for a patient's own program; staff use /staff/."
        )
    return user


class PersonalToken(HttpBearer):
    """A personal API token as ``Authorization: Bearer <token>``."""

    openapi_description = (
        "A personal API token from `manage.py api_token_create <email>`. Unknown or revoked "
        "tokens are refused with 401."
    )

    def __init__(self, *, patients_only: bool = False) -> None:
        self.patients_only = patients_only
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_user(token=token.strip())
        if user is None:
            raise ApiError(401, "unauthenticated", "The API token is unknown or revoked.")
        request.auth = user  # type: ignore[attr-defined]  # named by the audit log if refused
        return _patient(user) if self.patients_only else user


class SessionCookie(APIKeyCookie):
    """The site's session cookie; unsafe methods also need the CSRF token (``X-CSRFToken``).

    Anonymous requests are passed on (401 when nothing else signs them in) without a CSRF check,
    so a client without a session learns that it must sign in rather than about CSRF.
    """

    openapi_description = (
        "The session of a user signed in on the site. POST requests must also send the "
        "`csrftoken` cookie's value in an `X-CSRFToken` header."
    )

    def __init__(self, *, patients_only: bool = False) -> None:
        # Read when the API is built, so production's "__Host-" cookie name is used.
        self.param_name = settings.SESSION_COOKIE_NAME
        self.patients_only = patients_only
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> User | None:
        user = self.authenticate(request, request.COOKIES.get(self.param_name))
        if user is None:
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header.",
            )
        return _patient(user) if self.patients_only else user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return user


def patient_auth() -> list[Any]:
    """Return the auth for ``/me`` endpoints: a personal token first, else the session."""
    return [PersonalToken(patients_only=True), SessionCookie(patients_only=True)]
