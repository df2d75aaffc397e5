"""The public booking API at /api/v1/: lists, availability, booking and token-managed changes.

"Now" is frozen at the conftest's NOW (Tuesday 2026-12-01 12:00 New York) by patching
``django.utils.timezone.now``, which the services and selectors read; tests book MONDAY after.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.test import Client
from django.utils import timezone

from stride.core.generations import BOOKING
from stride.core.models import CacheGeneration
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    RedFlag,
    Therapist,
    manage_token_hash,
)
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    InsurancePlanFactory,
    LocationFactory,
    TherapistFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
NEW_PATIENT = {"name": "Pat Example", "email": "pat@example.org", "phone": "555-0101"}


class Clock:
    """The time ``timezone.now()`` answers during a test; move it by setting ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock(NOW.astimezone(dt.UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    yield frozen


def post(client: Client, path: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"{API}{path}", data=data, content_type="application/json", **extra)


def booking_body(clinic: Clinic, start: dt.datetime | str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "appointment_type": clinic.evaluation.pk,
        "therapist": clinic.therapist.pk,
        "start": start if isinstance(start, str) else start.isoformat(),
        "patient": dict(NEW_PATIENT),
    }
    body.update(overrides)
    return body


def book(client: Client, clinic: Clinic, start: dt.datetime, **overrides: Any) -> Any:
    return post(client, "/bookings", booking_body(clinic, start, **overrides))


def new_appointments() -> QuerySet[Appointment]:
    """Return the appointments booked by a test (the clinic fixture holds a past one)."""
    return Appointment.objects.filter(start__gte=NOW)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def available(client: Client, query: Mapping[str, Any]) -> Any:
    return client.get(f"{API}/availability", query)


def slots(client: Client, clinic: Clinic, day: dt.date = MONDAY, **params: Any) -> Any:
    query: dict[str, Any] = {
        "appointment_type": clinic.evaluation.pk,
        "start": day,
        "end": day,
        **params,
    }
    response = available(client, query)
    assert response.status_code == 200, response.content
    return response.json()["slots"]


def starts(client: Client, clinic: Clinic, **params: Any) -> list[str]:
    return [slot["start"] for slot in slots(client, clinic, **params)]


def assert_invalid(response: Any, field: str) -> str:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["fields"], body
    return str(body["fields"][field])


# --- Lists -------------------------------------------------------------------------------------


def test_appointment_types_lists_online_types_in_order(client: Client, clinic: Clinic) -> None:
    AppointmentTypeFactory.create(name="Phone only", bookable_online=False)
    # The clinic's order wins over the alphabet ("Follow-up" < "Initial evaluation").
    clinic.follow_up.order, clinic.short.order = 5, 9
    clinic.follow_up.save()
    clinic.short.save()

    response = client.get(f"{API}/appointment-types")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": clinic.evaluation.pk,
            "name": "Initial evaluation",
            "slug": "initial-evaluation",
            "duration_minutes": 60,
            "new_patients": True,
        },
        {
            "id": clinic.follow_up.pk,
            "name": "Follow-up",
            "slug": "follow-up",
            "duration_minutes": 45,
            "new_patients": False,
        },
        {
            "id": clinic.short.pk,
            "name": "Short follow-up",
            "slug": "short-follow-up",
            "duration_minutes": 30,
            "new_patients": False,
        },
    ]


def test_therapists_lists_public_therapists_with_their_online_types(
    client: Client, clinic: Clinic, django_assert_num_queries: Any
) -> None:
    offline = AppointmentTypeFactory.create(bookable_online=False)
    clinic.therapist.appointment_types.add(offline)
    TherapistFactory.create(location=clinic.location, is_public=False)

    with django_assert_num_queries(2):
        response = client.get(f"{API}/therapists")

    assert response.status_code == 200
    t = clinic.therapist
    assert response.json() == [
        {
            "id": t.pk,
            "name": t.display_name,
            "credentials": "PT, DPT",
            # In the clinic's order (by name here), online types only.
            "appointment_types": [clinic.follow_up.pk, clinic.evaluation.pk, clinic.short.pk],
            "location": clinic.location.pk,
        }
    ]


