"""Who is calling the FHIR API: a user by personal API token or Django session, or nobody.

- ``Authorization: Bearer <token>``: a personal token from ``manage.py api_token_create``,
  looked up by its SHA-256 (``stride.api.auth.api_token_user``). An unknown or revoked token is
  401 even when a session cookie comes with it. Browsers never add this header on their own,
  so no CSRF check applies.
- The site's session: unsafe methods (POST) must pass Django's CSRF check, exactly like a form
  on the site, so another site cannot book as the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.utils import check_csrf

from stride.accounts.models import STAFF_ROLES, Role, User
from stride.api.auth import api_token_user

from .errors import FhirError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WWW_AUTHENTICATE = 'Bearer realm="fhir"'


@dataclass(frozen=True)
class Caller:
    """The user a request acts for, if any."""

    user: User | None

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.role in STAFF_ROLES

    @property
    def is_patient(self) -> bool:
        return self.user is not None and self.user.role == Role.PATIENT


ANONYMOUS = Caller(user=None)


def unauthenticated(diagnostics: str = "Sign in first.") -> FhirError:
    """Return the 401 for a request that must be signed in."""
    return FhirError(401, "login", diagnostics, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


def _bearer_user(header: str) -> User:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("Send a personal API token as Authorization: Bearer <token>.")
    user = api_token_user(token=token.strip())
    if user is None:
        raise unauthenticated("The API token is unknown or revoked.")
    return user


def caller_get(request: HttpRequest) -> Caller:
    """Return who ``request`` acts for.

    401 for a bad token; 403 when a POST signed in by session fails the CSRF check.
    """
    header = request.headers.get("Authorization")
    if header is not None:
        token_user = _bearer_user(header)
        request.auth = token_user  # type: ignore[attr-defined]  # the audit log's actor, as in the API
        return Caller(user=token_user)
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        return ANONYMOUS
    if request.method not in SAFE_METHODS and check_csrf(request) is not None:
        raise FhirError(
            403,
            "security",
            "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header.",
        )
    return Caller(user=user)


def caller_require(caller: Caller) -> User:
    """Return the signed-in user, else raise the 401; only patients and staff get this far."""
    if caller.user is None:
        raise unauthenticated()
    if not (caller.is_patient or caller.is_staff):
        raise FhirError(403, "forbidden", "This account may not use the API.")
    return caller.user
