"""Properties of the booking API: no input makes it fail with a 500, and listed slots book."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride.scheduling.models import Appointment, RedFlag
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local

pytestmark = pytest.mark.django_db

API = "/api/v1"
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    settings.STRIDE_RATE_LIMITS = False


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["", "\x00", "\ud800", "2026-12-07T10:00:00-05:00", "fever", "x" * 2000])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
starts = st.builds(
    lambda day, minutes, offset: (
        (
            dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(0))
            + dt.timedelta(minutes=minutes)
        ).isoformat()
        + offset
    ),
    st.integers(-10, 100),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(["-05:00", "+00:00", "Z", "", "+14:00"]),
)


def plausible(clinic: Clinic) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies near a valid booking, each field sometimes wrong, missing or extra."""
    ids = st.integers(-2, 5) | st.just(clinic.evaluation.pk) | st.just(clinic.therapist.pk)
    patient = st.fixed_dictionaries(
        {},
        optional={
            "name": st.text(max_size=130) | json_values,
            "email": st.emails() | st.text(max_size=20) | json_values,
            "phone": st.text(max_size=40) | json_values,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "appointment_type": ids | json_values,
            "therapist": ids | json_values,
            "start": starts | json_values,
            "patient": patient | json_values,
            "reason": st.text(max_size=1100) | json_values,
            "insurance_plan": ids | json_values,
            "has_referral": json_values,
            "red_flags": st.lists(st.sampled_from(RedFlag.values) | st.text(max_size=5))
            | json_values,
            "idempotency_key": st.text(max_size=70) | json_values,
            "unexpected": json_values,
        },
    )


def assert_handled(response: Any) -> None:
    assert response.status_code < 500, response.content
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body, dict) and isinstance(body["error"], str)


@FUZZ
@given(data=st.data())
def test_no_booking_body_causes_a_server_error(client: Client, clinic: Clinic, data: Any) -> None:
    body = data.draw(plausible(clinic) | json_values)

    response = client.post(
        f"{API}/bookings", data=json.dumps(body), content_type="application/json"
    )

    assert_handled(response)
    if response.status_code == 201:
        assert Appointment.objects.filter(pk=response.json()["id"]).exists()


@FUZZ
@given(raw=st.binary(max_size=200))
def test_no_raw_body_causes_a_server_error(client: Client, clinic: Clinic, raw: bytes) -> None:
    response = client.post(f"{API}/bookings", data=raw, content_type="application/json")

    assert_handled(response)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["appointment_type", "start", "end", "therapist"]),
        st.text(max_size=25) | st.integers().map(str) | st.dates().map(str),
    )
)
def test_no_availability_query_causes_a_server_error(
    client: Client, clinic: Clinic, params: dict[str, str]
) -> None:
    response = client.get(f"{API}/availability", params)

    assert_handled(response)


@FUZZ
@given(body=json_values, token=st.sampled_from(["", "nope", "Bearer", "Bearer x"]))
def test_no_change_request_causes_a_server_error(
    client: Client, clinic: Clinic, body: Any, token: str
) -> None:
    for path in ("/bookings/1/cancel", "/bookings/1/reschedule"):
        response = client.post(
            f"{API}{path}",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=token,
        )
        assert response.status_code == 404


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pick=st.integers(min_value=0), day=st.integers(0, 4))
def test_every_listed_slot_books_and_then_is_no_longer_listed(
    client: Client, clinic: Clinic, pick: int, day: int
) -> None:
    Appointment.objects.filter(start__gte=NOW).delete()
    day_text = str(MONDAY + dt.timedelta(days=day))
    query = {"appointment_type": str(clinic.short.pk), "start": day_text, "end": day_text}
    listed = client.get(f"{API}/availability", query).json()["slots"]
    slot = listed[pick % len(listed)]

    response = client.post(
        f"{API}/bookings",
        data=json.dumps(
            {
                "appointment_type": clinic.short.pk,
                "therapist": slot["therapist"],
                "start": slot["start"],
                "patient": {"name": "Pat", "email": clinic.returning.email, "phone": "555-0101"},
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["start"], response.json()["end"]) == (slot["start"], slot["end"])
    after = client.get(f"{API}/availability", query).json()["slots"]
    assert slot not in after
    assert dt.datetime.fromisoformat(slot["start"]) >= local(MONDAY, 9)
