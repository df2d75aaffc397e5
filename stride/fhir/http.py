"""Requests and responses of the FHIR API: JSON in and out, every refusal an OperationOutcome."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from fhir_core.fhirabstractmodel import FHIRAbstractModel

from stride.audit.services import audit_denied

from .auth import Caller
from .capability import CONTENT_TYPE
from .errors import FhirError, operation_outcome
from .search import Params

logger = logging.getLogger(__name__)

RESPONSE_CONTENT_TYPE = f"{CONTENT_TYPE}; charset=utf-8"


def base_url() -> str:
    """Return the absolute URL the API is mounted at, without a trailing slash."""
    return settings.SITE_URL + reverse("fhir:metadata").removesuffix("/metadata")


def query_params(query: QueryDict) -> dict[str, list[str]]:
    """Return every value of every parameter in ``query``."""
    return {name: query.getlist(name) for name in query}


def render(
    request: HttpRequest,
    resource: FHIRAbstractModel,
    *,
    status: int = 200,
    private: bool = False,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Answer ``resource`` as FHIR JSON; ``private`` answers are never stored by caches."""
    pretty = request.GET.get("_pretty") == "true"
    body = resource.model_dump_json(indent=2 if pretty else None)
    response = HttpResponse(body, status=status, content_type=RESPONSE_CONTENT_TYPE)
    if private:
        response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error_response(request: HttpRequest, exc: FhirError) -> HttpResponse:
    if exc.status == 403:
        audit_denied(request, reason=exc.issues[0].code if exc.issues else "forbidden")
    return render(
        request, operation_outcome(exc.issues), status=exc.status, private=True, headers=exc.headers
    )


def method_not_allowed(allowed: Sequence[str]) -> FhirError:
    """Return the 405 for a method the path does not serve, with its Allow header."""
    methods = ", ".join(allowed)
    return FhirError(
        405,
        "not-supported",
        f"Use {methods} here." if allowed else "This interaction is not supported.",
        headers={"Allow": methods},
    )


def fhir_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer every refusal and failure of ``view`` as an OperationOutcome.

    The view is exempt from Django's CSRF middleware because ``caller_get`` checks CSRF itself
    for session-signed requests, the only ones a browser sends on its own.
    """

    @csrf_exempt  # nosemgrep: stride-csrf-exempt -- caller_get checks CSRF itself (see above)
    @functools.wraps(view)
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            if not (request.accepts(CONTENT_TYPE) or request.accepts("application/json")):
                raise FhirError(406, "not-supported", f"Only {CONTENT_TYPE} is available.")
            return view(request, **kwargs)
        except FhirError as exc:
            return _error_response(request, exc)
        except RequestDataTooBig:
            return _error_response(
                request, FhirError(413, "too-costly", "The request body is too large.")
            )
        except Exception:
            logger.exception("FHIR error on %s %s", request.method, request.path)
            return _error_response(request, FhirError(500, "exception", "Something went wrong."))

    return wrapped


@dataclass(frozen=True)
class Search:
    """A search request: its type, caller and parameters, and where the API lives."""

    resource_type: str
    caller: Caller
    params: Params
    base_url: str

    def url(self, **overrides: str) -> str:
        """Return this search's URL, with ``overrides`` replacing parameters."""
        params: dict[str, Sequence[str]] = {
            name: values for name, values in self.params.items() if name not in overrides
        }
        params.update({name: [value] for name, value in overrides.items()})
        query = urlencode([(name, v) for name, values in params.items() for v in values])
        return f"{self.base_url}/{self.resource_type}" + (f"?{query}" if query else "")
