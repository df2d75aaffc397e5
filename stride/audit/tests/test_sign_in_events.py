"""Sign-ins, failed sign-ins and sign-outs are recorded; a password never is."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.scheduling.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # the factories' password
SIGN_IN = "/accounts/sign-in/"


def _everything_stored() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_sign_in_is_recorded_with_who_and_where_from(client: Client) -> None:
    user = StaffUserFactory.create(email="desk@stridept.example")

    response = client.post(
        SIGN_IN,
        {"username": "desk@stridept.example", "password": PASSWORD},
        HTTP_USER_AGENT="Firefox/140",
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.SIGN_IN
    assert (event.actor_id, event.actor_email, event.actor_role) == (
        user.pk,
        "desk@stridept.example",
        "front_desk",
    )
    assert (event.ip, event.method, event.path, event.user_agent) == (
        "127.0.0.1",
        "POST",
        SIGN_IN,
        "Firefox/140",
    )


def test_a_failed_sign_in_records_the_email_tried_but_never_the_password(client: Client) -> None:
    StaffUserFactory.create(email="desk@stridept.example")

    response = client.post(
        SIGN_IN, {"username": "Desk@StridePT.example", "password": "wrong-guess-Tr0ub4dor"}
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.SIGN_IN_FAILED
    assert event.outcome == AuditOutcome.FAILED
    assert event.actor_id is None
    assert event.actor_email == "desk@stridept.example"
    assert "wrong-guess-Tr0ub4dor" not in _everything_stored()


def test_a_password_typed_into_the_email_box_is_not_recorded(client: Client) -> None:
    client.post(SIGN_IN, {"username": "hunter2-Tr0ub4dor&3", "password": "hunter2-Tr0ub4dor&3"})

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.SIGN_IN_FAILED
    assert event.actor_email == ""
    assert "Tr0ub4dor" not in _everything_stored()


def test_a_sign_out_is_recorded(client: Client) -> None:
    user = StaffUserFactory.create()
    client.force_login(user)

    response = client.post("/accounts/sign-out/")

    assert response.status_code == 302
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor_id")) == [
        (AuditAction.SIGN_IN, user.pk),
        (AuditAction.SIGN_OUT, user.pk),
    ]


def test_signing_out_when_not_signed_in_records_nothing(client: Client) -> None:
    client.post("/accounts/sign-out/")
    assert not AuditEvent.objects.exists()
