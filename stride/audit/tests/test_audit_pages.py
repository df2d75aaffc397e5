"""The audit log page and its CSV export: clinic admins only, filtered, formula-safe, recorded."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.audit.views import PAGE_SIZE
from stride.scheduling.tests.test_staff_support import Staff, signed_in

pytestmark = pytest.mark.django_db

PAGE = "/staff/audit/"
EXPORT = "/staff/audit/export.csv"
# Long before the events the tests themselves cause. The clinic is in New York: 03:00 UTC on
# January 15 is still January 14 there.
LATE_JANUARY_14 = dt.datetime(2025, 1, 15, 3, 0, tzinfo=dt.UTC)
JANUARY_15 = dt.datetime(2025, 1, 15, 15, 0, tzinfo=dt.UTC)


def _seed() -> None:
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=LATE_JANUARY_14,
                action=AuditAction.SIGN_IN,
                actor_id=1,
                actor_email="maya@stridept.example",
                actor_role="therapist",
            ),
            AuditEvent(
                at=JANUARY_15,
                action=AuditAction.RECORD_CHANGE,
                actor_id=2,
                actor_email="desk@stridept.example",
                actor_role="front_desk",
                patient_id=3,
                patient_ref="ada@example.com",
                object_type="appointment",
                object_id="9",
                detail={"fields": ["status"]},
            ),
            AuditEvent(
                at=JANUARY_15,
                action=AuditAction.SIGN_IN_FAILED,
                outcome=AuditOutcome.FAILED,
                actor_email='=HYPERLINK("https://evil.example","click")',
                user_agent="@SUM(1+1)*cmd|' /C calc'!A0",
                path="-2+3",
            ),
        ]
    )


def _listed(response: Any) -> list[tuple[str, str]]:
    return [(e.action, e.actor_email) for e in response.context["page"].object_list]


def _export_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- Who may see it ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, EXPORT])
@pytest.mark.parametrize("role", ["therapist_user", "front_desk", "patient"])
def test_only_clinic_admins_may_see_the_log(
    client: Client, staff: Staff, url: str, role: str
) -> None:
    user = getattr(staff, role)
    response = signed_in(client, user).get(url)
    assert response.status_code == 403
    refusal = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert (refusal.actor_id, refusal.path) == (user.pk, url)


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_visitors_are_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


# --- The page ----------------------------------------------------------------------------------


def test_an_admin_sees_events_newest_first_and_the_viewing_is_recorded(
    client: Client, staff: Staff
) -> None:
    _seed()
    response = signed_in(client, staff.admin).get(PAGE)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    listed = _listed(response)
    # Newest first: the admin's own sign-in (force_login) is the newest event.
    assert listed[0] == (AuditAction.SIGN_IN, staff.admin.email)
    assert listed[-1] == (AuditAction.SIGN_IN, "maya@stridept.example")
    assert b"ada@example.com" in response.content
    viewing = AuditEvent.objects.get(action=AuditAction.RECORD_VIEW)
    assert (viewing.actor_id, viewing.object_type) == (staff.admin.pk, "audit_log")
    assert viewing.detail == {"page": 1, "count": 4}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "sign_in_failed"}, [AuditAction.SIGN_IN_FAILED]),
        ({"actor": "MAYA@"}, [AuditAction.SIGN_IN]),
        ({"patient": "ada@example"}, [AuditAction.RECORD_CHANGE]),
        # Whole days in the clinic's zone (New York), both ends included.
        ({"date_from": "2025-01-14", "date_to": "2025-01-14"}, [AuditAction.SIGN_IN]),
        (
            {"date_from": "2025-01-15", "date_to": "2025-01-15"},
            [AuditAction.RECORD_CHANGE, AuditAction.SIGN_IN_FAILED],
        ),
    ],
)
def test_filters(client: Client, staff: Staff, query: dict[str, str], expected: list[str]) -> None:
    _seed()
    client.force_login(staff.admin)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert sorted(action for action, _ in _listed(response)) == sorted(expected)
    assert AuditEvent.objects.get(action=AuditAction.RECORD_VIEW).detail["count"] == len(expected)


def test_an_end_date_before_the_start_date_is_a_400(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.admin).get(
        PAGE, {"date_from": "2026-12-02", "date_to": "2026-12-01"}
    )
    assert response.status_code == 400
    assert "date_to" in response.context["form"].errors


def test_pages_of_events_keep_the_filters(client: Client, staff: Staff) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(at=JANUARY_15, action=AuditAction.SIGN_OUT, actor_email=f"u{n}@example.com")
        for n in range(PAGE_SIZE + 5)
    )
    client.force_login(staff.admin)

    first = client.get(PAGE, {"action": "sign_out"})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert b"?action=sign_out&amp;page=2" in first.content

    second = client.get(PAGE, {"action": "sign_out", "page": "2"})
    assert len(second.context["page"].object_list) == 5


# --- The CSV export ----------------------------------------------------------------------------


def test_the_export_is_formula_safe_filtered_and_recorded(client: Client, staff: Staff) -> None:
    _seed()
    client.force_login(staff.admin)

    response = client.get(EXPORT, {"date_from": "2025-01-15", "date_to": "2025-01-15"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert response["Cache-Control"] == "no-store"
    header, *rows = _export_rows(response)
    assert header[:3] == ["at_utc", "action", "outcome"]
    by_action = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_action) == {"record_change", "sign_in_failed"}
    failed = by_action["sign_in_failed"]
    assert failed["actor_email"] == '\'=HYPERLINK("https://evil.example","click")'
    assert failed["user_agent"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert failed["path"] == "'-2+3"
    change = by_action["record_change"]
    assert (change["patient_ref"], change["object_id"], change["detail"]) == (
        "ada@example.com",
        "9",
        '{"fields": ["status"]}',
    )
    assert change["at_utc"] == "2025-01-15T15:00:00+00:00"
    export = AuditEvent.objects.get(action=AuditAction.RECORD_EXPORT)
    assert (export.actor_id, export.object_type) == (staff.admin.pk, "audit_log")
    assert export.detail == {"date_from": "2025-01-15", "date_to": "2025-01-15", "format": "csv"}


def test_an_export_with_bad_filters_is_a_400_and_not_recorded(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.admin).get(EXPORT, {"date_from": "yesterday"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.RECORD_EXPORT).exists()
