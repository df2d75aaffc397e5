"""iCalendar files: stable UIDs, local times with their VTIMEZONE, status and privacy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from icalendar import Calendar

from stride.scheduling.ics import appointment_uid, appointments_to_ical
from stride.scheduling.models import Appointment, AppointmentStatus, RedFlag
from stride.scheduling.tests.conftest import MONDAY, NY, Clinic, local
from stride.scheduling.tests.factories import AppointmentFactory, LocationFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def appointment(clinic: Clinic, start: dt.datetime, **kwargs: Any) -> Appointment:
    kwargs.setdefault("therapist", clinic.therapist)
    kwargs.setdefault("appointment_type", clinic.evaluation)
    kwargs.setdefault("patient", clinic.patient)
    return AppointmentFactory.create(start=start, **kwargs)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(data: bytes) -> Any:
    (event,) = parse(data).walk("VEVENT")
    return event


def test_uid_is_stable_and_names_the_site(clinic: Clinic, settings: Any) -> None:
    settings.SITE_URL = "https://clinic.example.org"
    visit = appointment(clinic, local(MONDAY, 10))

    first = only_event(appointments_to_ical([visit], name="Visit"))
    visit.start, visit.end = local(MONDAY, 14), local(MONDAY, 15)
    visit.buffer_end = visit.end
    visit.save()
    second = only_event(appointments_to_ical([visit], name="Visit"))

    assert str(first["UID"]) == f"appointment-{visit.pk}@clinic.example.org"
    assert first["UID"] == second["UID"] == appointment_uid(visit)


def test_the_calendar_names_itself_and_its_producer(clinic: Clinic) -> None:
    calendar = parse(appointments_to_ical([appointment(clinic, local(MONDAY, 10))], name="Mine"))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Mine"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "Stride" in str(calendar["PRODID"])


def test_times_are_local_with_their_zone_and_a_timezone_definition(clinic: Clinic) -> None:
    data = appointments_to_ical([appointment(clinic, local(MONDAY, 10))], name="Visit")

    assert b"DTSTART;TZID=America/New_York:20261207T100000" in data
    assert b"DTEND;TZID=America/New_York:20261207T110000" in data
    (vtimezone,) = parse(data).timezones
    assert str(vtimezone["TZID"]) == "America/New_York"
    # Compact: the years around the visit, not 1970-2038.
    assert len(data) < 3000
    zone = vtimezone.to_tz()
    assert dt.datetime(2026, 12, 7, 10, tzinfo=zone).utcoffset() == dt.timedelta(hours=-5)
    assert dt.datetime(2026, 7, 6, 10, tzinfo=zone).utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize(
    ("day", "local_text", "utc"),
    [
        (dt.date(2026, 10, 30), b"20261030T090000", dt.datetime(2026, 10, 30, 13, tzinfo=dt.UTC)),
        (dt.date(2026, 11, 2), b"20261102T090000", dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)),
    ],
)
def test_a_nine_oclock_visit_stays_at_nine_across_the_dst_change(
    clinic: Clinic, day: dt.date, local_text: bytes, utc: dt.datetime
) -> None:
    data = appointments_to_ical([appointment(clinic, local(day, 9))], name="Visit")

    assert b"DTSTART;TZID=America/New_York:" + local_text in data
    event = only_event(data)
    assert event.decoded("DTSTART") == utc
    # The file's own VTIMEZONE (as a calendar app without the IANA database reads it) agrees.
    zone = parse(data).timezones[0].to_tz()
    assert dt.datetime.combine(day, dt.time(9), tzinfo=zone) == utc


def test_each_location_carries_its_own_zone(clinic: Clinic) -> None:
    denver = LocationFactory.create(timezone="America/Denver")
    therapist = TherapistFactory.create(location=denver, types=[clinic.evaluation])
    visits = [
        appointment(clinic, local(MONDAY, 10)),
        appointment(
            clinic,
            dt.datetime(2026, 12, 8, 9, tzinfo=denver.tzinfo),
            therapist=therapist,
        ),
    ]

    calendar = parse(appointments_to_ical(visits, name="Both"))

    assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == {
        "America/New_York",
        "America/Denver",
    }
    assert [e["DTSTART"].params["TZID"] for e in calendar.walk("VEVENT")] == [
        "America/New_York",
        "America/Denver",
    ]


def test_a_visit_after_2038_still_gets_a_timezone_definition(clinic: Clinic) -> None:
    data = appointments_to_ical(
        [appointment(clinic, dt.datetime(2040, 7, 2, 10, tzinfo=NY))], name="Later"
    )
    zone = parse(data).timezones[0].to_tz()
    assert dt.datetime(2040, 7, 2, 10, tzinfo=zone).utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AppointmentStatus.CONFIRMED, "CONFIRMED"),
        (AppointmentStatus.COMPLETED, "CONFIRMED"),
        (AppointmentStatus.CANCELLED, "CANCELLED"),
        (AppointmentStatus.LATE_CANCELLED, "CANCELLED"),
    ],
)
def test_status_follows_the_appointment(clinic: Clinic, status: str, expected: str) -> None:
    visit = appointment(clinic, local(MONDAY, 10), status=status)
    assert str(only_event(appointments_to_ical([visit], name="Visit"))["STATUS"]) == expected


def test_sequence_grows_when_the_visit_changes(clinic: Clinic) -> None:
    visit = appointment(clinic, local(MONDAY, 10))
    before = int(only_event(appointments_to_ical([visit], name="Visit"))["SEQUENCE"])
    Appointment.objects.filter(pk=visit.pk).update(
        updated_at=visit.updated_at + dt.timedelta(minutes=3)
    )
    visit.refresh_from_db()

    after = int(only_event(appointments_to_ical([visit], name="Visit"))["SEQUENCE"])

    assert after > before >= 0
    assert after < 2**31  # RFC 5545 INTEGER


def test_the_patient_file_names_therapist_and_place_but_nothing_clinical(clinic: Clinic) -> None:
    visit = appointment(
        clinic,
        local(MONDAY, 10),
        reason="Sciatica after lifting",
        red_flags=[RedFlag.NIGHT_PAIN],
    )

    data = appointments_to_ical([visit], name="Visit")
    event = only_event(data)

    assert clinic.therapist.display_name in str(event["SUMMARY"])
    assert clinic.location.name in str(event["LOCATION"])
    assert clinic.location.phone in str(event["DESCRIPTION"])
    for secret in (b"Sciatica", b"night_pain", clinic.patient.last_name.encode()):
        assert secret not in data


def test_the_staff_file_names_no_patient(clinic: Clinic) -> None:
    visit = appointment(clinic, local(MONDAY, 10), reason="Sciatica")

    data = appointments_to_ical([visit], name="Feed", for_staff=True)
    event = only_event(data)

    assert str(event["SUMMARY"]) == f"Initial evaluation (patient appointment #{visit.pk})"
    assert "DESCRIPTION" not in event
    for secret in (clinic.patient.first_name, clinic.patient.last_name, clinic.patient.email):
        assert secret.encode() not in data
    assert b"Sciatica" not in data


def test_an_empty_list_is_a_valid_empty_calendar() -> None:
    calendar = parse(appointments_to_ical([], name="Nothing"))
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE") == []


def test_a_queryset_is_read_in_one_query(clinic: Clinic, django_assert_num_queries: Any) -> None:
    for hour in (9, 10, 11):
        appointment(clinic, local(MONDAY, hour))
    visits = Appointment.objects.filter(start__gte=local(MONDAY, 0)).select_related(
        "location", "therapist", "appointment_type"
    )
    with django_assert_num_queries(1):
        calendar = parse(appointments_to_ical(visits, name="Three"))
    assert len(calendar.walk("VEVENT")) == 3
