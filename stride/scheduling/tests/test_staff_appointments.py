"""Staff book visits for patients, move and cancel them, and record their outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from stride.accounts.models import PatientProfile, Role, User
from stride.scheduling.models import Appointment, AppointmentStatus
from stride.scheduling.tests.conftest import Clinic
from stride.scheduling.tests.factories import ClinicClosureFactory, TimeOffFactory, UserFactory
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


def booking(staff: Staff, day: dt.date, time: str = "10:00", **fields: Any) -> dict[str, Any]:
    data = {
        "therapist": staff.therapist.pk,
        "appointment_type": staff.clinic.evaluation.pk,
        "date": str(day),
        "time": time,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "phone": "(718) 555-0199",
        "date_of_birth": "1990-12-10",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# --- Booking on a patient's behalf -------------------------------------------------------------


def test_front_desk_books_a_new_patient(client: Client, staff: Staff) -> None:
    day = future_monday()
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, day, "07:15"), follow=True
    )

    appointment = Appointment.objects.get(patient__email="ada@example.com")
    assert appointment.start == at(day, 7, 15)  # before opening hours: staff may
    assert appointment.booked_by == staff.front_desk
    assert appointment.status == AppointmentStatus.CONFIRMED
    patient = appointment.patient
    assert (patient.first_name, patient.last_name, patient.role) == (
        "Ada",
        "Lovelace",
        Role.PATIENT,
    )
    profile = PatientProfile.objects.get(user=patient)
    assert profile.phone == "(718) 555-0199"
    assert profile.date_of_birth == dt.date(1990, 12, 10)
    assert response.redirect_chain[0][0] == (
        f"/staff/calendar/?view=day&date={day}&therapist={staff.therapist.pk}"
    )
    (message,) = messages_of(response)
    assert message.startswith("Booked: Initial evaluation for Ada Lovelace with ")
    assert "7:15 AM EST" in message or "7:15 AM EDT" in message


def test_therapist_books_a_returning_patient_by_email_alone(client: Client, staff: Staff) -> None:
    returning = staff.clinic.returning
    response = signed_in(client, staff.therapist_user).post(
        "/staff/appointments/new/",
        booking(
            staff,
            future_monday(),
            email=returning.email.upper(),
            name="",
            phone="",
            date_of_birth="",
            appointment_type=staff.clinic.follow_up.pk,
        ),
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(
        patient=returning, appointment_type=staff.clinic.follow_up
    )
    assert appointment.booked_by == staff.therapist_user
    returning.refresh_from_db()
    assert returning.first_name == "Pat"  # kept as the clinic holds it


def test_new_patient_needs_a_name(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, future_monday(), name="")
    )
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not User.objects.filter(email="ada@example.com").exists()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("(718) 555-0199 <b>", "Use only digits, spaces and + ( ) - . in a phone number."),
        ("555", "Enter a full phone number, including the area code."),
    ],
)
def test_a_phone_number_is_checked_like_the_patients_own_booking(
    client: Client, staff: Staff, phone: str, message: str
) -> None:
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, future_monday(), phone=phone)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [message]
    assert not User.objects.filter(email="ada@example.com").exists()


def test_a_staff_email_is_not_taken_for_a_patient(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, future_monday(), email=staff.admin.email)
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not Appointment.objects.filter(patient=staff.admin).exists()


def test_overlap_is_refused_with_a_clear_message_and_no_new_patient(
    client: Client, staff: Staff
) -> None:
    day = future_monday()
    appointment_at(staff.therapist, at(day, 10), staff.patient)

    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, day, "10:30")
    )

    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert errors == [
        f"{staff.therapist.display_name} already has a visit at that time (or the time kept "
        "free after one). Choose another time or therapist."
    ]
    assert b'class="error-summary" role="alert"' in response.content
    assert Appointment.objects.filter(therapist=staff.therapist, start__date=day).count() == 1
    assert not User.objects.filter(email="ada@example.com").exists()


@pytest.mark.parametrize("blocker", ["time_off", "closure"])
def test_time_off_and_closures_are_refused(client: Client, staff: Staff, blocker: str) -> None:
    day = future_monday()
    if blocker == "time_off":
        TimeOffFactory.create(therapist=staff.therapist, start=at(day, 8), end=at(day, 12))
    else:
        ClinicClosureFactory.create(location=staff.clinic.location, date=day)
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, day)
    )
    assert response.status_code == 400
    assert "is away or the clinic is closed" in response.context["form"].non_field_errors()[0]


def test_a_type_the_therapist_does_not_offer_is_a_field_error(client: Client, staff: Staff) -> None:
    staff.therapist.appointment_types.remove(staff.clinic.short)
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/",
        booking(staff, future_monday(), appointment_type=staff.clinic.short.pk),
    )
    assert response.status_code == 400
    assert "does not offer" in response.context["form"].errors["appointment_type"][0]


@pytest.mark.parametrize(
    ("day", "time", "field"),
    [
        ("2020-01-06", "10:00", "date"),  # past
        ("2099-03-08", "02:30", "time"),  # skipped by the spring DST change in New York
        ("2099-03-08", "", "time"),
        ("not-a-date", "10:00", "date"),
    ],
)
def test_bad_dates_and_times_are_field_errors(
    client: Client, staff: Staff, day: str, time: str, field: str
) -> None:
    data = booking(staff, future_monday())
    data.update({"date": day, "time": time})
    response = signed_in(client, staff.front_desk).post("/staff/appointments/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Appointment.objects.filter(patient__email="ada@example.com").exists()


def test_the_booking_form_is_prefilled_from_the_calendar(client: Client, staff: Staff) -> None:
    day = future_monday()
    response = signed_in(client, staff.front_desk).get(
        f"/staff/appointments/new/?therapist={staff.other.pk}&date={day}"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{staff.other.pk}" selected>' in html
    assert f'value="{day}"' in html


def test_booking_requires_csrf(staff: Staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.front_desk)
    response = client.post("/staff/appointments/new/", booking(staff, future_monday()))
    assert response.status_code == 403
    assert not Appointment.objects.filter(patient__email="ada@example.com").exists()


# --- Moving and cancelling ---------------------------------------------------------------------


def test_move_to_another_time_and_therapist(client: Client, staff: Staff) -> None:
    day = future_monday()
    appointment = appointment_at(staff.therapist, at(day, 10), staff.patient)
    appointment.reminder_sent_at = at(day, 9)
    appointment.save()
    signed_in(client, staff.front_desk)

    page = client.get(f"/staff/appointments/{appointment.pk}/move/")
    assert page.status_code == 200
    assert b'value="10:00"' in page.content
    assert staff.patient.email.encode() in page.content
    response = client.post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"therapist": staff.other.pk, "date": str(day + dt.timedelta(days=1)), "time": "14:00"},
        follow=True,
    )

    appointment.refresh_from_db()
    assert appointment.therapist == staff.other
    assert appointment.start == at(day + dt.timedelta(days=1), 14)
    assert appointment.reminder_sent_at is None
    assert messages_of(response)[0].startswith(
        "Moved: Initial evaluation for Grace Hopper with Dr. Other"
    )


def test_move_onto_another_visit_is_refused(client: Client, staff: Staff) -> None:
    day = future_monday()
    appointment = appointment_at(staff.therapist, at(day, 10))
    appointment_at(staff.therapist, at(day, 13))
    response = signed_in(client, staff.therapist_user).post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"therapist": staff.therapist.pk, "date": str(day), "time": "12:30"},
    )
    assert response.status_code == 400
    assert "already has a visit" in response.context["form"].non_field_errors()[0]
    appointment.refresh_from_db()
    assert appointment.start == at(day, 10)


def test_a_therapist_cannot_move_a_visit_to_a_colleague(client: Client, staff: Staff) -> None:
    appointment = appointment_at(staff.therapist, at(future_monday(), 10))
    response = signed_in(client, staff.therapist_user).post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"therapist": staff.other.pk, "date": str(future_monday()), "time": "15:00"},
    )
    assert response.status_code == 400
    assert "therapist" in response.context["form"].errors
    appointment.refresh_from_db()
    assert appointment.therapist == staff.therapist


def test_cancel_asks_first_then_frees_the_time(client: Client, staff: Staff) -> None:
    day = future_monday()
    appointment = appointment_at(staff.therapist, at(day, 10), staff.patient)
    signed_in(client, staff.therapist_user)
    back = f"/staff/calendar/?view=week&date={day}&therapist={staff.therapist.pk}"

    confirm = client.get(f"/staff/appointments/{appointment.pk}/cancel/", {"next": back})
    assert confirm.status_code == 200
    assert b"Cancel this visit" in confirm.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED  # GET changes nothing

    response = client.post(f"/staff/appointments/{appointment.pk}/cancel/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_at is not None
    # The time is free again: the same slot can be booked.
    booked = client.post("/staff/appointments/new/", booking(staff, day))
    assert booked.status_code == 302


def test_cancel_ignores_a_next_address_off_the_staff_pages(client: Client, staff: Staff) -> None:
    appointment = appointment_at(staff.therapist, at(future_monday(), 10))
    response = signed_in(client, staff.front_desk).post(
        f"/staff/appointments/{appointment.pk}/cancel/", {"next": "https://evil.example/staff/"}
    )
    assert response["Location"].startswith("/staff/calendar/?view=day")


def test_cancelling_twice_is_harmless(client: Client, staff: Staff) -> None:
    appointment = appointment_at(
        staff.therapist, at(future_monday(), 10), status=AppointmentStatus.CANCELLED
    )
    response = signed_in(client, staff.front_desk).post(
        f"/staff/appointments/{appointment.pk}/cancel/", follow=True
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


# --- Outcomes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("arrived", "arrived"),
        ("completed", "completed"),
        ("no_show", "no-show"),
        ("late_cancelled", "late cancellation"),
    ],
)
def test_mark_outcomes_of_a_visit_that_started(
    client: Client, staff: Staff, status: str, label: str
) -> None:
    appointment = appointment_at(staff.therapist, at(dt.date(2026, 10, 6), 9), staff.patient)
    response = signed_in(client, staff.therapist_user).post(
        f"/staff/appointments/{appointment.pk}/mark/", {"status": status}, follow=True
    )
    appointment.refresh_from_db()
    assert appointment.status == status
    assert messages_of(response)[0].startswith(f"Recorded {label}: Initial evaluation for Grace")


def test_completing_a_visit_before_it_starts_is_explained(client: Client, staff: Staff) -> None:
    appointment = appointment_at(staff.therapist, at(future_monday(), 9))
    response = signed_in(client, staff.front_desk).post(
        f"/staff/appointments/{appointment.pk}/mark/", {"status": "completed"}, follow=True
    )
    assert messages_of(response) == ["This visit has not started yet."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED


@pytest.mark.parametrize("status", ["", "cancelled", "confirmed", "bogus"])
def test_unknown_outcomes_are_refused(client: Client, staff: Staff, status: str) -> None:
    appointment = appointment_at(staff.therapist, at(dt.date(2026, 10, 6), 9))
    response = signed_in(client, staff.front_desk).post(
        f"/staff/appointments/{appointment.pk}/mark/", {"status": status}, follow=True
    )
    assert messages_of(response) == ["Choose an outcome to record."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED


def test_mark_is_post_only(client: Client, staff: Staff) -> None:
    appointment = appointment_at(staff.therapist, at(dt.date(2026, 10, 6), 9))
    response = signed_in(client, staff.front_desk).get(
        f"/staff/appointments/{appointment.pk}/mark/?status=arrived"
    )
    assert response.status_code == 405


def test_staff_booking_sends_no_reminder_yet_and_never_shows_the_token(
    client: Client, staff: Staff
) -> None:
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, future_monday()), follow=True
    )
    appointment = Appointment.objects.get(patient__email="ada@example.com")
    assert "/manage/" not in response.content.decode()
    assert appointment.reminder_sent_at is None
    assert all("Reminder" not in m.subject for m in mail.outbox)


def test_unknown_patient_user_is_not_created_on_a_form_error(client: Client, staff: Staff) -> None:
    UserFactory.create(email="someone@example.com")
    response = signed_in(client, staff.front_desk).post(
        "/staff/appointments/new/", booking(staff, future_monday(), appointment_type="")
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="ada@example.com").exists()