def test_therapist_list_query_count_does_not_grow(
    client: Client, clinic: Clinic, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        TherapistFactory.create(location=clinic.location, types=clinic.types())

    with django_assert_num_queries(2):
        response = client.get(f"{API}/therapists")

    assert len(response.json()) == 4


# --- Availability ------------------------------------------------------------------------------


def test_availability_lists_local_slots_with_offsets(client: Client, clinic: Clinic) -> None:
    response = available(
        client,
        {"appointment_type": clinic.evaluation.pk, "start": MONDAY, "end": MONDAY},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "America/New_York"
    assert body["slots"][0] == {
        "therapist": clinic.therapist.pk,
        "start": "2026-12-07T09:00:00-05:00",
        "end": "2026-12-07T10:00:00-05:00",
    }
    # 09:00-11:00 and 13:00-16:00 on a 15-minute grid, for a 60-minute visit.
    assert len(body["slots"]) == 9 + 13
    assert body["slots"][-1]["start"] == "2026-12-07T16:00:00-05:00"


def test_availability_sorts_by_start_then_therapist(client: Client, clinic: Clinic) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    AppointmentFactory.create(
        therapist=other, appointment_type=clinic.evaluation, start=local(MONDAY, 9)
    )

    listed = slots(client, clinic)

    keys = [(s["start"], s["therapist"]) for s in listed]
    assert keys == sorted(keys)
    at_nine = [s["therapist"] for s in listed if s["start"] == "2026-12-07T09:00:00-05:00"]
    assert at_nine == [clinic.therapist.pk]
    at_eleven = [s["therapist"] for s in listed if s["start"] == "2026-12-07T11:00:00-05:00"]
    assert at_eleven == sorted([clinic.therapist.pk, other.pk])


def test_availability_for_one_therapist(client: Client, clinic: Clinic) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])

    listed = slots(client, clinic, therapist=other.pk)

    assert listed and {s["therapist"] for s in listed} == {other.pk}


def test_availability_spans_up_to_31_days_inclusive(client: Client, clinic: Clinic) -> None:
    first = dt.date(2026, 12, 1)
    ok = available(
        client,
        {"appointment_type": clinic.evaluation.pk, "start": first, "end": dt.date(2026, 12, 31)},
    )
    too_long = available(
        client,
        {"appointment_type": clinic.evaluation.pk, "start": first, "end": dt.date(2027, 1, 1)},
    )

    assert ok.status_code == 200
    assert ok.json()["slots"][-1]["start"].startswith("2026-12-31T")
    assert "31 days" in assert_invalid(too_long, "end")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-12-08", "end": "2026-12-07"}, "end"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": "tomorrow"}, "start"),
        ({"end": "0001-01-01"}, "end"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "start"),
        ({"appointment_type": 999_999}, "appointment_type"),
        ({"appointment_type": "one"}, "appointment_type"),
        ({"appointment_type": 10**30}, "appointment_type"),
        ({"therapist": 999_999}, "therapist"),
        ({"therapist": -1}, "therapist"),
    ],
)
def test_availability_bad_input_names_the_field(
    client: Client, clinic: Clinic, params: dict[str, Any], field: str
) -> None:
    query = {"appointment_type": clinic.evaluation.pk, "start": MONDAY, "end": MONDAY, **params}

    assert_invalid(available(client, query), field)


def test_availability_refuses_missing_parameters(client: Client, clinic: Clinic) -> None:
    response = client.get(f"{API}/availability")

    assert response.status_code == 422
    assert {"appointment_type", "start", "end"} <= set(response.json()["fields"])


def test_availability_refuses_offline_types_and_therapists_not_offering_the_type(
    client: Client, clinic: Clinic
) -> None:
    offline = AppointmentTypeFactory.create(bookable_online=False)
    clinic.therapist.appointment_types.add(offline)
    other = TherapistFactory.create(location=clinic.location, types=[clinic.short])
    hidden = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], is_public=False
    )
    base = {"start": MONDAY, "end": MONDAY}

    offline_answer = available(client, {**base, "appointment_type": offline.pk})
    not_offered = available(
        client,
        {**base, "appointment_type": clinic.evaluation.pk, "therapist": other.pk},
    )
    not_public = available(
        client,
        {**base, "appointment_type": clinic.evaluation.pk, "therapist": hidden.pk},
    )

    assert_invalid(offline_answer, "appointment_type")
    assert "does not offer" in assert_invalid(not_offered, "therapist")
    assert_invalid(not_public, "therapist")


def _busy_therapists(clinic: Clinic, count: int) -> list[Therapist]:
    therapists = [clinic.therapist]
    therapists += [
        TherapistFactory.create(location=clinic.location, types=clinic.types())
        for _ in range(count - 1)
    ]
    for n, therapist in enumerate(therapists):
        AppointmentFactory.create(
            therapist=therapist,
            appointment_type=clinic.evaluation,
            start=local(MONDAY + dt.timedelta(days=n), 10),
        )
        TimeOffFactory.create(
            therapist=therapist,
            start=local(MONDAY + dt.timedelta(days=7), 9),
            end=local(MONDAY + dt.timedelta(days=7), 17),
        )
    return therapists


