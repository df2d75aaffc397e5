"""A patient's private iCalendar feed at /calendar/<token>.ics: only their own visits, stable
UIDs shared with the emails and the therapist's feed, local times across DST, cancellations
kept as cancelled, nothing clinical, and a token that stops working once replaced or revoked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from stride.accounts.models import User
from stride.scheduling.ics import appointment_uid
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    PatientCalendarFeed,
    RedFlag,
    manage_token_hash,
)
from stride.scheduling.services import (
    appointment_cancel,
    appointment_reschedule,
    calendar_feed_token_rotate,
    patient_calendar_feed_revoke,
    patient_calendar_feed_rotate,
)
from stride.scheduling.services.notifications import appointment_event_email_build
from stride.scheduling.tests.conftest import NY, Clinic, local
from stride.scheduling.tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# A fixed "now" between the two sides of the 2026-11-01 DST change in New York.
PINNED = dt.datetime(2026, 11, 15, 12, 0, tzinfo=NY)


@contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """Make ``timezone.now()`` (and so ``auto_now`` fields) answer ``at``."""
    with mock.patch("django.utils.timezone.now", return_value=at.astimezone(dt.UTC)):
        yield


def soon(days: int, hour: int = 9) -> dt.datetime:
    """Return ``hour`` o'clock in New York ``days`` days from today (negative: in the past)."""
    day = timezone.now().astimezone(NY).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=NY)


def visit(clinic: Clinic, start: dt.datetime, patient: User, **fields: Any) -> Appointment:
    fields.setdefault("appointment_type", clinic.follow_up)
    return AppointmentFactory.create(
        therapist=clinic.therapist, patient=patient, start=start, **fields
    )


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def fetch(token: str) -> Any:
    return Client().get(feed_path(token))


def events(body: bytes) -> dict[str, Any]:
    """Return the feed's VEVENTs by UID."""
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_serves_the_patients_visits_without_a_session(clinic: Clinic) -> None:
    patient = clinic.patient
    token = patient_calendar_feed_rotate(patient=patient)
    upcoming = visit(clinic, soon(3), patient)
    far_ahead = visit(clinic, soon(400), patient)
    recent = visit(clinic, soon(-80), patient, status=AppointmentStatus.COMPLETED)
    visit(clinic, soon(-100), patient, status=AppointmentStatus.COMPLETED)  # too old

    response = fetch(token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Cookie" not in response.get("Vary", "")
    assert "sessionid" not in response.cookies
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    found = events(response.content)
    assert set(found) == {appointment_uid(a) for a in (upcoming, far_ahead, recent)}
    summary = str(found[appointment_uid(upcoming)]["SUMMARY"])
    assert summary.startswith(f"Follow-up with {clinic.therapist.display_name}")
    assert clinic.location.street_address in str(found[appointment_uid(upcoming)]["LOCATION"])


def test_the_feed_carries_no_reason_or_screening_answers(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    visit(
        clinic,
        soon(3),
        clinic.patient,
        reason="Sciatica after lifting boxes",
        red_flags=[RedFlag.NIGHT_PAIN, RedFlag.WEIGHT_LOSS],
    )

    body = fetch(token).content

    assert len(events(body)) == 1
    for secret in ("Sciatica", "lifting", "night_pain", "weight_loss", "worse at night"):
        assert secret.encode() not in body
        assert secret.lower().encode() not in body.lower()


def test_another_patients_visits_never_appear(clinic: Clinic) -> None:
    other = UserFactory.create()
    mine = visit(clinic, soon(3), clinic.patient)
    theirs = visit(clinic, soon(4), other, reason="Their private reason")
    my_token = patient_calendar_feed_rotate(patient=clinic.patient)
    their_token = patient_calendar_feed_rotate(patient=other)

    assert set(events(fetch(my_token).content)) == {appointment_uid(mine)}
    assert set(events(fetch(their_token).content)) == {appointment_uid(theirs)}
    assert b"Their private reason" not in fetch(their_token).content


@pytest.mark.parametrize(
    ("day", "local_text", "utc"),
    [
        (dt.date(2026, 10, 30), b"20261030T090000", dt.datetime(2026, 10, 30, 13, tzinfo=dt.UTC)),
        (dt.date(2026, 11, 2), b"20261102T090000", dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)),
    ],
)
def test_a_nine_oclock_visit_reads_nine_on_both_sides_of_the_dst_change(
    clinic: Clinic, day: dt.date, local_text: bytes, utc: dt.datetime
) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    appointment = visit(clinic, local(day, 9), clinic.patient)

    with clock(PINNED):
        body = fetch(token).content

    assert b"DTSTART;TZID=America/New_York:" + local_text in body
    event = events(body)[appointment_uid(appointment)]
    start = event.decoded("DTSTART")
    assert start == utc and start.tzinfo.key == "America/New_York"
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=45)
    # The feed's own VTIMEZONE (what a calendar app without the IANA database reads) agrees.
    (vtimezone,) = Calendar.from_ical(body).timezones
    assert str(vtimezone["TZID"]) == "America/New_York"
    assert dt.datetime.combine(day, dt.time(9), tzinfo=vtimezone.to_tz()) == utc


