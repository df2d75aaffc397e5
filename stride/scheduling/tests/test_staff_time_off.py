"""Staff record therapists' time off; booked visits under it are listed, not cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from stride.scheduling.models import AppointmentStatus, TimeOff
from stride.scheduling.services import SlotUnavailable, appointment_book, time_off_create
from stride.scheduling.tests.conftest import Clinic
from stride.scheduling.tests.factories import TimeOffFactory
from stride.scheduling.tests.test_staff_support import (
    Staff,
    appointment_at,
    at,
    future_monday,
    signed_in,
    staff_build,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(clinic: Clinic) -> Staff:
    return staff_build(clinic)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form(
    therapist_pk: int, day: dt.date, start: str = "09:00", end: str = "17:00"
) -> dict[str, Any]:
    return {
        "therapist": therapist_pk,
        "start": f"{day}T{start}",
        "end": f"{day}T{end}",
        "kind": "training",
        "note": "  Manual therapy   course ",
    }


def test_therapist_adds_their_own_time_off_in_local_time(client: Client, staff: Staff) -> None:
    day = future_monday()
    response = signed_in(client, staff.therapist_user).post(
        "/staff/time-off/", form(staff.therapist.pk, day), follow=True
    )
    absence = TimeOff.objects.get()
    assert (absence.therapist, absence.start, absence.end) == (
        staff.therapist,
        at(day, 9),
        at(day, 17),
    )
    assert (absence.kind, absence.note) == ("training", "Manual therapy course")
    (message,) = messages_of(response)
    assert message.startswith(f"Time off added for {staff.therapist.display_name}: ")
    assert "9:00 AM" in message and "5:00 PM" in message
    assert "Manual therapy course" in response.content.decode()  # listed


def test_time_off_over_booked_visits_is_saved_with_a_warning(client: Client, staff: Staff) -> None:
    day = future_monday()
    first = appointment_at(staff.therapist, at(day, 10), staff.patient)
    appointment_at(staff.therapist, at(day, 14))
    appointment_at(staff.therapist, at(day, 18))  # after the time off
    appointment_at(staff.therapist, at(day, 12), status=AppointmentStatus.CANCELLED)

    response = signed_in(client, staff.front_desk).post(
        "/staff/time-off/", form(staff.therapist.pk, day), follow=True
    )

    assert TimeOff.objects.count() == 1
    success, warning = messages_of(response)
    assert warning.startswith("2 booked visits fall in this time off and are still booked: ")
    assert "10:00 AM" in warning and "Grace Hopper" in warning and "2:00 PM" in warning
    assert "6:00 PM" not in warning
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CONFIRMED


def test_service_returns_the_overlapping_visits(staff: Staff) -> None:
    day = future_monday()
    visit = appointment_at(staff.therapist, at(day, 10))
    created = time_off_create(
        therapist=staff.therapist, start=at(day, 9), end=at(day, 12), by=staff.front_desk
    )
    assert created.overlapping == [visit]


def test_time_off_blocks_new_bookings(staff: Staff) -> None:
    day = future_monday()
    time_off_create(
        therapist=staff.therapist,
        start=at(day, 0),
        end=at(day + dt.timedelta(1), 0),
        by=staff.admin,
    )
    with pytest.raises(SlotUnavailable):
        appointment_book(
            patient=staff.patient,
            therapist=staff.therapist,
            appointment_type=staff.clinic.evaluation,
            start=at(day, 10),
            enforce_rules=False,
        )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("17:00", "09:00", "end"),
        ("09:00", "09:00", "end"),
        ("09:00", "", "end"),
        ("nonsense", "17:00", "start"),
        ("09:00+02:00", "17:00", "start"),
    ],
)
def test_bad_ranges_are_field_errors(
    client: Client, staff: Staff, start: str, end: str, field: str
) -> None:
    data = form(staff.therapist.pk, future_monday(), start, end)
    if not end:
        data["end"] = ""
    response = signed_in(client, staff.front_desk).post("/staff/time-off/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TimeOff.objects.exists()


def test_a_local_time_skipped_by_dst_is_refused(client: Client, staff: Staff) -> None:
    data = form(staff.therapist.pk, dt.date(2099, 3, 8), "02:30", "05:00")
    response = signed_in(client, staff.front_desk).post("/staff/time-off/", data)
    assert response.status_code == 400
    assert "does not exist" in response.context["form"].errors["start"][0]


def test_time_off_across_the_autumn_dst_change_keeps_wall_clock_times(
    client: Client, staff: Staff
) -> None:
    data = form(staff.therapist.pk, dt.date(2026, 10, 31), "09:00", "09:00")
    data["end"] = "2026-11-02T09:00"
    signed_in(client, staff.front_desk).post("/staff/time-off/", data)
    absence = TimeOff.objects.get()
    assert absence.end - absence.start == dt.timedelta(hours=49)  # a 25-hour Sunday inside


def test_list_shows_own_for_therapists_and_all_for_the_desk(client: Client, staff: Staff) -> None:
    day = future_monday()
    TimeOffFactory.create(therapist=staff.therapist, start=at(day, 9), end=at(day, 10), note="Mine")
    TimeOffFactory.create(therapist=staff.other, start=at(day, 9), end=at(day, 10), note="Theirs")
    TimeOffFactory.create(
        therapist=staff.therapist,
        start=at(dt.date(2020, 1, 6), 9),
        end=at(dt.date(2020, 1, 6), 10),
        note="Long ago",
    )
    mine = signed_in(client, staff.therapist_user).get("/staff/time-off/").content.decode()
    assert "Mine" in mine and "Theirs" not in mine and "Long ago" not in mine
    desk = signed_in(Client(), staff.front_desk).get("/staff/time-off/").content.decode()
    assert "Mine" in desk and "Theirs" in desk


def test_remove_time_off(client: Client, staff: Staff) -> None:
    absence = TimeOffFactory.create(therapist=staff.therapist)
    response = signed_in(client, staff.therapist_user).post(
        f"/staff/time-off/{absence.pk}/delete/", follow=True
    )
    assert not TimeOff.objects.exists()
    assert messages_of(response) == [f"Time off removed for {staff.therapist.display_name}."]
    assert client.get(f"/staff/time-off/{absence.pk}/delete/").status_code == 405
