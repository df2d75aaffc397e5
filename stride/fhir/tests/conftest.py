"""Fixtures for the FHIR API tests: one New York clinic, its people, and a frozen clock.

"Now" is Tuesday 2026-12-01 12:00 in New York unless a test moves the clock; tests book the
following week (MONDAY), so results never depend on the day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.scheduling.models import AppointmentType, Location, Therapist
from stride.scheduling.tests.factories import (
    AppointmentTypeFactory,
    BookingRulesFactory,
    LocationFactory,
    StaffUserFactory,
    TherapistFactory,
    UserFactory,
)

from .support import FhirClient

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=NY)
MONDAY = dt.date(2026, 12, 7)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return the aware New York datetime of ``day`` at ``hour:minute``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


class Clock:
    """The time ``timezone.now()`` answers during a test; move it by setting ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock(NOW.astimezone(dt.UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    # The primary location is cached; a row from an earlier test must not leak into this one.
    cache.clear()
    yield frozen
    cache.clear()


@dataclass
class Clinic:
    location: Location
    evaluation: AppointmentType  # 60 min, new patients welcome
    follow_up: AppointmentType  # 45 min, returning patients only
    phone_only: AppointmentType  # not bookable online
    therapist: Therapist  # public; offers all three
    hidden: Therapist  # not on the public site
    patient: User
    other_patient: User
    front_desk: User
    admin: User

    def user(self, role: str) -> User | None:
        """Return the user playing ``role`` in the permission matrix (None: anonymous)."""
        return {
            "anonymous": None,
            "patient": self.patient,
            "other_patient": self.other_patient,
            "therapist": self.therapist.user,
            "front_desk": self.front_desk,
            "admin": self.admin,
        }[role]


@pytest.fixture
def clinic(db: None) -> Clinic:
    location = LocationFactory.create(name="Brooklyn Heights", is_primary=True)
    BookingRulesFactory.create(location=location)
    evaluation = AppointmentTypeFactory.create(
        name="Initial evaluation", slug="initial-evaluation", duration_minutes=60, order=1
    )
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", duration_minutes=45, new_patients=False, order=2
    )
    phone_only = AppointmentTypeFactory.create(
        name="Dry needling", slug="dry-needling", bookable_online=False, order=3
    )
    therapist = TherapistFactory.create(
        location=location,
        display_name="Dr. Rosa Diaz",
        credentials="PT, DPT, OCS",
        types=[evaluation, follow_up, phone_only],
    )
    hidden = TherapistFactory.create(
        location=location, display_name="Dr. Hidden", is_public=False, types=[evaluation]
    )
    return Clinic(
        location=location,
        evaluation=evaluation,
        follow_up=follow_up,
        phone_only=phone_only,
        therapist=therapist,
        hidden=hidden,
        patient=UserFactory.create(email="pat@example.org", first_name="Pat", last_name="Lee"),
        other_patient=UserFactory.create(email="sam@example.org", first_name="Sam"),
        front_desk=StaffUserFactory.create(email="desk@stridept.example"),
        admin=StaffUserFactory.create(email="admin@stridept.example", role=Role.ADMIN),
    )


@pytest.fixture
def fhir(client: Client) -> FhirClient:
    return FhirClient(client)


ROLES = ["anonymous", "patient", "other_patient", "therapist", "front_desk", "admin"]
STAFF = ["therapist", "front_desk", "admin"]
