"""Fixtures for the booking tests: one New York clinic with three visit types and a therapist.

Times are fixed: "now" is Tuesday 2026-12-01 12:00 in New York, and tests book the following
week, so results never depend on the day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from stride.accounts.models import User
from stride.scheduling.models import (
    AppointmentStatus,
    AppointmentType,
    BookingRules,
    Location,
    Therapist,
)
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    BookingRulesFactory,
    LocationFactory,
    StaffUserFactory,
    TherapistFactory,
    UserFactory,
)

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=NY)
MONDAY = dt.date(2026, 12, 7)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return the aware New York datetime of ``day`` at ``hour:minute``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


@contextmanager
def refused(reason: str) -> Iterator[None]:
    """Expect the block to raise SlotUnavailable for ``reason`` (an availability reason)."""
    from stride.scheduling.services import SlotUnavailable

    with pytest.raises(SlotUnavailable) as excinfo:
        yield
    assert excinfo.value.reason == reason


@dataclass
class Clinic:
    location: Location
    rules: BookingRules
    evaluation: AppointmentType  # 60 min, new patients
    follow_up: AppointmentType  # 45 min, returning patients only
    short: AppointmentType  # 30 min, returning patients only
    therapist: Therapist
    patient: User  # new: no appointment yet
    returning: User  # completed an evaluation in October
    staff: User

    def types(self) -> list[AppointmentType]:
        return [self.evaluation, self.follow_up, self.short]


@pytest.fixture
def clinic(db: None) -> Clinic:
    location = LocationFactory.create()
    evaluation = AppointmentTypeFactory.create(
        name="Initial evaluation", slug="initial-evaluation", duration_minutes=60
    )
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", duration_minutes=45, new_patients=False
    )
    short = AppointmentTypeFactory.create(
        name="Short follow-up", slug="short-follow-up", duration_minutes=30, new_patients=False
    )
    therapist = TherapistFactory.create(location=location, types=[evaluation, follow_up, short])
    returning = UserFactory.create()
    AppointmentFactory.create(
        therapist=therapist,
        appointment_type=evaluation,
        patient=returning,
        start=local(dt.date(2026, 10, 5), 9),
        status=AppointmentStatus.COMPLETED,
    )
    return Clinic(
        location=location,
        rules=BookingRulesFactory.create(location=location),
        evaluation=evaluation,
        follow_up=follow_up,
        short=short,
        therapist=therapist,
        patient=UserFactory.create(),
        returning=returning,
        staff=StaffUserFactory.create(),
    )
