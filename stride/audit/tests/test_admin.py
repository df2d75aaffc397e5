"""The admin shows the audit log read-only, and only to clinic admins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from stride.accounts.models import Role, User
from stride.audit.models import AuditAction, AuditEvent
from stride.audit.services import audit_record
from stride.scheduling.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root@stridept.example", "a-long-admin-password")


def test_a_superuser_reads_the_log_and_the_reading_is_recorded(
    client: Client, superuser: User
) -> None:
    event = audit_record(action=AuditAction.SIGN_IN_FAILED, actor_email="who@example.com")
    client.force_login(superuser)

    listing = client.get(CHANGELIST, {"q": "who@"})
    detail = client.get(f"{CHANGELIST}{event.pk}/change/")

    assert listing.status_code == 200
    assert b"who@example.com" in listing.content
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # read-only: nothing to save
    reads = AuditEvent.objects.filter(action=AuditAction.RECORD_VIEW).order_by("id")
    assert [(r.object_type, r.object_id) for r in reads] == [
        ("audit_log", ""),
        ("audit_event", str(event.pk)),
    ]


@pytest.mark.parametrize("page", ["add/", "{pk}/delete/"])
def test_nobody_may_add_or_delete(client: Client, superuser: User, page: str) -> None:
    event = audit_record(action=AuditAction.SIGN_OUT)
    client.force_login(superuser)
    response = client.get(CHANGELIST + page.format(pk=event.pk))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_delete_is_not_offered(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    response = client.get(CHANGELIST)
    assert b"delete_selected" not in response.content


def test_other_staff_do_not_see_it_even_with_the_view_permission(client: Client) -> None:
    desk = StaffUserFactory.create(role=Role.FRONT_DESK, is_staff=True)
    desk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(desk)
    assert client.get(CHANGELIST).status_code == 403