@pytest.mark.parametrize(("therapists", "days"), [(1, 1), (10, 31)])
def test_availability_query_count_is_constant(
    client: Client,
    clinic: Clinic,
    django_assert_num_queries: Any,
    therapists: int,
    days: int,
) -> None:
    _busy_therapists(clinic, therapists)
    query = {
        "appointment_type": clinic.evaluation.pk,
        "start": MONDAY,
        "end": MONDAY + dt.timedelta(days=days - 1),
    }

    # Booking generation, type, therapists, then hours, time off, closures, visits, rules.
    with django_assert_num_queries(8):
        response = available(client, query)
    with django_assert_num_queries(8):
        one = available(client, {**query, "therapist": clinic.therapist.pk})
    with django_assert_num_queries(9):  # and the location
        located = available(client, {**query, "location": clinic.location.pk})
    # Asked again: the booking generation alone, to check the cached answer is current.
    with django_assert_num_queries(1):
        again = available(client, query)

    assert response.status_code == one.status_code == located.status_code == 200
    assert len({s["therapist"] for s in response.json()["slots"]}) == therapists
    assert again.content == response.content
    assert located.json() == response.json()


# --- Availability by location and its cache ----------------------------------------------------


def test_availability_of_a_location_lists_all_its_therapists_in_its_zone(
    client: Client, clinic: Clinic
) -> None:
    colleague = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    elsewhere = LocationFactory.create(timezone="America/Los_Angeles")
    away = TherapistFactory.create(location=elsewhere, types=[clinic.evaluation])
    query = {"appointment_type": clinic.evaluation.pk, "start": MONDAY, "end": MONDAY}

    here = available(client, {**query, "location": clinic.location.pk}).json()
    there = available(client, {**query, "location": elsewhere.pk}).json()
    everyone = available(client, query).json()

    assert {s["therapist"] for s in here["slots"]} == {clinic.therapist.pk, colleague.pk}
    assert here["timezone"] == "America/New_York"
    assert {s["therapist"] for s in there["slots"]} == {away.pk}
    assert there["timezone"] == "America/Los_Angeles"
    assert there["slots"][0]["start"] == "2026-12-07T09:00:00-08:00"
    assert {s["therapist"] for s in everyone["slots"]} == {
        clinic.therapist.pk,
        colleague.pk,
        away.pk,
    }


def test_availability_of_an_unknown_location_or_a_therapist_elsewhere_is_422(
    client: Client, clinic: Clinic
) -> None:
    elsewhere = LocationFactory.create()
    query = {"appointment_type": clinic.evaluation.pk, "start": MONDAY, "end": MONDAY}

    unknown = available(client, {**query, "location": 999_999})
    mismatched = available(
        client, {**query, "location": elsewhere.pk, "therapist": clinic.therapist.pk}
    )

    assert assert_invalid(unknown, "location") == "Unknown location."
    assert "another location" in assert_invalid(mismatched, "therapist")
    assert_invalid(available(client, {**query, "location": "main"}), "location")


def test_a_slot_booked_is_never_offered_again_even_when_asked_at_once(
    client: Client, clinic: Clinic
) -> None:
    ten = "2026-12-07T10:00:00-05:00"
    for params in ({}, {"therapist": clinic.therapist.pk}, {"location": clinic.location.pk}):
        assert ten in starts(client, clinic, **params)  # cached now

    assert book(client, clinic, local(MONDAY, 10)).status_code == 201

    for params in ({}, {"therapist": clinic.therapist.pk}, {"location": clinic.location.pk}):
        assert ten not in starts(Client(), clinic, **params)


def test_a_booking_made_on_another_app_server_shows_at_once(client: Client, clinic: Clinic) -> None:
    """Another server's booking reaches this one only through the database's generation."""
    assert "2026-12-07T10:00:00-05:00" in starts(client, clinic)

    # What appointment_book does there, in one transaction; this process's cache is not told.
    with transaction.atomic():
        Appointment.objects.bulk_create(
            [
                AppointmentFactory.build(
                    therapist=clinic.therapist,
                    appointment_type=clinic.evaluation,
                    patient=clinic.patient,
                    start=local(MONDAY, 10),
                )
            ]
        )
        CacheGeneration.objects.filter(name=BOOKING).update(
            value=F("value") + 1, changed_at=timezone.now()
        )

    assert "2026-12-07T10:00:00-05:00" not in starts(client, clinic)


