"""The demo clinic's booking setup: loaded once however often load() runs, and bookable."""

from __future__ import annotations

import datetime as dt

import pytest

from stride.scheduling import demo
from stride.scheduling.models import (
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Therapist,
    WorkingHours,
)
from stride.scheduling.selectors import slot_list_available
from stride.scheduling.tests.conftest import NY

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AppointmentType,
            WorkingHours,
            BookingRules,
            InsurancePlan,
            ClinicClosure,
            Therapist.appointment_types.through,
        )
    }


def test_demo_booking_setup_loads_once() -> None:
    demo.load()
    first = _counts()
    demo.load()
    assert _counts() == first
    assert first == {
        "AppointmentType": 3,
        "WorkingHours": 30,  # 3 therapists x 5 days x 2 periods
        "BookingRules": 1,
        "InsurancePlan": 4,
        "ClinicClosure": 7,
        "Therapist_appointment_types": 9,
    }
    assert list(
        InsurancePlan.objects.filter(referral_required=True).values_list("name", flat=True)
    ) == ["Blue Cross HMO", "Medicare"]


def test_demo_clinic_offers_slots_and_closes_for_thanksgiving() -> None:
    demo.load()
    evaluation = AppointmentType.objects.get(slug="initial-evaluation")
    now = dt.datetime(2026, 11, 20, 12, tzinfo=NY)

    thanksgiving = slot_list_available(
        appointment_type=evaluation,
        first_day=dt.date(2026, 11, 26),
        last_day=dt.date(2026, 11, 26),
        now=now,
    )
    monday = slot_list_available(
        appointment_type=evaluation,
        first_day=dt.date(2026, 11, 23),
        last_day=dt.date(2026, 11, 23),
        now=now,
    )

    assert thanksgiving == []
    assert len({slot.therapist_id for slot in monday}) == 3
    assert f"{monday[0].start:%H:%M %Z}" == "09:00 EST"
