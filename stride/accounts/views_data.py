"""The patient's "Download my data" page: a JSON copy of everything the clinic holds on them."""

from __future__ import annotations

import json
from typing import cast

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from stride.audit.models import AuditAction
from stride.audit.services import audit_record
from stride.core.ratelimit import rate_limit

from .models import Role, User
from .permissions import role_required
from .services_data import patient_data_export

EXPORT_FILENAME = "stride-my-data.json"


@require_GET
@role_required(Role.PATIENT)
@rate_limit("data_export", "STRIDE_RATE_LIMIT_DATA_EXPORT", methods=("GET",))
def my_data(request: HttpRequest) -> HttpResponse:
    """Send the signed-in patient their own data as a JSON attachment; audit the export."""
    user = cast(User, request.user)  # role_required lets only signed-in patients through
    data = patient_data_export(user=user)
    # Recorded before the response is built: an export that cannot be logged is not sent.
    audit_record(
        action=AuditAction.DATA_EXPORT,
        request=request,
        patient=user,
        object_type="user",
        object_id=user.pk,
        detail={"sections": sorted(data)},
    )
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    response["Cache-Control"] = "no-store, private"
    return response