def test_time_off_and_hours_changes_show_at_once(client: Client, clinic: Clinic) -> None:
    assert "2026-12-07T09:00:00-05:00" in starts(client, clinic)

    TimeOffFactory.create(therapist=clinic.therapist, start=local(MONDAY, 8), end=local(MONDAY, 12))
    assert "2026-12-07T09:00:00-05:00" not in starts(client, clinic)

    clinic.therapist.working_hours.filter(weekday=MONDAY.weekday()).delete()
    assert starts(client, clinic) == []


def test_cached_slots_leave_when_the_notice_runs_out_and_the_horizon_moves_at_midnight(
    client: Client, clinic: Clinic, clock: Clock
) -> None:
    tuesday = dt.date(2026, 12, 1)  # NOW is 12:00; two hours' notice
    assert starts(client, clinic, day=tuesday)[0] == "2026-12-01T14:00:00-05:00"
    horizon = tuesday + dt.timedelta(days=clinic.rules.horizon_days + 1)
    while horizon.weekday() >= 5:
        horizon += dt.timedelta(days=1)
    assert slots(client, clinic, day=horizon) == []

    clock.now = local(tuesday, 12, 1).astimezone(dt.UTC)
    assert starts(client, clinic, day=tuesday)[0] == "2026-12-01T14:15:00-05:00"

    clock.now = local(horizon - dt.timedelta(days=clinic.rules.horizon_days), 0, 1)
    assert slots(client, clinic, day=horizon) != []


# --- Booking -----------------------------------------------------------------------------------


def test_booking_a_free_slot_answers_201_with_a_manage_token(
    client: Client, clinic: Clinic, settings: Any
) -> None:
    settings.SITE_URL = "https://clinic.example"

    response = book(client, clinic, local(MONDAY, 10))

    assert response.status_code == 201, response.content
    body = response.json()
    appointment = new_appointments().get()
    token = body.pop("manage_token")
    assert body == {
        "id": appointment.pk,
        "status": "confirmed",
        "start": "2026-12-07T10:00:00-05:00",
        "end": "2026-12-07T11:00:00-05:00",
        "therapist": clinic.therapist.pk,
        "appointment_type": clinic.evaluation.pk,
        "manage_url": f"https://clinic.example/appointments/{appointment.pk}/manage/{token}/",
    }
    assert appointment.patient.email == "pat@example.org"
    assert appointment.patient.patient_profile.phone == "555-0101"


def test_booking_accepts_utc_and_the_optional_fields(client: Client, clinic: Clinic) -> None:
    plan = InsurancePlanFactory.create()

    response = book(
        client,
        clinic,
        local(MONDAY, 10).astimezone(dt.UTC),
        reason="Low back pain",
        insurance_plan=plan.pk,
        has_referral=True,
        red_flags=[RedFlag.NIGHT_PAIN.value, RedFlag.FEVER.value],
    )

    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2026-12-07T10:00:00-05:00"
    appointment = new_appointments().get()
    assert appointment.reason == "Low back pain"
    assert appointment.insurance_plan == plan
    assert appointment.has_referral is True
    assert appointment.red_flags == ["night_pain", "fever"]


def test_booking_removes_the_slot_from_availability(client: Client, clinic: Clinic) -> None:
    assert "2026-12-07T10:00:00-05:00" in starts(client, clinic)

    book(client, clinic, local(MONDAY, 10))

    after = starts(client, clinic)
    assert "2026-12-07T10:00:00-05:00" not in after
    assert "2026-12-07T09:15:00-05:00" not in after  # would run into 10:00
    assert "2026-12-07T11:00:00-05:00" in after


def test_booking_the_same_slot_twice_conflicts(client: Client, clinic: Clinic) -> None:
    assert book(client, clinic, local(MONDAY, 10)).status_code == 201

    again = book(client, clinic, local(MONDAY, 10), patient={**NEW_PATIENT, "email": "b@x.org"})

    assert again.status_code == 409
    assert again.json() == {
        "error": "slot_unavailable",
        "detail": "That time has just been taken; please choose another.",
    }
    assert new_appointments().count() == 1


def test_booking_an_overlapping_shorter_visit_conflicts(client: Client, clinic: Clinic) -> None:
    assert book(client, clinic, local(MONDAY, 10)).status_code == 201
    returning = {**NEW_PATIENT, "email": clinic.returning.email}

    overlapping = book(
        client,
        clinic,
        local(MONDAY, 10, 30),
        appointment_type=clinic.short.pk,
        patient=returning,
    )

    assert overlapping.status_code == 409
    assert overlapping.json()["error"] == "slot_unavailable"


def test_booking_during_time_off_conflicts(client: Client, clinic: Clinic) -> None:
    TimeOffFactory.create(therapist=clinic.therapist, start=local(MONDAY, 9), end=local(MONDAY, 12))

    response = book(client, clinic, local(MONDAY, 10))

    assert response.status_code == 409
    assert response.json()["error"] == "slot_unavailable"


