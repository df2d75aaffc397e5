"""Who may open the staff pages and change what (the role table in selectors_staff)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from stride.accounts.models import Role
from stride.scheduling.models import AppointmentStatus, TimeOff
from stride.scheduling.services import time_off_create
from stride.scheduling.tests.conftest import Clinic
from stride.scheduling.tests.factories import TimeOffFactory, UserFactory
from stride.scheduling.tests.test_staff_support import (
    Staff,
    appointment_at,
    at,
    future_monday,
    signed_in,
    staff_build,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/staff/",
    "/staff/calendar/",
    "/staff/appointments/new/",
    "/staff/time-off/",
    "/staff/calendar-feed/",
]


@pytest.fixture
def staff(clinic: Clinic) -> Staff:
    return staff_build(clinic)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, staff: Staff, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


def test_anonymous_posts_change_nothing(client: Client, staff: Staff) -> None:
    appointment = appointment_at(staff.therapist, at(future_monday(), 10))
    for path in (
        f"/staff/appointments/{appointment.pk}/cancel/",
        f"/staff/appointments/{appointment.pk}/mark/",
    ):
        response = client.post(path, {"status": "arrived"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED


@pytest.mark.parametrize("path", PAGES)
def test_patients_are_refused(client: Client, staff: Staff, path: str) -> None:
    response = signed_in(client, staff.patient).get(path)
    assert response.status_code == 403


def test_deactivated_staff_are_refused(client: Client, staff: Staff) -> None:
    user = UserFactory.create(role=Role.FRONT_DESK, is_active=False)
    client.force_login(user)
    assert client.get("/staff/calendar/").status_code in (302, 403)


@pytest.mark.parametrize("role", ["therapist_user", "front_desk", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_every_staff_role_opens_every_page(
    client: Client, staff: Staff, role: str, path: str
) -> None:
    response = signed_in(client, getattr(staff, role)).get(path, follow=True)
    assert response.status_code == 200


def test_sign_in_lands_staff_on_the_calendar(client: Client, staff: Staff) -> None:
    response = client.post(
        "/accounts/sign-in/",
        {"username": staff.front_desk.email, "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/staff/calendar/")
    assert response.status_code == 200


def test_therapist_cannot_change_a_colleagues_appointment(client: Client, staff: Staff) -> None:
    theirs = appointment_at(staff.other, at(future_monday(), 10))
    signed_in(client, staff.therapist_user)
    assert client.get(f"/staff/appointments/{theirs.pk}/move/").status_code == 404
    assert client.get(f"/staff/appointments/{theirs.pk}/cancel/").status_code == 404
    assert client.post(f"/staff/appointments/{theirs.pk}/cancel/").status_code == 404
    response = client.post(f"/staff/appointments/{theirs.pk}/mark/", {"status": "arrived"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.CONFIRMED


def test_missing_and_forbidden_appointments_look_the_same(client: Client, staff: Staff) -> None:
    theirs = appointment_at(staff.other, at(future_monday(), 10))
    signed_in(client, staff.therapist_user)
    forbidden = client.get(f"/staff/appointments/{theirs.pk}/move/")
    missing = client.get(f"/staff/appointments/{theirs.pk + 1000}/move/")
    assert forbidden.status_code == missing.status_code == 404
    # The pages differ only in the address they echo (the canonical link).
    assert forbidden.content.replace(f"/{theirs.pk}/".encode(), b"/ID/") == missing.content.replace(
        f"/{theirs.pk + 1000}/".encode(), b"/ID/"
    )


@pytest.mark.parametrize("role", ["front_desk", "admin"])
def test_front_desk_and_admin_change_anyones_appointment(
    client: Client, staff: Staff, role: str
) -> None:
    theirs = appointment_at(staff.other, at(future_monday(), 10))
    signed_in(client, getattr(staff, role))
    assert client.get(f"/staff/appointments/{theirs.pk}/move/").status_code == 200
    response = client.post(f"/staff/appointments/{theirs.pk}/mark/", {"status": "arrived"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.ARRIVED


def test_therapist_cannot_add_time_off_for_a_colleague(client: Client, staff: Staff) -> None:
    day = future_monday()
    response = signed_in(client, staff.therapist_user).post(
        "/staff/time-off/",
        {
            "therapist": staff.other.pk,
            "start": f"{day}T09:00",
            "end": f"{day}T17:00",
            "kind": "vacation",
        },
    )
    assert response.status_code == 400
    assert "therapist" in response.context["form"].errors
    assert not TimeOff.objects.exists()


def test_time_off_service_refuses_a_therapist_acting_for_a_colleague(staff: Staff) -> None:
    day = future_monday()
    with pytest.raises(PermissionDenied):
        time_off_create(
            therapist=staff.other, start=at(day, 9), end=at(day, 17), by=staff.therapist_user
        )
    with pytest.raises(PermissionDenied):
        time_off_create(therapist=staff.other, start=at(day, 9), end=at(day, 17), by=staff.patient)
    assert not TimeOff.objects.exists()


def test_therapist_cannot_remove_a_colleagues_time_off(client: Client, staff: Staff) -> None:
    theirs = TimeOffFactory.create(therapist=staff.other)
    response = signed_in(client, staff.therapist_user).post(f"/staff/time-off/{theirs.pk}/delete/")
    assert response.status_code == 404
    assert TimeOff.objects.filter(pk=theirs.pk).exists()


def test_therapist_books_only_with_themselves(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.therapist_user).get("/staff/appointments/new/")
    choices = [value for value, _ in response.context["form"].fields["therapist"].choices if value]
    assert [int(str(value)) for value in choices] == [staff.therapist.pk]


def test_staff_pages_are_not_indexed(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.front_desk).get("/staff/calendar/")
    assert b'<meta name="robots" content="noindex, nofollow">' in response.content
