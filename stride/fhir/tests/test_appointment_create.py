"""POST /fhir/Appointment: booking a free slot through ``appointment_book`` and its guarantees."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from stride.accounts.models import User
from stride.scheduling.models import Appointment, WorkingHours
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory

from .conftest import MONDAY, NOW, NY, STAFF, Clinic, Clock, local
from .support import FhirClient, base_url

pytestmark = pytest.mark.django_db


def slot_id(clinic: Clinic, start: dt.datetime, type_pk: int | None = None) -> str:
    stamp = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{clinic.therapist.pk}-{type_pk or clinic.evaluation.pk}-{stamp}"


def patient_participant(user: User) -> dict[str, Any]:
    return {"actor": {"reference": f"Patient/{user.pk}"}, "status": "accepted"}


def by_slot(clinic: Clinic, start: dt.datetime, patient: User | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id(clinic, start)}"}],
        "participant": [patient_participant(patient or clinic.patient)],
    }


def by_time(clinic: Clinic, start: dt.datetime | str, **extra: Any) -> dict[str, Any]:
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "start": start if isinstance(start, str) else start.isoformat(),
        "appointmentType": {
            "coding": [
                {
                    "system": f"{base_url()}/CodeSystem/appointment-type",
                    "code": clinic.evaluation.slug,
                }
            ]
        },
        "participant": [
            {
                "actor": {"reference": f"Practitioner/{clinic.therapist.pk}"},
                "status": "accepted",
            },
            patient_participant(clinic.patient),
        ],
    }
    body.update(extra)
    return body


def booked() -> list[Appointment]:
    """Return the appointments the test booked (none exist before)."""
    return list(Appointment.objects.filter(start__gte=NOW).order_by("pk"))


def test_a_patient_books_a_slot_that_search_offered(fhir: FhirClient, clinic: Clinic) -> None:
    fhir.sign_in(clinic.patient)
    offered = fhir.get(
        "Slot",
        {
            "schedule": f"Schedule/{clinic.therapist.pk}",
            "start": ["ge2026-12-07T10:00:00-05:00", "lt2026-12-07T10:01:00-05:00"],
            "appointment-type": "initial-evaluation",
        },
    ).entries[0]
    body = by_slot(clinic, local(MONDAY, 10))
    assert body["slot"] == [{"reference": f"Slot/{offered['id']}"}]

    answer = fhir.post("Appointment", body)

    assert answer.status == 201, answer.data
    (appointment,) = booked()
    assert answer.header("Location") == f"{base_url()}/Appointment/{appointment.pk}"
    assert answer.header("Cache-Control") == "no-store"
    assert answer.data["id"] == str(appointment.pk)
    assert answer.data["status"] == "booked"
    assert (answer.data["start"], answer.data["end"]) == (offered["start"], offered["end"])
    assert (appointment.patient, appointment.therapist) == (clinic.patient, clinic.therapist)
    assert appointment.appointment_type == clinic.evaluation
    assert appointment.start == local(MONDAY, 10)
    assert appointment.booked_by is None
    # The slot is gone from the next search.
    again = fhir.get(
        "Slot",
        {
            "schedule": f"Schedule/{clinic.therapist.pk}",
            "start": ["ge2026-12-07T10:00:00-05:00", "lt2026-12-07T10:01:00-05:00"],
        },
    )
    assert again.data["total"] == 0


def test_the_same_slot_twice_is_409_and_one_appointment(fhir: FhirClient, clinic: Clinic) -> None:
    first = fhir.sign_in(clinic.patient).post("Appointment", by_slot(clinic, local(MONDAY, 9)))
    second = fhir.sign_in(clinic.other_patient).post(
        "Appointment", by_slot(clinic, local(MONDAY, 9), patient=clinic.other_patient)
    )
    overlapping = fhir.post(
        "Appointment",
        by_time(
            clinic,
            local(MONDAY, 9, 30),
            participant=[
                {
                    "actor": {"reference": f"Practitioner/{clinic.therapist.pk}"},
                    "status": "accepted",
                }
            ],
        ),
    )

    assert first.status == 201
    assert second.status == 409
    assert second.issue["code"] == "conflict"
    assert second.expression == ["Appointment.slot[0]"]
    assert overlapping.status == 409
    assert overlapping.expression == ["Appointment.start"]
    assert [a.patient for a in booked()] == [clinic.patient]


def test_a_patient_books_by_start_practitioner_and_type(fhir: FhirClient, clinic: Clinic) -> None:
    body = by_time(clinic, "2026-12-07T19:00:00Z", reasonCode=[{"text": "Sore shoulder"}])
    body["end"] = "2026-12-07T15:00:00-05:00"
    body["minutesDuration"] = 60

    answer = fhir.sign_in(clinic.patient).post("Appointment", body)

    assert answer.status == 201, answer.data
    (appointment,) = booked()
    assert appointment.start == local(MONDAY, 14)
    assert appointment.reason == "Sore shoulder"
    assert answer.data["start"] == "2026-12-07T14:00:00-05:00"
    assert answer.data["reasonCode"] == [{"text": "Sore shoulder"}]


def test_the_patient_participant_may_be_left_out(fhir: FhirClient, clinic: Clinic) -> None:
    body = by_time(clinic, local(MONDAY, 14))
    body["participant"] = body["participant"][:1]

    answer = fhir.sign_in(clinic.patient).post("Appointment", body)

    assert answer.status == 201
    assert [a.patient for a in booked()] == [clinic.patient]


def test_a_patient_cannot_book_for_another_patient(fhir: FhirClient, clinic: Clinic) -> None:
    answer = fhir.sign_in(clinic.patient).post(
        "Appointment", by_slot(clinic, local(MONDAY, 9), patient=clinic.other_patient)
    )

    assert answer.status == 403
    assert answer.issue["code"] == "forbidden"
    assert answer.expression == ["Appointment.participant[0].actor"]
    assert booked() == []


@pytest.mark.parametrize("role", STAFF)
def test_staff_book_for_a_patient(fhir: FhirClient, clinic: Clinic, role: str) -> None:
    staff = clinic.user(role)

    answer = fhir.sign_in(staff).post("Appointment", by_slot(clinic, local(MONDAY, 9)))

    assert answer.status == 201
    (appointment,) = booked()
    assert (appointment.patient, appointment.booked_by) == (clinic.patient, staff)
    assert "reasonCode" not in answer.data


@pytest.mark.parametrize(
    "participant",
    [
        None,
        {"actor": {"reference": "Patient/999999"}, "status": "accepted"},
        {"actor": {"reference": "Patient/abc"}, "status": "accepted"},
        "front_desk",
    ],
)
def test_staff_must_name_an_existing_patient(
    fhir: FhirClient, clinic: Clinic, participant: Any
) -> None:
    body = by_slot(clinic, local(MONDAY, 9))
    if participant is None:
        body["participant"] = [{"actor": {"display": "Somebody"}, "status": "accepted"}]
    elif participant == "front_desk":
        body["participant"] = [patient_participant(clinic.front_desk)]
    else:
        body["participant"] = [participant]

    answer = fhir.sign_in(clinic.front_desk).post("Appointment", body)

    assert answer.status == 422
    assert answer.expression[0].startswith("Appointment.participant")
    assert booked() == []


def test_anonymous_callers_must_sign_in(fhir: FhirClient, clinic: Clinic) -> None:
    answer = fhir.post("Appointment", by_slot(clinic, local(MONDAY, 9)))

    assert answer.status == 401
    assert answer.issue["code"] == "login"
    assert booked() == []


def test_a_session_post_needs_the_csrf_token(clinic: Clinic) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic.patient)
    fhir = FhirClient(client)
    body = by_slot(clinic, local(MONDAY, 9))

    refused = fhir.post("Appointment", body)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    accepted = fhir.post("Appointment", body, HTTP_X_CSRFTOKEN="a" * 32)

    assert refused.status == 403
    assert refused.issue["code"] == "security"
    assert accepted.status == 201


@pytest.mark.parametrize(
    ("body", "status", "expression"),
    [
        ("{not json", 400, None),
        ("[]", 400, "Appointment.resourceType"),
        ({"resourceType": "Patient"}, 400, "Appointment.resourceType"),
        ({"resourceType": "Appointment", "status": "booked"}, 400, "Appointment.participant"),
        ("bad_start", 400, "Appointment.start"),
        ("cancelled", 422, "Appointment.status"),
        ("two_slots", 422, "Appointment.slot"),
        ("unknown_slot", 422, "Appointment.slot[0]"),
        ("no_start", 422, "Appointment.start"),
        ("no_type", 422, "Appointment.appointmentType"),
        ("unknown_type", 422, "Appointment.appointmentType"),
        ("offline_type", 422, "Appointment.appointmentType"),
        ("no_practitioner", 422, "Appointment.participant"),
        ("hidden_practitioner", 422, "Appointment.participant[0].actor"),
        ("location_reference", 422, "Appointment.participant[2].actor"),
        ("wrong_end", 422, "Appointment.end"),
        ("wrong_minutes", 422, "Appointment.minutesDuration"),
        ("off_grid", 422, "Appointment.start"),
        ("past", 422, "Appointment.start"),
        ("too_far", 422, "Appointment.start"),
        ("follow_up_for_new_patient", 422, "Appointment.appointmentType"),
        ("slot_of_other_practitioner", 422, "Appointment.participant[0].actor"),
        ("nul_reason", 422, "Appointment.reasonCode"),
        ("long_reason", 422, "Appointment.reasonCode"),
        ("unknown_participant_status", 400, "Appointment.participant[0].status"),
        ("markup_participant_status", 400, "Appointment.participant[0].status"),
    ],
)
def test_bad_requests_name_the_element_at_fault(
    fhir: FhirClient, clinic: Clinic, body: Any, status: int, expression: str | None
) -> None:
    start = local(MONDAY, 9)
    bodies: dict[str, Any] = {
        "bad_start": by_time(clinic, "2026-12-07T09:00:00"),
        "cancelled": by_time(clinic, start, status="cancelled"),
        "two_slots": {**by_slot(clinic, start), "slot": [{"reference": "Slot/a"}] * 2},
        "unknown_slot": {**by_slot(clinic, start), "slot": [{"reference": "Slot/1-1-x"}]},
        "no_start": {k: v for k, v in by_time(clinic, start).items() if k != "start"},
        "no_type": {k: v for k, v in by_time(clinic, start).items() if k != "appointmentType"},
        "unknown_type": by_time(clinic, start, appointmentType={"coding": [{"code": "yoga"}]}),
        "offline_type": by_time(
            clinic, start, appointmentType={"coding": [{"code": "dry-needling"}]}
        ),
        "no_practitioner": {
            **by_time(clinic, start),
            "participant": [patient_participant(clinic.patient)],
        },
        "hidden_practitioner": {
            **by_time(clinic, start),
            "participant": [
                {"actor": {"reference": f"Practitioner/{clinic.hidden.pk}"}, "status": "accepted"}
            ],
        },
        "location_reference": {
            **by_time(clinic, start),
            "participant": [
                *by_time(clinic, start)["participant"],
                {"actor": {"reference": "Location/1"}, "status": "accepted"},
            ],
        },
        "wrong_end": by_time(clinic, start, end="2026-12-07T09:45:00-05:00"),
        "wrong_minutes": by_time(clinic, start, minutesDuration=45),
        "off_grid": by_time(clinic, local(MONDAY, 9, 5)),
        "past": by_time(clinic, local(dt.date(2026, 11, 30), 9)),
        "too_far": by_time(clinic, local(dt.date(2027, 3, 1), 9)),
        "follow_up_for_new_patient": by_time(
            clinic, start, appointmentType={"coding": [{"code": "follow-up"}]}
        ),
        "slot_of_other_practitioner": {
            **by_slot(clinic, start),
            "participant": [
                {"actor": {"reference": f"Practitioner/{clinic.hidden.pk}"}, "status": "accepted"}
            ],
        },
        "nul_reason": by_time(clinic, start, reasonCode=[{"text": "knee\u0000"}]),
        "long_reason": by_time(clinic, start, reasonCode=[{"text": "x" * 1001}]),
        # ParticipationStatus is a required binding: accepted, declined, tentative, needs-action.
        "unknown_participant_status": {
            **by_slot(clinic, start),
            "participant": [
                {"actor": {"reference": f"Practitioner/{clinic.therapist.pk}"}, "status": "maybe"}
            ],
        },
        "markup_participant_status": {
            **by_slot(clinic, start),
            "participant": [
                {
                    "actor": {"reference": f"Practitioner/{clinic.therapist.pk}"},
                    "status": "<script>alert(1)</script>",
                }
            ],
        },
    }
    payload = bodies.get(body, body) if isinstance(body, str) else body

    answer = fhir.sign_in(clinic.patient).post("Appointment", payload)

    assert answer.status == status, answer.data
    assert answer.type == "OperationOutcome"
    if expression is not None:
        assert answer.expression == [expression]
    assert answer.header("Cache-Control") == "no-store"
    assert booked() == []


def test_a_body_that_is_not_fhir_json_is_415(fhir: FhirClient, clinic: Clinic) -> None:
    answer = fhir.sign_in(clinic.patient).post(
        "Appointment", json.dumps(by_slot(clinic, local(MONDAY, 9))), content_type="text/plain"
    )

    assert answer.status == 415
    assert booked() == []


def test_a_huge_body_is_413(fhir: FhirClient, clinic: Clinic, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = by_time(clinic, local(MONDAY, 9), comment="x" * 2000)

    answer = fhir.sign_in(clinic.patient).post("Appointment", body)

    assert answer.status == 413


def test_booking_shares_the_booking_rate_limit(
    fhir: FhirClient, clinic: Clinic, settings: Any
) -> None:
    settings.STRIDE_RATE_LIMIT_BOOKING = "2/3600"
    fhir.client.post("/api/v1/bookings", data="{}", content_type="application/json")
    fhir.sign_in(clinic.patient)

    allowed = fhir.post("Appointment", by_slot(clinic, local(MONDAY, 9)))
    limited = fhir.post("Appointment", by_slot(clinic, local(MONDAY, 11)))

    assert allowed.status == 201
    assert limited.status == 429
    assert limited.issue["code"] == "throttled"
    assert limited.header("Retry-After") == "3600"
    assert len(booked()) == 1


def test_a_returning_patient_books_a_follow_up(fhir: FhirClient, clinic: Clinic) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        patient=clinic.patient,
        start=local(dt.date(2026, 10, 5), 9),
        status="completed",
    )
    body = by_time(
        clinic,
        local(MONDAY, 9),
        appointmentType={"coding": [{"code": "follow-up"}, {"system": "http://x", "code": "y"}]},
    )

    answer = fhir.sign_in(clinic.patient).post("Appointment", body)

    assert answer.status == 201, answer.data
    assert answer.data["minutesDuration"] == 45


def test_booking_across_the_fall_back_change(
    fhir: FhirClient, clinic: Clinic, clock: Clock
) -> None:
    """01:30 on 2026-11-01 happens twice in New York; only the first (EDT) is a grid start."""
    clock.now = dt.datetime(2026, 10, 26, 12, tzinfo=NY)
    therapist = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], hours=False
    )
    WorkingHours.objects.create(therapist=therapist, weekday=6, start=dt.time(0), end=dt.time(4))
    fhir.sign_in(clinic.patient)

    def body(start: str) -> dict[str, Any]:
        return by_time(
            clinic,
            start,
            participant=[
                {"actor": {"reference": f"Practitioner/{therapist.pk}"}, "status": "accepted"}
            ],
        )

    second_occurrence = fhir.post("Appointment", body("2026-11-01T01:30:00-05:00"))
    first_occurrence = fhir.post("Appointment", body("2026-11-01T01:30:00-04:00"))

    assert second_occurrence.status == 422
    assert second_occurrence.expression == ["Appointment.start"]
    assert first_occurrence.status == 201
    assert first_occurrence.data["start"] == "2026-11-01T01:30:00-04:00"
    assert first_occurrence.data["end"] == "2026-11-01T01:30:00-05:00"
    (appointment,) = Appointment.objects.filter(therapist=therapist)
    assert appointment.start == dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    assert appointment.end == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