def _long(n: int) -> str:
    return "x" * n


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"appointment_type": "evaluation"}, "appointment_type"),
        ({"appointment_type": 999_999}, "appointment_type"),
        ({"appointment_type": 10**30}, "appointment_type"),
        ({"therapist": 999_999}, "therapist"),
        ({"therapist": None}, "therapist"),
        ({"insurance_plan": 999_999}, "insurance_plan"),
        ({"start": local(MONDAY, 10, 5).isoformat()}, "start"),  # off the grid
        ({"start": local(MONDAY, 10, 0).replace(second=30).isoformat()}, "start"),
        ({"start": "2026-11-30T10:00:00-05:00"}, "start"),  # in the past
        ({"start": "2026-12-01T13:00:00-05:00"}, "start"),  # within the 2-hour notice
        ({"start": "2027-03-01T10:00:00-05:00"}, "start"),  # past the 60-day horizon
        ({"start": "2026-12-07T18:00:00-05:00"}, "start"),  # after hours
        ({"start": "2026-12-05T10:00:00-05:00"}, "start"),  # Saturday
        ({"start": "2026-12-07T10:00:00"}, "start"),  # no offset
        ({"start": "2026-12-07"}, "start"),
        ({"start": "next monday"}, "start"),
        ({"start": "9999-12-31T23:00:00-12:00"}, "start"),
        ({"start": "0001-01-01T00:00:00+14:00"}, "start"),
        ({"patient": {**NEW_PATIENT, "email": "not-an-email"}}, "patient.email"),
        ({"patient": {**NEW_PATIENT, "name": _long(121)}}, "patient.name"),
        ({"patient": {**NEW_PATIENT, "name": "   "}}, "patient.name"),
        ({"patient": {**NEW_PATIENT, "name": "Pat\x00"}}, "patient.name"),
        ({"patient": {**NEW_PATIENT, "name": "Pat \ud800"}}, "patient.name"),
        ({"patient": {**NEW_PATIENT, "phone": _long(31)}}, "patient.phone"),
        # The characters and digits the booking page's phone field takes, no others.
        ({"patient": {**NEW_PATIENT, "phone": "<script>alert(1)</script>"}}, "patient.phone"),
        ({"patient": {**NEW_PATIENT, "phone": "555-0101\r\nBcc: x@evil.example"}}, "patient.phone"),
        ({"patient": {**NEW_PATIENT, "phone": "call me"}}, "patient.phone"),
        ({"patient": {**NEW_PATIENT, "phone": "12"}}, "patient.phone"),
        ({"patient": {"name": "Pat", "phone": "1"}}, "patient.email"),
        ({"patient": None}, "patient.email"),
        ({"patient": "Pat"}, "patient.email"),
        ({"reason": _long(1001)}, "reason"),
        ({"reason": "knee\x00"}, "reason"),
        ({"idempotency_key": _long(65)}, "idempotency_key"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"red_flags": ["made_up"]}, "red_flags"),
        ({"red_flags": "fever"}, "red_flags"),
        ({"red_flags": [1]}, "red_flags"),
        ({"has_referral": "maybe"}, "has_referral"),
    ],
)
def test_booking_bad_input_names_the_field(
    client: Client, clinic: Clinic, overrides: dict[str, Any], field: str
) -> None:
    body = {**booking_body(clinic, local(MONDAY, 10)), **overrides}

    assert_invalid(post(client, "/bookings", body), field)
    assert not new_appointments().exists()


def test_booking_with_an_emergency_red_flag_is_refused_with_urgent_advice(
    client: Client, clinic: Clinic
) -> None:
    response = book(
        client, clinic, local(MONDAY, 10), red_flags=["fever", RedFlag.SADDLE_NUMBNESS.value]
    )

    message = assert_invalid(response, "red_flags")
    assert "emergency" in message and "now" in message
    assert not new_appointments().exists()


def test_a_new_patient_cannot_book_a_follow_up(client: Client, clinic: Clinic) -> None:
    response = book(client, clinic, local(MONDAY, 10), appointment_type=clinic.follow_up.pk)

    assert "initial evaluation" in assert_invalid(response, "appointment_type")


