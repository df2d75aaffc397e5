"""The FHIR R4B endpoints under /fhir/: metadata, read, search and Appointment create.

Every answer is ``application/fhir+json``; every refusal an OperationOutcome, including
unknown paths and unexpected failures. Answers about appointments and patients are never
stored by caches (``Cache-Control: no-store``). A staff member's read, search or booking of
patients' appointments and records is recorded in the audit log before the answer is sent, and
so is every 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from stride.accounts.models import User
from stride.audit.models import AuditAction
from stride.audit.services import audit_record
from stride.core.ratelimit import Rate, client_ip, rate_limit_hit
from stride.scheduling.models import Appointment

from .auth import Caller, caller_get, caller_require
from .booking import appointment_create
from .capability import CONTENT_TYPE, SUPPORTED, ResourceSupport, capability_statement
from .errors import FhirError, not_found
from .http import Search, base_url, fhir_view, method_not_allowed, query_params, render
from .interactions import NOT_FOUND, READS, SEARCHES
from .resources import appointment_resource
from .search import Params, params_check, pk_parse

BODY_CONTENT_TYPES = frozenset({CONTENT_TYPE, "application/json"})
# Answers about these hold patient data.
PRIVATE_TYPES = frozenset({"Appointment", "Patient"})
READ_METHODS = ["GET", "HEAD"]


def _support(resource_type: str) -> ResourceSupport:
    support = SUPPORTED.get(resource_type)
    if support is None:
        raise FhirError(404, "not-supported", f"{resource_type} is not a supported resource type.")
    return support


def _allowed_methods(support: ResourceSupport, *, instance: bool) -> list[str]:
    if instance:
        return READ_METHODS if support.supports("read") else []
    methods = READ_METHODS if support.supports("search-type") else []
    return [*methods, "POST"] if support.supports("create") else methods


def _booking_rate_check(request: HttpRequest) -> None:
    """Count the attempt in the bucket of the booking pages and API (per client IP)."""
    rate = Rate.parse(settings.STRIDE_RATE_LIMIT_BOOKING)
    if not rate_limit_hit("booking", client_ip(request), rate):
        raise FhirError(
            429,
            "throttled",
            "Too many booking attempts; please wait and try again.",
            headers={"Retry-After": str(rate.seconds)},
        )


def _search(request: HttpRequest, resource_type: str, params: Params) -> HttpResponse:
    search = Search(
        resource_type=resource_type,
        caller=caller_get(request),
        params=params,
        base_url=base_url(),
    )
    bundle = SEARCHES[resource_type](search)
    if search.caller.is_staff and resource_type in PRIVATE_TYPES:
        # With ?patient=Patient/<id> the search reads one patient's appointments: name them.
        patient_pk = pk_parse((params.get("patient") or [""])[0].rsplit("/", 1)[-1])
        _audit_staff(
            request,
            search.caller,
            action=AuditAction.RECORD_VIEW,
            resource_type=resource_type,
            patient=_patient_of("Patient", patient_pk) if patient_pk is not None else None,
            detail={"count": len(getattr(bundle, "entry", None) or [])},
        )
    return render(request, bundle, private=resource_type in PRIVATE_TYPES)


def _audit_staff(
    request: HttpRequest,
    caller: Caller,
    *,
    action: str,
    resource_type: str,
    object_id: int | str = "",
    patient: User | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a staff member's read or change of patient data through FHIR (one row a request)."""
    audit_record(
        action=action,
        request=request,
        actor=caller.user,
        patient=patient,
        object_type=f"fhir_{resource_type.lower()}",
        object_id=object_id,
        detail={"resource": resource_type, **(detail or {})},
    )


