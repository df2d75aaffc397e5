"""Receivers that record sign-ins, sign-outs and failed sign-ins, connected in AuditConfig.ready().

They also reinstall the SQLite append-only triggers after every ``migrate``, in case a later
migration rebuilt the audit table (which drops its triggers on SQLite).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections
from django.http import HttpRequest

from .models import AuditAction, AuditOutcome
from .services import audit_record


def _attempted_email(credentials: dict[str, Any]) -> str:
    """Return the email address tried, lowercased; blank when it is not an email address.

    Someone who types their password into the email box must not find it in the log.
    """
    tried = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    try:
        validate_email(tried)
    except ValidationError:
        return ""
    return tried


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.SIGN_IN, request=request, actor=user)


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit_record(action=AuditAction.SIGN_OUT, request=request, actor=user)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        outcome=AuditOutcome.FAILED,
        actor_email=_attempted_email(credentials),
    )


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "audit_auditevent" not in connection.introspection.table_names():
        return
    guard = importlib.import_module("stride.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        for statement in guard.SQLITE_INSTALL:  # CREATE TRIGGER IF NOT EXISTS: idempotent
            cursor.execute(statement)