def test_a_refused_booking_leaves_no_new_patient(client: Client, clinic: Clinic) -> None:
    from stride.accounts.models import User

    response = book(client, clinic, local(MONDAY, 10, 5))

    assert response.status_code == 422
    assert not User.objects.filter(email="pat@example.org").exists()


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe\x00", "", "[]", "null", '"text"'])
def test_booking_malformed_bodies_are_422(client: Client, clinic: Clinic, raw: Any) -> None:
    response = post(client, "/bookings", raw)

    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_booking_the_same_idempotency_key_twice_returns_the_first_booking(
    client: Client, clinic: Clinic
) -> None:
    first = book(client, clinic, local(MONDAY, 10), idempotency_key="req-1")
    repeat = book(client, clinic, local(MONDAY, 10), idempotency_key="req-1")

    assert first.status_code == 201
    assert repeat.status_code == 200
    assert repeat.json()["id"] == first.json()["id"]
    assert repeat.json()["manage_token"] is None
    assert repeat.json()["manage_url"] is None
    assert repeat.json()["start"] == first.json()["start"]
    assert new_appointments().count() == 1


def test_an_idempotency_key_reused_for_another_slot_is_refused(
    client: Client, clinic: Clinic
) -> None:
    assert book(client, clinic, local(MONDAY, 10), idempotency_key="req-1").status_code == 201

    other = book(client, clinic, local(MONDAY, 13), idempotency_key="req-1")

    assert_invalid(other, "idempotency_key")
    assert new_appointments().count() == 1


def test_posts_work_without_a_csrf_token(clinic: Clinic) -> None:
    csrf_client = Client(enforce_csrf_checks=True)

    booked = book(csrf_client, clinic, local(MONDAY, 10))
    token = booked.json()["manage_token"]
    cancelled = post(
        csrf_client, f"/bookings/{booked.json()['id']}/cancel", {}, headers=bearer(token)
    )

    assert booked.status_code == 201
    assert cancelled.status_code == 200


# --- Rate limit --------------------------------------------------------------------------------


def test_booking_attempts_are_rate_limited_per_ip(
    client: Client, clinic: Clinic, settings: Any
) -> None:
    settings.STRIDE_RATE_LIMIT_BOOKING = "2/3600"

    first = book(client, clinic, local(MONDAY, 10))
    invalid = post(client, "/bookings", "{not json")
    limited = book(client, clinic, local(MONDAY, 13))
    elsewhere = post(
        client, "/bookings", booking_body(clinic, local(MONDAY, 14)), REMOTE_ADDR="10.0.0.9"
    )

    assert first.status_code == 201
    assert invalid.status_code == 422  # counted too
    assert limited.status_code == 429
    assert limited.json() == {"error": "rate_limited", "detail": "Too many requests."}
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert elsewhere.status_code == 201
    assert new_appointments().count() == 2


def test_rate_limits_can_be_switched_off(client: Client, clinic: Clinic, settings: Any) -> None:
    settings.STRIDE_RATE_LIMIT_BOOKING = "1/3600"
    settings.STRIDE_RATE_LIMITS = False

    answers = [post(client, "/bookings", "{}").status_code for _ in range(3)]

    assert answers == [422, 422, 422]


def test_reading_and_listing_are_not_rate_limited(
    client: Client, clinic: Clinic, settings: Any
) -> None:
    settings.STRIDE_RATE_LIMIT_BOOKING = "1/3600"
    booked = book(client, clinic, local(MONDAY, 10)).json()

    for _ in range(3):
        assert client.get(f"{API}/therapists").status_code == 200
        detail = client.get(
            f"{API}/bookings/{booked['id']}", headers=bearer(booked["manage_token"])
        )
        assert detail.status_code == 200


# --- Managing a booking by token ---------------------------------------------------------------


@pytest.fixture
def booked(client: Client, clinic: Clinic) -> dict[str, Any]:
    response = book(client, clinic, local(MONDAY, 10))
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def test_the_token_reads_the_booking(client: Client, clinic: Clinic, booked: Any) -> None:
    response = client.get(f"{API}/bookings/{booked['id']}", headers=bearer(booked["manage_token"]))

    assert response.status_code == 200
    assert response.json() == {
        "id": booked["id"],
        "status": "confirmed",
        "start": "2026-12-07T10:00:00-05:00",
        "end": "2026-12-07T11:00:00-05:00",
        "therapist": clinic.therapist.pk,
        "appointment_type": clinic.evaluation.pk,
        "timezone": "America/New_York",
        "can_cancel": True,
        "cancel_deadline": "2026-12-06T10:00:00-05:00",
    }


