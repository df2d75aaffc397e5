"""Shared set-up for the staff page tests (no tests here): more staff, and dates to book on.

The booking views refuse past dates by the real clock, so those tests book on dates counted
from today; the calendar tests use fixed dates (including the 2026-11-01 DST change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.scheduling.models import Appointment, Therapist
from stride.scheduling.tests.conftest import NY, Clinic
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    StaffUserFactory,
    TherapistFactory,
    UserFactory,
)


@dataclass
class Staff:
    clinic: Clinic
    therapist: Therapist  # the clinic's therapist, signed in as ``therapist.user``
    other: Therapist  # a colleague at the same location
    front_desk: User
    admin: User
    patient: User

    @property
    def therapist_user(self) -> User:
        return self.therapist.user


def staff_build(clinic: Clinic) -> Staff:
    """Return the clinic with a second therapist, a front desk user, an admin and a patient."""
    other = TherapistFactory.create(
        location=clinic.location,
        display_name="Dr. Other Colleague",
        types=clinic.types(),
    )
    return Staff(
        clinic=clinic,
        therapist=clinic.therapist,
        other=other,
        front_desk=clinic.staff,
        admin=StaffUserFactory.create(role=Role.ADMIN),
        patient=UserFactory.create(first_name="Grace", last_name="Hopper"),
    )


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def future_monday(weeks: int = 2) -> dt.date:
    """Return a Monday at least ``weeks`` weeks from today in New York (never in the past)."""
    today = timezone.now().astimezone(NY).date()
    return today + dt.timedelta(days=7 * weeks - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


def appointment_at(
    therapist: Therapist, start: dt.datetime, patient: User | None = None, **fields: object
) -> Appointment:
    """Save an appointment directly (the factory bypasses the booking service)."""
    return AppointmentFactory.create(
        therapist=therapist,
        appointment_type=therapist.appointment_types.order_by("pk").first(),
        patient=patient if patient is not None else UserFactory.create(),
        start=start,
        **fields,
    )
