"""One JSON error shape for the whole API, so integrators never parse an HTML page or a 500.

- 422 ``{"error": "invalid", "fields": {"<field>": "<message>"}}`` for bad input;
- 4xx ``{"error": "<code>", "detail": "<message>"}`` for everything else.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from stride.audit.services import audit_denied

logger = logging.getLogger(__name__)

# Where a value came from; integrators only care about the field's own name.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


class ApiError(Exception):
    """A refusal with a stable machine-readable code, e.g. 409 ``slot_unavailable``."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.extra = extra


class FieldsInvalid(Exception):
    """Input that passed the schema but breaks a domain rule, named by field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _LOCATIONS:
        parts.pop(0)
    # Ninja nests a single body schema under its parameter name ("payload", "data", ...).
    if len(parts) > 1 and parts[0] in {"data", "booking", "body_data"}:
        parts.pop(0)
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Turn pydantic/ninja errors into ``{field: first message}``."""
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), _message(error))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the API's error handlers on ``api``."""

    def invalid(request: HttpRequest, fields: dict[str, str]) -> HttpResponse:
        return api.create_response(request, {"error": "invalid", "fields": fields}, status=422)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return invalid(request, validation_fields(exc.errors))

    @api.exception_handler(FieldsInvalid)
    def on_fields_invalid(request: HttpRequest, exc: FieldsInvalid) -> HttpResponse:
        return invalid(request, exc.fields)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        if exc.status == 403:
            audit_denied(request, reason=exc.error)
        body = {"error": exc.error, "detail": exc.detail, **exc.extra}
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, {"error": "not_found", "detail": "Not found."}, status=404
        )

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"error": "unauthenticated", "detail": "Sign in first."}, status=401
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return invalid(request, {"body": "The request body is not valid JSON."})
        code = {401: "unauthenticated", 403: "forbidden", 429: "rate_limited"}.get(
            exc.status_code, "error"
        )
        if exc.status_code == 403:
            audit_denied(request, reason=code)
        return api.create_response(
            request, {"error": code, "detail": str(exc)}, status=exc.status_code
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(
            request,
            {"error": "too_large", "detail": "The request body is too large."},
            status=413,
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return api.create_response(
            request, {"error": "server_error", "detail": "Something went wrong."}, status=500
        )