def test_after_the_deadline_the_booking_cannot_be_cancelled_online(
    client: Client, clinic: Clinic, booked: Any, clock: Clock
) -> None:
    clock.now = local(MONDAY - dt.timedelta(days=1), 10, 1)

    detail = client.get(f"{API}/bookings/{booked['id']}", headers=bearer(booked["manage_token"]))
    cancel = post(
        client, f"/bookings/{booked['id']}/cancel", {}, headers=bearer(booked["manage_token"])
    )
    move = post(
        client,
        f"/bookings/{booked['id']}/reschedule",
        {"start": local(MONDAY, 13).isoformat()},
        headers=bearer(booked["manage_token"]),
    )

    assert detail.json()["can_cancel"] is False
    assert cancel.status_code == move.status_code == 409
    assert cancel.json() == move.json()
    assert cancel.json()["error"] == "cancellation_window_passed"
    assert "call the clinic at (718) 555-0100" in cancel.json()["detail"]
    assert new_appointments().get().status == AppointmentStatus.CONFIRMED


def test_cancelling_frees_the_slot_at_once_and_is_idempotent(
    client: Client, clinic: Clinic, booked: Any
) -> None:
    url = f"/bookings/{booked['id']}/cancel"
    assert "2026-12-07T10:00:00-05:00" not in starts(client, clinic)

    first = post(client, url, {}, headers=bearer(booked["manage_token"]))
    again = post(client, url, None, headers=bearer(booked["manage_token"]))

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == again.json()["status"] == "cancelled"
    assert first.json()["can_cancel"] is False
    assert "2026-12-07T10:00:00-05:00" in starts(client, clinic)
    assert book(client, clinic, local(MONDAY, 10), patient={**NEW_PATIENT, "email": "b@x.org"})


def test_rescheduling_moves_the_booking_in_place(
    client: Client, clinic: Clinic, booked: Any
) -> None:
    response = post(
        client,
        f"/bookings/{booked['id']}/reschedule",
        {"start": "2026-12-08T14:00:00-05:00"},
        headers=bearer(booked["manage_token"]),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == booked["id"]
    assert (body["start"], body["end"]) == (
        "2026-12-08T14:00:00-05:00",
        "2026-12-08T15:00:00-05:00",
    )
    assert body["status"] == "confirmed"
    assert "2026-12-07T10:00:00-05:00" in starts(client, clinic)
    assert "2026-12-08T14:00:00-05:00" not in starts(client, clinic, day=dt.date(2026, 12, 8))
    assert new_appointments().count() == 1
    # The token still opens the moved booking.
    detail = client.get(f"{API}/bookings/{booked['id']}", headers=bearer(booked["manage_token"]))
    assert detail.json()["start"] == "2026-12-08T14:00:00-05:00"


def test_rescheduling_to_another_therapist(client: Client, clinic: Clinic, booked: Any) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])

    response = post(
        client,
        f"/bookings/{booked['id']}/reschedule",
        {"start": local(MONDAY, 10).isoformat(), "therapist": other.pk},
        headers=bearer(booked["manage_token"]),
    )

    assert response.status_code == 200, response.content
    assert response.json()["therapist"] == other.pk


def test_rescheduling_onto_a_taken_slot_conflicts(
    client: Client, clinic: Clinic, booked: Any
) -> None:
    other = book(client, clinic, local(MONDAY, 13), patient={**NEW_PATIENT, "email": "b@x.org"})
    assert other.status_code == 201

    response = post(
        client,
        f"/bookings/{booked['id']}/reschedule",
        {"start": local(MONDAY, 13, 30).isoformat()},
        headers=bearer(booked["manage_token"]),
    )

    assert response.status_code == 409
    assert response.json()["error"] == "slot_unavailable"
    assert Appointment.objects.get(pk=booked["id"]).start == local(MONDAY, 10)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-12-07T10:05:00-05:00"}, "start"),
        ({"start": "2026-12-07T10:00:00"}, "start"),
        ({"start": "2026-11-30T10:00:00-05:00"}, "start"),
        ({}, "start"),
        ({"start": "2026-12-07T13:00:00-05:00", "therapist": 999_999}, "therapist"),
    ],
)
def test_rescheduling_bad_input_names_the_field(
    client: Client, clinic: Clinic, booked: Any, body: dict[str, Any], field: str
) -> None:
    response = post(
        client, f"/bookings/{booked['id']}/reschedule", body, headers=bearer(booked["manage_token"])
    )

    assert_invalid(response, field)


def test_a_cancelled_booking_cannot_be_rescheduled(
    client: Client, clinic: Clinic, booked: Any
) -> None:
    token = bearer(booked["manage_token"])
    post(client, f"/bookings/{booked['id']}/cancel", {}, headers=token)

    response = post(
        client,
        f"/bookings/{booked['id']}/reschedule",
        {"start": local(MONDAY, 13).isoformat()},
        headers=token,
    )

    assert response.status_code == 409
    assert response.json()["error"] == "not_changeable"