def _create(request: HttpRequest, resource_type: str) -> HttpResponse:
    _booking_rate_check(request)
    caller = caller_get(request)
    user = caller_require(caller)
    if request.content_type not in BODY_CONTENT_TYPES:
        raise FhirError(415, "not-supported", f"Send the Appointment as {CONTENT_TYPE}.")
    params_check(query_params(request.GET), frozenset())
    appointment = appointment_create(caller=user, is_staff=caller.is_staff, body=request.body)
    if caller.is_staff:
        _audit_staff(
            request,
            caller,
            action=AuditAction.RECORD_CHANGE,
            resource_type=resource_type,
            object_id=appointment.pk,
            patient=appointment.patient,
            detail={"fields": ["created"]},
        )
    return render(
        request,
        appointment_resource(appointment, show_reason=appointment.patient_id == user.pk),
        status=201,
        private=True,
        headers={"Location": f"{base_url()}/{resource_type}/{appointment.pk}"},
    )


@fhir_view
def metadata(request: HttpRequest) -> HttpResponse:
    """Answer the CapabilityStatement."""
    if request.method not in READ_METHODS:
        raise method_not_allowed(READ_METHODS)
    params_check(query_params(request.GET), frozenset())
    return render(request, capability_statement(base_url=base_url()))


@fhir_view
def type_endpoint(request: HttpRequest, resource_type: str) -> HttpResponse:
    """Search a type (GET) or create an Appointment (POST)."""
    support = _support(resource_type)
    allowed = _allowed_methods(support, instance=False)
    if request.method not in allowed:
        raise method_not_allowed(allowed)
    if request.method == "POST":
        return _create(request, resource_type)
    return _search(request, resource_type, query_params(request.GET))


@fhir_view
def search_post(request: HttpRequest, resource_type: str) -> HttpResponse:
    """Search a type with the parameters in a form-encoded body (``POST <type>/_search``)."""
    support = _support(resource_type)
    allowed = ["POST"] if support.supports("search-type") else []
    if request.method not in allowed:
        raise method_not_allowed(allowed)
    if request.content_type != "application/x-www-form-urlencoded":
        raise FhirError(415, "not-supported", "Send the parameters form-encoded.")
    params = query_params(request.GET)
    for name, values in query_params(request.POST).items():
        params[name] = [*params.get(name, []), *values]
    return _search(request, resource_type, params)


@fhir_view
def instance_endpoint(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    """Read one resource; a missing id and one the caller may not see are the same 404."""
    support = _support(resource_type)
    allowed = _allowed_methods(support, instance=True)
    if request.method not in allowed:
        raise method_not_allowed(allowed)
    params_check(query_params(request.GET), frozenset())
    caller = caller_get(request)
    if resource_type in PRIVATE_TYPES:
        # Anonymous callers learn that they must sign in, not whether an id exists.
        caller_require(caller)
    pk = pk_parse(resource_id)
    try:
        if pk is None:
            raise not_found(f"{resource_type}/{resource_id} is not known.")
        resource = READS[resource_type](caller, pk)
    except NOT_FOUND:
        raise not_found(f"{resource_type}/{resource_id} is not known.") from None
    if caller.is_staff and pk is not None and resource_type in PRIVATE_TYPES:
        _audit_staff(
            request,
            caller,
            action=AuditAction.RECORD_VIEW,
            resource_type=resource_type,
            object_id=pk,
            patient=_patient_of(resource_type, pk),
        )
    return render(request, resource, private=resource_type in PRIVATE_TYPES)


def _patient_of(resource_type: str, pk: int) -> User | None:
    """Return the patient a just-read Appointment or Patient belongs to, for the audit log."""
    if resource_type == "Patient":
        return User.objects.only("id", "email").filter(pk=pk).first()
    appointment = Appointment.objects.select_related("patient").only(
        "id", "patient__id", "patient__email"
    )
    row = appointment.filter(pk=pk).first()
    return row.patient if row is not None else None


@fhir_view
def not_found_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Answer 404 for any path the API does not serve."""
    raise FhirError(404, "not-found", "Nothing is served at this path; see /fhir/metadata.")
