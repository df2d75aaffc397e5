"""audit_record takes who, where from and what from the request, and refuses clinical text."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve

from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.audit.services import audit_patient_access, audit_record
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_request_gives_actor_ip_method_path_and_user_agent(rf: RequestFactory) -> None:
    actor = StaffUserFactory.create(email="Desk@StridePT.example")
    request = rf.get(
        "/staff/calendar/?date=2026-12-07&secret=1",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="x" * 400,
    )
    request.user = actor

    event = audit_record(action=AuditAction.RECORD_VIEW, request=request, object_type="calendar")

    event.refresh_from_db()
    assert event.actor_id == actor.pk
    assert event.actor_email == "desk@stridept.example"
    assert event.actor_role == "front_desk"
    assert event.ip == "203.0.113.9"
    assert event.method == "GET"
    assert event.path == "/staff/calendar/"  # never the query string
    assert event.user_agent == "x" * 300
    assert event.outcome == AuditOutcome.OK


def test_the_ip_comes_from_the_trusted_proxy_hop(rf: RequestFactory, settings) -> None:
    settings.STRIDE_TRUSTED_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.7")
    request.user = AnonymousUser()
    assert audit_record(action=AuditAction.PERMISSION_DENIED, request=request).ip == "192.0.2.7"


def test_an_address_that_is_not_an_ip_is_left_empty(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="unknown")
    request.user = AnonymousUser()
    event = audit_record(action=AuditAction.PERMISSION_DENIED, request=request)
    assert event.ip is None
    assert event.actor_id is None
    assert event.actor_email == ""


def test_tokens_in_the_path_are_redacted(rf: RequestFactory) -> None:
    token = "S3cr3t-t0ken_abcdefghijklmnopqrstuvwxyz012345"
    path = f"/appointments/12/manage/{token}/"
    request = rf.get(path)
    request.user = AnonymousUser()
    request.resolver_match = resolve(path)

    event = audit_record(action=AuditAction.PERMISSION_DENIED, request=request)

    assert event.path == "/appointments/12/manage/[redacted]/"


def test_the_patient_is_kept_as_id_and_email(rf: RequestFactory) -> None:
    patient = UserFactory.create(email="Pat@Example.com")
    request = rf.post("/staff/appointments/3/cancel/")
    request.user = StaffUserFactory.create()

    event = audit_patient_access(
        request,
        patient=patient,
        action=AuditAction.RECORD_CHANGE,
        object_type="appointment",
        object_id=3,
        detail={"fields": ("status",)},
    )

    event.refresh_from_db()
    assert (event.patient_id, event.patient_ref) == (patient.pk, "pat@example.com")
    assert (event.object_type, event.object_id) == ("appointment", "3")
    assert event.detail == {"fields": ["status"]}


def test_patient_access_needs_a_signed_in_user(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.user = AnonymousUser()
    with pytest.raises(ValueError, match="signed-in"):
        audit_patient_access(
            request, patient=None, action=AuditAction.RECORD_VIEW, object_type="calendar"
        )
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "detail",
    [
        {"answers": {"pain": 7}},
        {"note": "Patient reports sharp pain radiating down the left leg. " * 6},
        {"fields": ["status", {"pain": 7}]},
        {3: "status"},
    ],
)
def test_detail_refuses_nested_objects_and_free_text(detail: dict) -> None:
    with pytest.raises(ValueError, match="audit detail"):
        audit_record(action=AuditAction.RECORD_CHANGE, detail=detail)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("action", "deleted"), ("outcome", "maybe")])
def test_unknown_actions_and_outcomes_are_refused(field: str, value: str) -> None:
    arguments: dict[str, Any] = {"action": AuditAction.RECORD_VIEW, field: value}
    with pytest.raises(ValueError, match="unknown audit"):
        audit_record(**arguments)
