"""Every refusal (403) is recorded and answered with the site's page, or JSON under /api/."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.audit.views import permission_denied
from stride.scheduling.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_patient_on_a_staff_page_is_refused_and_recorded(client: Client) -> None:
    patient = UserFactory.create(email="pat@example.com")
    client.force_login(patient)

    response = client.get("/staff/calendar/?view=week", REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 403
    assert b"You can't open this page" in response.content
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.outcome == AuditOutcome.DENIED
    assert (event.actor_id, event.actor_email, event.actor_role) == (
        patient.pk,
        "pat@example.com",
        "patient",
    )
    assert (event.method, event.path, event.ip) == ("GET", "/staff/calendar/", "192.0.2.44")
    assert event.detail == {"view": "staff:calendar", "reason": "permission"}


def test_api_paths_are_refused_with_json(rf: RequestFactory) -> None:
    request = rf.get("/api/v1/something")
    request.user = UserFactory.create()

    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"] == "forbidden"
    assert AuditEvent.objects.get().action == AuditAction.PERMISSION_DENIED