def test_a_moved_visit_keeps_its_uid_and_raises_its_sequence(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    with clock(PINNED):
        appointment = visit(clinic, local(dt.date(2026, 11, 20), 9), clinic.patient)
        before = events(fetch(token).content)[appointment_uid(appointment)]
    with clock(PINNED + dt.timedelta(minutes=5)):
        appointment_reschedule(
            appointment=appointment,
            start=local(dt.date(2026, 11, 20), 14),
            by_patient=False,
            now=PINNED,
        )
        after = events(fetch(token).content)

    assert set(after) == {appointment_uid(appointment)}
    moved = after[appointment_uid(appointment)]
    assert moved.decoded("DTSTART") == local(dt.date(2026, 11, 20), 14)
    assert int(moved["SEQUENCE"]) > int(before["SEQUENCE"])
    assert moved.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    appointment = visit(clinic, soon(5), clinic.patient)
    late = visit(clinic, soon(6), clinic.patient, status=AppointmentStatus.LATE_CANCELLED)
    assert str(events(fetch(token).content)[appointment_uid(appointment)]["STATUS"]) == (
        "CONFIRMED"
    )

    appointment_cancel(appointment=appointment, by_patient=False)

    found = events(fetch(token).content)
    assert str(found[appointment_uid(appointment)]["STATUS"]) == "CANCELLED"
    assert str(found[appointment_uid(late)]["STATUS"]) == "CANCELLED"


def test_the_uid_is_the_same_in_the_email_the_therapist_feed_and_the_patient_feed(
    clinic: Clinic, settings: Any
) -> None:
    settings.SITE_URL = "https://clinic.example.org"
    appointment = visit(clinic, soon(3), clinic.patient)
    patient_token = patient_calendar_feed_rotate(patient=clinic.patient)
    therapist_token = calendar_feed_token_rotate(therapist=clinic.therapist)

    email = appointment_event_email_build(event="booked", appointment=appointment)
    ((_name, attachment, _type),) = email.attachments
    in_email = set(events(attachment.encode() if isinstance(attachment, str) else attachment))
    in_patient_feed = set(events(fetch(patient_token).content))
    in_therapist_feed = set(events(Client().get(f"/staff/feeds/{therapist_token}.ics").content))

    expected = {f"appointment-{appointment.pk}@clinic.example.org"}
    assert in_email == in_patient_feed == in_therapist_feed == expected


def test_only_the_tokens_hash_is_stored(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    feed = PatientCalendarFeed.objects.get(user=clinic.patient)
    assert feed.token_hash == manage_token_hash(token)
    assert token not in feed.token_hash


def test_a_replaced_token_is_not_found_and_the_new_one_works(clinic: Clinic) -> None:
    old = patient_calendar_feed_rotate(patient=clinic.patient)
    assert fetch(old).status_code == 200

    new = patient_calendar_feed_rotate(patient=clinic.patient)

    assert new != old
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    assert PatientCalendarFeed.objects.filter(user=clinic.patient).count() == 1


def test_a_revoked_token_is_not_found(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)

    patient_calendar_feed_revoke(patient=clinic.patient)

    assert fetch(token).status_code == 404
    assert not PatientCalendarFeed.objects.filter(user=clinic.patient).exists()
    patient_calendar_feed_revoke(patient=clinic.patient)  # turning off twice is harmless


def test_a_deactivated_patients_feed_is_not_found(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    User.objects.filter(pk=clinic.patient.pk).update(is_active=False)
    assert fetch(token).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/wrong-token-wrong-token-wrong-token.ics",
        "/calendar/" + "a" * 43 + ".ics",
        "/calendar/short.ics",
        "/calendar/has.dots.and.more.dots.ics",
        "/calendar/",
    ],
)
def test_unknown_or_malformed_tokens_are_not_found(clinic: Clinic, path: str) -> None:
    patient_calendar_feed_rotate(patient=clinic.patient)
    assert Client().get(path).status_code == 404


def test_a_therapist_token_does_not_open_a_patient_feed(clinic: Clinic) -> None:
    token = calendar_feed_token_rotate(therapist=clinic.therapist)
    assert fetch(token).status_code == 404


def test_the_feed_only_answers_reads(clinic: Clinic) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    assert Client().head(feed_path(token)).status_code == 200
    assert Client().post(feed_path(token)).status_code == 405


def test_the_feed_is_built_in_a_fixed_number_of_queries(
    clinic: Clinic, django_assert_max_num_queries: Any
) -> None:
    token = patient_calendar_feed_rotate(patient=clinic.patient)
    for days in range(1, 6):
        visit(clinic, soon(days), clinic.patient)
    fetch(token)  # warm the primary-location cache
    with django_assert_max_num_queries(3):
        assert len(events(fetch(token).content)) == 5
