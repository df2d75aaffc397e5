"""The site's 403 handler, which records each refusal, and the clinic admins' audit log pages.

``/staff/audit/`` and its CSV export are for the admin role only; reading and exporting the log
are themselves recorded. Both answer ``Cache-Control: no-store``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from stride.accounts.models import Role
from stride.accounts.permissions import role_required
from stride.core.csv import csv_safe_cell
from stride.scheduling.selectors import location_get_primary

from .forms import AuditFilterForm
from .models import AUDIT_EVENT_FIELDS, AuditAction, AuditEvent
from .selectors import audit_event_list
from .services import audit_denied, audit_record

PAGE_SIZE = 50
# The event's fields; the time is written in UTC, so its column says so.
EXPORT_COLUMNS = tuple("at_utc" if name == "at" else name for name in AUDIT_EVENT_FIELDS)

admin_required = role_required(Role.ADMIN)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Record the refusal, then answer 403: JSON under /api/ and /fhir/, the site's page elsewhere."""
    audit_denied(request, reason="permission")
    if request.path.startswith(("/api/", "/fhir/")):
        return JsonResponse(
            {"error": "forbidden", "detail": "You do not have permission to do that."}, status=403
        )
    return render(request, "403.html", status=403)


def _no_store(response: HttpResponse | StreamingHttpResponse) -> None:
    response["Cache-Control"] = "no-store"


def _clinic_zone() -> ZoneInfo:
    location = location_get_primary()
    return location.tzinfo if location is not None else ZoneInfo("UTC")


def _filtered(form: AuditFilterForm, tz: ZoneInfo) -> Any:
    data = form.cleaned_data
    return audit_event_list(
        tz=tz,
        date_from=data["date_from"],
        date_to=data["date_to"],
        action=data["action"],
        actor=data["actor"],
        patient=data["patient"],
    )


@require_safe
@admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    """List audit events, newest first, filtered and paginated; the viewing is recorded too."""
    tz = _clinic_zone()
    form = AuditFilterForm(request.GET)
    context: dict[str, Any] = {"section": "audit", "form": form, "tz_name": tz.key}
    if not form.is_valid():
        response = render(request, "audit/event_list.html", context, status=400)
        _no_store(response)
        return response
    filters = form.used()
    page = Paginator(_filtered(form, tz), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        action=AuditAction.RECORD_VIEW,
        request=request,
        object_type="audit_log",
        detail={**filters, "page": page.number, "count": len(page.object_list)},
    )
    query = urlencode(filters)
    context.update({"page": page, "query": query, "filtered": bool(filters)})
    response = render(request, "audit/event_list.html", context)
    _no_store(response)
    return response


class _Echo:
    """A file-like object whose ``write`` returns what it was given, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


def _export_rows(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    event: AuditEvent
    for event in events.iterator(chunk_size=2000):
        row = [_export_cell(event, name) for name in AUDIT_EVENT_FIELDS]
        yield writer.writerow([csv_safe_cell(cell) for cell in row])


def _export_cell(event: AuditEvent, name: str) -> Any:
    if name == "at":
        return event.at.astimezone(ZoneInfo("UTC")).isoformat()
    if name == "detail":
        return json.dumps(event.detail, sort_keys=True) if event.detail else ""
    return getattr(event, name)


@require_safe
@admin_required  # type: ignore[arg-type]  # typed for HttpResponse; streaming is a response too
def event_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Stream the filtered events as CSV (formula-safe cells); the export itself is recorded."""
    tz = _clinic_zone()
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        response = HttpResponse(
            "Invalid filters: "
            + "; ".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
            ),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
        _no_store(response)
        return response
    events = _filtered(form, tz)
    audit_record(
        action=AuditAction.RECORD_EXPORT,
        request=request,
        object_type="audit_log",
        detail={**form.used(), "format": "csv"},
    )
    stamp = timezone.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    streaming = StreamingHttpResponse(_export_rows(events), content_type="text/csv; charset=utf-8")
    streaming["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    streaming["X-Content-Type-Options"] = "nosniff"
    _no_store(streaming)
    return streaming
