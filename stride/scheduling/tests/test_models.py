"""Validation and database checks of the booking models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stride.scheduling.models import (
    AppointmentType,
    BookingRules,
    TimeOff,
    WorkingHours,
)
from stride.scheduling.tests.conftest import MONDAY, Clinic, local
from stride.scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def hours(clinic: Clinic, weekday: int, start: int, end: int) -> WorkingHours:
    return WorkingHours(
        therapist=clinic.therapist, weekday=weekday, start=dt.time(start), end=dt.time(end)
    )


def test_working_hours_may_not_overlap_on_one_day(clinic: Clinic) -> None:
    # The factory gave Monday 09-12 and 13-17.
    with pytest.raises(ValidationError, match="overlaps"):
        hours(clinic, 0, 11, 14).full_clean()
    hours(clinic, 0, 12, 13).full_clean()  # fills the lunch break exactly
    hours(clinic, 5, 9, 12).full_clean()  # Saturday is free
    existing = WorkingHours.objects.get(therapist=clinic.therapist, weekday=0, start=dt.time(9))
    existing.end = dt.time(12, 30)
    existing.full_clean()  # a row does not overlap itself


def test_working_hours_end_after_they_start(clinic: Clinic) -> None:
    with pytest.raises(ValidationError):
        hours(clinic, 5, 12, 9).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        hours(clinic, 5, 12, 9).save()


def test_appointment_type_colour_is_a_hex_colour(db: None) -> None:
    kind = AppointmentTypeFactory.build(colour="red")
    with pytest.raises(ValidationError) as excinfo:
        kind.full_clean()
    assert "colour" in excinfo.value.message_dict
    kind.colour = "#A1b2C3"
    kind.full_clean()


def test_appointment_type_needs_a_positive_duration(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentType.objects.create(name="Nothing", slug="nothing", duration_minutes=0)


def test_time_off_ends_after_it_starts(clinic: Clinic) -> None:
    time_off = TimeOff(therapist=clinic.therapist, start=local(MONDAY, 12), end=local(MONDAY, 9))
    with pytest.raises(ValidationError):
        time_off.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        time_off.save()


def test_booking_rules_keep_a_sensible_grid(clinic: Clinic) -> None:
    clinic.rules.slot_step_minutes = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        clinic.rules.save()
    assert BookingRules.objects.get(pk=clinic.rules.pk).slot_step_minutes == 15


def test_appointment_validates_times_and_red_flags(clinic: Clinic) -> None:
    appointment = AppointmentFactory.build(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        patient=clinic.patient,
        start=local(MONDAY, 10),
        red_flags=["not_a_flag"],
    )
    with pytest.raises(ValidationError) as excinfo:
        appointment.full_clean()
    assert set(excinfo.value.message_dict) == {"red_flags"}
    appointment.red_flags = ["fever"]
    appointment.end = appointment.start
    with pytest.raises(ValidationError) as excinfo:
        appointment.full_clean()
    assert "end" in excinfo.value.message_dict


def test_models_read_well(clinic: Clinic) -> None:
    appointment = AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )
    assert str(clinic.evaluation) == "Initial evaluation (60 min)"
    assert str(hours(clinic, 0, 9, 12)) == "Monday 09:00-12:00"
    assert str(appointment).startswith("Initial evaluation with Dr. Therapist")
    assert appointment.is_active
