"""A therapist's private iCalendar feed: issued once, revocable, and free of patient details."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from stride.scheduling.ics import appointment_uid
from stride.scheduling.models import AppointmentStatus, Therapist, manage_token_hash
from stride.scheduling.services import calendar_feed_token_revoke, calendar_feed_token_rotate
from stride.scheduling.tests.conftest import NY, Clinic
from stride.scheduling.tests.test_staff_support import (
    Staff,
    appointment_at,
    signed_in,
    staff_build,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(clinic: Clinic) -> Staff:
    return staff_build(clinic)


def soon(days: int, hour: int = 9) -> dt.datetime:
    """Return ``hour`` o'clock in New York ``days`` days from today (negative: in the past)."""
    day = timezone.now().astimezone(NY).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=NY)


def feed_path(token: str) -> str:
    return f"/staff/feeds/{token}.ics"


def events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_therapist_turns_the_feed_on_and_sees_the_address_once(
    client: Client, staff: Staff
) -> None:
    signed_in(client, staff.therapist_user)
    assert b"Your feed is off." in client.get("/staff/calendar-feed/").content

    response = client.post("/staff/calendar-feed/", {"action": "rotate"}, follow=True)

    match = re.search(
        rb'value="(http://testserver/staff/feeds/([A-Za-z0-9_-]+)\.ics)"', response.content
    )
    assert match is not None
    token = match.group(2).decode()
    staff.therapist.refresh_from_db()
    assert staff.therapist.calendar_token_hash == manage_token_hash(token)
    assert token not in str(Therapist.objects.values_list("calendar_token_hash", flat=True))
    assert response["Cache-Control"] == "no-store"
    again = client.get("/staff/calendar-feed/")
    assert token.encode() not in again.content  # shown once only
    assert b"Your feed is on." in again.content


def test_a_valid_token_serves_the_therapists_calendar_without_a_session(staff: Staff) -> None:
    token = calendar_feed_token_rotate(therapist=staff.therapist)
    upcoming = appointment_at(staff.therapist, soon(3), staff.patient, reason="Knee pain")
    cancelled = appointment_at(
        staff.therapist, soon(4), staff.patient, status=AppointmentStatus.CANCELLED
    )
    recent = appointment_at(staff.therapist, soon(-20), staff.patient, status="completed")
    appointment_at(staff.therapist, soon(-40), staff.patient, status="completed")  # too old
    appointment_at(staff.therapist, soon(staff.clinic.rules.horizon_days + 2))  # too far
    appointment_at(staff.other, soon(3), staff.patient)  # a colleague's

    response = Client().get(feed_path(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store, private"
    assert "Cookie" not in response.get("Vary", "")
    body = response.content
    found = {str(event["UID"]): event for event in events(body)}
    assert set(found) == {appointment_uid(a) for a in (upcoming, cancelled, recent)}
    assert str(found[appointment_uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(found[appointment_uid(upcoming)]["STATUS"]) == "CONFIRMED"
    start = found[appointment_uid(upcoming)].decoded("DTSTART")
    assert start == upcoming.start and start.tzinfo.key == "America/New_York"
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:America/New_York" in body
    for secret in (b"Grace", b"Hopper", staff.patient.email.encode(), b"Knee pain"):
        assert secret not in body


def test_uids_are_stable_between_fetches(staff: Staff) -> None:
    token = calendar_feed_token_rotate(therapist=staff.therapist)
    appointment_at(staff.therapist, soon(2))
    first = [str(e["UID"]) for e in events(Client().get(feed_path(token)).content)]
    second = [str(e["UID"]) for e in events(Client().get(feed_path(token)).content)]
    assert first == second and len(first) == 1


@pytest.mark.parametrize("token", ["wrong-token-wrong-token-wrong-token", "a" * 43])
def test_a_wrong_token_is_not_found(staff: Staff, token: str) -> None:
    calendar_feed_token_rotate(therapist=staff.therapist)
    assert Client().get(feed_path(token)).status_code == 404


def test_a_malformed_token_is_not_found(staff: Staff) -> None:
    assert Client().get("/staff/feeds/short.ics").status_code == 404
    assert Client().get("/staff/feeds/has.dots.and.more.dots.ics").status_code == 404


def test_a_revoked_or_replaced_token_is_not_found(client: Client, staff: Staff) -> None:
    old = calendar_feed_token_rotate(therapist=staff.therapist)
    new = calendar_feed_token_rotate(therapist=staff.therapist)
    assert Client().get(feed_path(old)).status_code == 404
    assert Client().get(feed_path(new)).status_code == 200

    response = signed_in(client, staff.therapist_user).post(
        "/staff/calendar-feed/", {"action": "revoke"}, follow=True
    )

    assert b"Your feed is off." in response.content
    assert Client().get(feed_path(new)).status_code == 404


def test_a_deactivated_therapists_feed_is_not_found(staff: Staff) -> None:
    token = calendar_feed_token_rotate(therapist=staff.therapist)
    staff.therapist_user.is_active = False
    staff.therapist_user.save()
    assert Client().get(feed_path(token)).status_code == 404


def test_revoking_without_a_feed_is_harmless(staff: Staff) -> None:
    calendar_feed_token_revoke(therapist=staff.therapist)
    staff.therapist.refresh_from_db()
    assert staff.therapist.calendar_token_hash is None


def test_staff_without_a_therapist_profile_have_no_feed(client: Client, staff: Staff) -> None:
    signed_in(client, staff.front_desk)
    assert b"Calendar feeds are for therapists" in client.get("/staff/calendar-feed/").content
    assert client.post("/staff/calendar-feed/", {"action": "rotate"}).status_code == 403


def test_unknown_actions_are_refused(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.therapist_user).post(
        "/staff/calendar-feed/", {"action": "explode"}
    )
    assert response.status_code == 400


def test_the_feed_runs_a_fixed_number_of_queries(
    staff: Staff, django_assert_num_queries: Any
) -> None:
    token = calendar_feed_token_rotate(therapist=staff.therapist)
    for n in range(5):
        appointment_at(staff.therapist, soon(n + 1))
    with django_assert_num_queries(3):  # therapist by token, booking rules, appointments
        assert Client().get(feed_path(token)).status_code == 200