NOT_FOUND = {"error": "not_found", "detail": "Not found."}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "garbage"},
    ],
)
def test_a_wrong_or_missing_token_is_404_like_a_missing_booking(
    client: Client, booked: Any, headers: dict[str, str]
) -> None:
    pk = booked["id"]
    answers = [
        client.get(f"{API}/bookings/{pk}", headers=headers),
        post(client, f"/bookings/{pk}/cancel", {}, headers=headers),
        post(client, f"/bookings/{pk}/reschedule", {"start": "x"}, headers=headers),
        # A booking that does not exist, with the real token.
        client.get(f"{API}/bookings/{pk + 1000}", headers=bearer(booked["manage_token"])),
        post(client, f"/bookings/{pk + 1000}/cancel", {}, headers=bearer(booked["manage_token"])),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert all(a.json() == NOT_FOUND for a in answers)
    assert new_appointments().get().status == AppointmentStatus.CONFIRMED


def test_one_bookings_token_cannot_open_another(
    client: Client, clinic: Clinic, booked: Any
) -> None:
    mine = book(client, clinic, local(MONDAY, 13), patient={**NEW_PATIENT, "email": "b@x.org"})
    my_token = bearer(mine.json()["manage_token"])
    theirs = booked["id"]

    answers = [
        client.get(f"{API}/bookings/{theirs}", headers=my_token),
        post(client, f"/bookings/{theirs}/cancel", {}, headers=my_token),
        post(
            client,
            f"/bookings/{theirs}/reschedule",
            {"start": local(MONDAY, 15).isoformat()},
            headers=my_token,
        ),
    ]

    assert [a.status_code for a in answers] == [404] * 3
    assert all(a.json() == NOT_FOUND for a in answers)
    theirs_row = Appointment.objects.get(pk=theirs)
    assert (theirs_row.status, theirs_row.start) == ("confirmed", local(MONDAY, 10))


def test_a_non_numeric_booking_id_is_404(client: Client, booked: Any) -> None:
    response = client.get(f"{API}/bookings/abc", headers=bearer(booked["manage_token"]))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- Schema ------------------------------------------------------------------------------------


def test_every_endpoint_is_documented_with_typed_schemas(client: Client) -> None:
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {
        "/api/v1/appointment-types",
        "/api/v1/therapists",
        "/api/v1/availability",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}",
        "/api/v1/bookings/{booking_id}/cancel",
        "/api/v1/bookings/{booking_id}/reschedule",
    } <= set(paths)
    create = paths["/api/v1/bookings"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/BookingIn"
    )
    assert {"200", "201", "409", "422", "429"} <= set(create["responses"])
    cancel = paths["/api/v1/bookings/{booking_id}/cancel"]["post"]
    assert cancel["security"] and "404" in cancel["responses"]
    components = schema["components"]["schemas"]
    assert "manage_token" in components["BookingCreatedOut"]["properties"]
    assert components["BookingCreatedOut"]["properties"]["manage_token"]["description"]
    assert components["PatientIn"]["properties"]["name"]["maxLength"] == 120
    assert client.get(f"{API}/docs").status_code == 200


def test_a_visit_already_under_way_cannot_be_cancelled_online(
    client: Client, clinic: Clinic
) -> None:
    visit = AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY, 10),
        status=AppointmentStatus.ARRIVED,
        manage_token_hash=manage_token_hash("arrived-token"),
    )

    response = post(client, f"/bookings/{visit.pk}/cancel", {}, headers=bearer("arrived-token"))

    assert response.status_code == 409
    assert response.json()["error"] == "not_changeable"


def test_a_concurrent_reuse_of_an_idempotency_key_is_422_not_500(
    client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL two requests with one key for different therapists can both pass the
    # replay check; the loser meets the unique key.
    def lose_the_race(**kwargs: Any) -> None:
        raise IntegrityError('duplicate key violates "appointment_patient_idempotency_key"')

    monkeypatch.setattr("stride.scheduling.api.appointment_book", lose_the_race)

    response = book(client, clinic, local(MONDAY, 10), idempotency_key="req-1")

    assert_invalid(response, "idempotency_key")


def test_availability_answers_json_like_every_other_endpoint(
    client: Client, clinic: Clinic
) -> None:
    query = {"appointment_type": clinic.evaluation.pk, "start": MONDAY, "end": MONDAY}

    first, cached = available(client, query), available(client, query)

    types = client.get(f"{API}/appointment-types")
    assert first["Content-Type"] == cached["Content-Type"] == types["Content-Type"]
    assert first.content == cached.content
    assert "no-store" in cached["Cache-Control"]
