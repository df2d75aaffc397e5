"""Staff reads and changes of appointments are recorded, without the visit's reason or answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from stride.audit.models import AuditAction, AuditEvent, AuditOutcome
from stride.scheduling.models import Appointment, AppointmentStatus
from stride.scheduling.tests.test_staff_support import (
    Staff,
    appointment_at,
    at,
    future_monday,
    signed_in,
)

pytestmark = pytest.mark.django_db

REASON = "Sharp pain below the left kneecap since a fall; numbness in two toes"


def _visit(staff: Staff, start: dt.datetime) -> Appointment:
    return appointment_at(
        staff.therapist, start, staff.patient, reason=REASON, red_flags=["saddle_numbness"]
    )


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _nothing_clinical_stored() -> None:
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    for fragment in (REASON, "kneecap", "numbness", "saddle"):
        assert fragment not in stored


def test_the_calendar_records_one_row_per_page_view(client: Client, staff: Staff) -> None:
    day = future_monday()
    for hour in (9, 10, 11):
        _visit(staff, at(day, hour))
    signed_in(client, staff.front_desk)

    response = client.get(
        "/staff/calendar/", {"view": "day", "date": str(day), "therapist": str(staff.therapist.pk)}
    )

    assert response.status_code == 200
    (event,) = _events(AuditAction.RECORD_VIEW)
    assert (event.actor_id, event.object_type, event.patient_id) == (
        staff.front_desk.pk,
        "calendar",
        None,
    )
    assert event.detail == {
        "count": 3,
        "view": "day",
        "first": str(day),
        "therapist": staff.therapist.pk,
    }
    _nothing_clinical_stored()


def test_moving_a_visit_records_the_view_and_the_change(client: Client, staff: Staff) -> None:
    day = future_monday()
    appointment = _visit(staff, at(day, 10))
    signed_in(client, staff.front_desk)

    client.get(f"/staff/appointments/{appointment.pk}/move/")
    client.post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"therapist": staff.therapist.pk, "date": str(day), "time": "14:00"},
    )

    (view,) = _events(AuditAction.RECORD_VIEW)
    (change,) = _events(AuditAction.RECORD_CHANGE)
    for event in (view, change):
        assert (event.patient_id, event.patient_ref) == (staff.patient.pk, staff.patient.email)
        assert (event.object_type, event.object_id) == ("appointment", str(appointment.pk))
        assert event.actor_id == staff.front_desk.pk
    assert change.detail == {"change": "moved", "fields": ["start"]}
    assert change.method == "POST"
    _nothing_clinical_stored()


def test_a_refused_move_is_recorded_as_failed(client: Client, staff: Staff) -> None:
    day = future_monday()
    appointment = _visit(staff, at(day, 10))
    appointment_at(staff.therapist, at(day, 13))

    signed_in(client, staff.front_desk).post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"therapist": staff.therapist.pk, "date": str(day), "time": "12:30"},
    )

    (change,) = _events(AuditAction.RECORD_CHANGE)
    assert change.outcome == AuditOutcome.FAILED
    assert change.detail == {"change": "moved"}


def test_cancelling_records_the_status_change(client: Client, staff: Staff) -> None:
    appointment = _visit(staff, at(future_monday(), 10))
    signed_in(client, staff.therapist_user)

    client.get(f"/staff/appointments/{appointment.pk}/cancel/")
    client.post(f"/staff/appointments/{appointment.pk}/cancel/")

    assert [e.object_id for e in _events(AuditAction.RECORD_VIEW)] == [str(appointment.pk)]
    (change,) = _events(AuditAction.RECORD_CHANGE)
    assert change.detail == {"change": "cancelled", "fields": ["status"]}
    assert (change.actor_id, change.actor_role) == (staff.therapist_user.pk, "therapist")
    assert change.patient_id == staff.patient.pk
    _nothing_clinical_stored()


def test_marking_an_outcome_records_the_new_status(client: Client, staff: Staff) -> None:
    appointment = _visit(staff, at(dt.date(2026, 10, 6), 9))

    signed_in(client, staff.therapist_user).post(
        f"/staff/appointments/{appointment.pk}/mark/", {"status": AppointmentStatus.COMPLETED}
    )

    (change,) = _events(AuditAction.RECORD_CHANGE)
    assert change.detail == {"change": "marked", "fields": ["status"], "status": "completed"}
    assert change.outcome == AuditOutcome.OK
    _nothing_clinical_stored()


def test_booking_for_a_patient_records_the_new_visit(client: Client, staff: Staff) -> None:
    day = future_monday()
    signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/",
        {
            "therapist": staff.therapist.pk,
            "appointment_type": staff.clinic.evaluation.pk,
            "date": str(day),
            "time": "10:00",
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "phone": "(718) 555-0199",
            "date_of_birth": "1990-12-10",
        },
    )

    appointment = Appointment.objects.get(patient__email="ada@example.com")
    (change,) = _events(AuditAction.RECORD_CHANGE)
    assert (change.object_id, change.patient_id, change.patient_ref) == (
        str(appointment.pk),
        appointment.patient_id,
        "ada@example.com",
    )
    assert change.detail == {"change": "booked"}
