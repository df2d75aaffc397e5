"""Write audit events: the one way any app records who did what to which patient's record.

Failure policy: an event that cannot be written raises, and the request fails with it. The log
is the evidence that a record was read or changed; a read that cannot be recorded must not be
shown, and a sign-in that cannot be recorded must not succeed (fail closed, ASVS V7). An event
is written in the caller's transaction, with one INSERT and no savepoint: when the caller's
change rolls back, its event rolls back with it, so record a change after the service that made
it returned, and a read before the response is rendered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from stride.core.ratelimit import client_ip

from .models import AuditAction, AuditEvent, AuditOutcome

USER_AGENT_LENGTH = 300
PATH_LENGTH = 500
REDACTED = "[redacted]"
# ``detail`` carries names, ids, counts, statuses and filters; anything longer is likely free text.
DETAIL_TEXT_LIMIT = 254  # an email address fits


def _request_ip(request: HttpRequest) -> str | None:
    """Return the client IP as ``client_ip`` derives it, or None when it is not an address."""
    candidate = client_ip(request)
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _request_path(request: HttpRequest) -> str:
    """Return the request's path without its query string, secret tokens replaced.

    URL arguments whose name contains "token" (sign-in links, manage links, calendar feeds) are
    credentials, which ASVS V7.1.1 keeps out of logs.
    """
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if "token" in name and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    return path[:PATH_LENGTH]


def _detail_check(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``detail`` as a dict after checking its shape; raise ValueError if it is wrong.

    A shape check, not a content filter: keys are strings; values are None, booleans, numbers,
    short strings, or lists of those. Nested objects and long text are refused because that is
    how notes and answers would slip in. Callers pass field *names* and counts, never values.
    """
    scalars = (str, int, float, bool, type(None))

    def ok(value: Any) -> bool:
        if isinstance(value, str):
            return len(value) <= DETAIL_TEXT_LIMIT
        return isinstance(value, scalars)

    for key, value in detail.items():
        if not isinstance(key, str):
            raise ValueError(f"audit detail keys must be strings, not {key!r}")
        values = value if isinstance(value, list | tuple) else [value]
        if not all(ok(item) for item in values):
            raise ValueError(
                f"audit detail {key!r} must be a short scalar or a list of them "
                "(names, ids, counts), never clinical text"
            )
    return {
        key: list(value) if isinstance(value, tuple) else value for key, value in detail.items()
    }


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    patient: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditOutcome.OK,
    detail: Mapping[str, Any] | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Record one audit event and return it; raise if it cannot be written.

    ``actor`` defaults to the request's signed-in user. ``actor_email`` is for events without
    an actor (the address tried in a failed sign-in). ``patient`` is the User whose record was
    touched, if any. From ``request`` come the path (no query string, tokens redacted), method,
    client IP (``stride.core.ratelimit.client_ip``: STRIDE_TRUSTED_PROXIES hops of
    X-Forwarded-For) and the first 300 characters of the user agent.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in AuditOutcome.values:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if actor is None and request is not None:
        actor = request_actor(request)
    event = AuditEvent(
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=_detail_check(detail or {}),
    )
    if actor is not None:
        event.actor_id = actor.pk
        event.actor_email = (actor.email or "").lower()[:254]
        event.actor_role = getattr(actor, "role", "") or ""
    else:
        event.actor_email = actor_email.strip().lower()[:254]
    if patient is not None:
        event.patient_id = patient.pk
        event.patient_ref = (patient.email or "").lower()[:254]
    if request is not None:
        event.path = _request_path(request)
        event.method = (request.method or "")[:10]
        event.ip = _request_ip(request)
        event.user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]
    event.save()
    return event


def request_actor(request: HttpRequest) -> Any:
    """Return who ``request`` acts for: the session's user, else the API token's, else None.

    Token-signed API and FHIR requests have no session: their user is ``request.auth``.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else None


def audit_denied(request: HttpRequest, *, reason: str) -> AuditEvent:
    """Record that ``request`` was refused (a 403), naming the view and why, e.g. "forbidden"."""
    match = getattr(request, "resolver_match", None)
    return audit_record(
        action=AuditAction.PERMISSION_DENIED,
        request=request,
        outcome=AuditOutcome.DENIED,
        detail={"view": match.view_name if match is not None else None, "reason": reason[:64]},
    )


def audit_patient_access(
    request: HttpRequest,
    *,
    patient: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    detail: Mapping[str, Any] | None = None,
    outcome: str = AuditOutcome.OK,
) -> AuditEvent:
    """Record that the signed-in staff member read or changed a patient's record.

    Call it once per request, in the view, with the caller's ``request``:

    - a page or API answer that shows a patient's record: ``action=AuditAction.RECORD_VIEW``,
      before rendering (if it raises, nothing is shown);
    - a change: ``action=AuditAction.RECORD_CHANGE`` after the service returned, with
      ``detail={"fields": [names of the fields changed]}``; a refused change may be recorded
      with ``outcome=AuditOutcome.FAILED``;
    - a page listing many patients: ``patient=None`` and ``detail={"count": n}`` (one row per
      page view, never one per row shown).

    ``object_type`` names the record ("appointment", "program", "session_log", "patient");
    ``object_id`` is its primary key. ``detail`` holds names, ids, counts and statuses only:
    never a pain score, note, symptom or answer (a shape check refuses nested objects and text
    longer than 254 characters, but cannot catch a short clinical value; that is the caller's
    duty). Example, in a program view::

        audit_patient_access(
            request, patient=program.patient, action=AuditAction.RECORD_VIEW,
            object_type="program", object_id=program.pk,
        )
    """
    user = request_actor(request)
    if user is None:
        raise ValueError("audit_patient_access needs a signed-in user on the request")
    return audit_record(
        action=action,
        request=request,
        actor=user,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )
