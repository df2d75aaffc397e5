"""Reads that feed the availability engine and list bookable slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stride.scheduling import availability as engine
from stride.scheduling.models import AppointmentStatus, BookingRules
from stride.scheduling.selectors import (
    appointment_get_for_patient,
    appointment_list_for_patient,
    availability_inputs_get,
    booking_rules_get,
    patient_is_new,
    slot_list_available,
)
from stride.scheduling.services import SlotUnavailable, appointment_book
from stride.scheduling.tests.conftest import MONDAY, NOW, NY, Clinic, local
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ClinicClosureFactory,
    LocationFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def starts(slots: list[engine.Slot]) -> list[str]:
    return [f"{slot.start:%H:%M}" for slot in slots]


def test_rules_default_when_a_location_has_none(db: None) -> None:
    location = LocationFactory.create()
    rules = booking_rules_get(location=location)
    assert rules.pk is None
    assert (rules.min_notice_minutes, rules.horizon_days, rules.slot_step_minutes) == (120, 60, 15)
    assert rules.cancellation_window_hours == 24


def test_inputs_hold_hours_time_off_closures_and_busy_time(clinic: Clinic) -> None:
    buffered = AppointmentTypeFactory.create(duration_minutes=60, buffer_after_minutes=15)
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=buffered, start=local(MONDAY, 10)
    )
    AppointmentFactory.create(
        therapist=clinic.therapist,
        start=local(MONDAY, 14),
        status=AppointmentStatus.CANCELLED,
    )
    TimeOffFactory.create(
        therapist=clinic.therapist, start=local(MONDAY, 15), end=local(MONDAY, 17)
    )
    ClinicClosureFactory.create(location=clinic.location, date=MONDAY)

    tz, rules, (schedule,) = availability_inputs_get(
        location=clinic.location, therapists=[clinic.therapist], first_day=MONDAY, last_day=MONDAY
    )

    assert tz == NY
    assert rules == engine.BookingRules(
        min_notice=dt.timedelta(hours=2), horizon_days=60, slot_step_minutes=15
    )
    assert schedule.therapist_id == clinic.therapist.pk
    assert engine.WorkingPeriod(0, dt.time(9), dt.time(12)) in schedule.periods
    assert len(schedule.periods) == 10
    assert schedule.busy == (engine.Interval(local(MONDAY, 10), local(MONDAY, 11, 15)),)
    assert set(schedule.unavailable) == {
        engine.Interval(local(MONDAY, 15), local(MONDAY, 17)),
        engine.Interval(local(MONDAY, 0), local(MONDAY + dt.timedelta(days=1), 0)),
    }


def test_inputs_can_leave_out_the_appointment_being_moved(clinic: Clinic) -> None:
    appointment = AppointmentFactory.create(therapist=clinic.therapist, start=local(MONDAY, 10))
    _, _, (schedule,) = availability_inputs_get(
        location=clinic.location,
        therapists=[clinic.therapist],
        first_day=MONDAY,
        last_day=MONDAY,
        exclude_appointment_id=appointment.pk,
    )
    assert schedule.busy == ()


def _busy_clinic(clinic: Clinic, therapist_count: int) -> list[Any]:
    """Give the clinic extra therapists, each with appointments, time off and closures."""
    therapists = [clinic.therapist]
    for _ in range(therapist_count - 1):
        therapists.append(
            TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
        )
    for index, therapist in enumerate(therapists):
        for week in range(5):
            AppointmentFactory.create(
                therapist=therapist,
                appointment_type=clinic.evaluation,
                start=local(MONDAY + dt.timedelta(weeks=week), 9 + index),
            )
        TimeOffFactory.create(
            therapist=therapist,
            start=local(MONDAY + dt.timedelta(days=2), 9),
            end=local(MONDAY + dt.timedelta(days=2), 17),
        )
    ClinicClosureFactory.create(location=clinic.location, date=dt.date(2026, 12, 25))
    return therapists


@pytest.mark.parametrize(
    ("therapist_count", "days"), [pytest.param(1, 1, id="1x1"), pytest.param(3, 31, id="3x31")]
)
def test_slot_listing_runs_a_fixed_number_of_queries(
    clinic: Clinic, django_assert_num_queries: Any, therapist_count: int, days: int
) -> None:
    _busy_clinic(clinic, therapist_count)
    last_day = MONDAY + dt.timedelta(days=days - 1)
    # therapists, then working hours, time off, closures, appointments and rules
    with django_assert_num_queries(6):
        slots = slot_list_available(
            appointment_type=clinic.evaluation, first_day=MONDAY, last_day=last_day, now=NOW
        )
    assert {slot.therapist_id for slot in slots} == {t.pk for t in clinic.location.therapists.all()}


def test_any_therapist_lists_everyone_sorted_by_start_then_therapist(clinic: Clinic) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    AppointmentFactory.create(
        therapist=other, appointment_type=clinic.evaluation, start=local(MONDAY, 9)
    )

    slots = slot_list_available(
        appointment_type=clinic.evaluation, first_day=MONDAY, last_day=MONDAY, now=NOW
    )

    keys = [(slot.start, slot.therapist_id) for slot in slots]
    assert keys == sorted(keys)
    mine = [s for s in slots if s.therapist_id == clinic.therapist.pk]
    theirs = [s for s in slots if s.therapist_id == other.pk]
    assert starts(mine)[:2] == ["09:00", "09:15"]
    assert starts(theirs)[0] == "10:00"
    assert starts(mine)[-1] == "16:00"
    assert "11:15" not in starts(mine)  # would run into the lunch break


def test_listing_for_one_therapist_or_location(clinic: Clinic) -> None:
    TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    elsewhere = TherapistFactory.create(
        location=LocationFactory.create(), types=[clinic.evaluation]
    )

    mine = slot_list_available(
        appointment_type=clinic.evaluation,
        first_day=MONDAY,
        last_day=MONDAY,
        therapist=clinic.therapist,
        now=NOW,
    )
    local_only = slot_list_available(
        appointment_type=clinic.evaluation,
        first_day=MONDAY,
        last_day=MONDAY,
        location=clinic.location,
        now=NOW,
    )
    everywhere = slot_list_available(
        appointment_type=clinic.evaluation, first_day=MONDAY, last_day=MONDAY, now=NOW
    )

    assert {s.therapist_id for s in mine} == {clinic.therapist.pk}
    assert elsewhere.pk not in {s.therapist_id for s in local_only}
    assert elsewhere.pk in {s.therapist_id for s in everywhere}
    keys = [(slot.start, slot.therapist_id) for slot in everywhere]
    assert keys == sorted(keys)


def test_hidden_therapists_and_offline_types_list_nothing(clinic: Clinic) -> None:
    offline = AppointmentTypeFactory.create(bookable_online=False)
    clinic.therapist.appointment_types.add(offline)
    assert (
        slot_list_available(appointment_type=offline, first_day=MONDAY, last_day=MONDAY, now=NOW)
        == []
    )
    not_offered = AppointmentTypeFactory.create()
    assert (
        slot_list_available(
            appointment_type=not_offered, first_day=MONDAY, last_day=MONDAY, now=NOW
        )
        == []
    )
    clinic.therapist.is_public = False
    clinic.therapist.save()
    assert (
        slot_list_available(
            appointment_type=clinic.evaluation, first_day=MONDAY, last_day=MONDAY, now=NOW
        )
        == []
    )


def test_busy_time_closures_and_rules_shape_the_list(clinic: Clinic) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )
    ClinicClosureFactory.create(location=clinic.location, date=MONDAY + dt.timedelta(days=1))
    clinic.rules.slot_step_minutes = 30
    clinic.rules.save()

    slots = slot_list_available(
        appointment_type=clinic.evaluation,
        first_day=MONDAY,
        last_day=MONDAY + dt.timedelta(days=1),
        now=NOW,
    )

    assert starts(slots) == [
        "09:00",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    ]


def test_every_listed_slot_can_be_booked(clinic: Clinic) -> None:
    slots = slot_list_available(
        appointment_type=clinic.short, first_day=MONDAY, last_day=MONDAY, now=NOW
    )
    taken: list[engine.Slot] = []
    for slot in slots:
        try:
            appointment_book(
                patient=clinic.returning,
                therapist=clinic.therapist,
                appointment_type=clinic.short,
                start=slot.start,
                now=NOW,
            )
        except SlotUnavailable:
            continue
        taken.append(slot)
    # Back-to-back 30-minute visits fill both periods exactly.
    assert starts(taken) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip
    assert (
        slot_list_available(
            appointment_type=clinic.short, first_day=MONDAY, last_day=MONDAY, now=NOW
        )
        == []
    )


def test_patient_reads_are_scoped_to_the_patient(clinic: Clinic) -> None:
    mine = AppointmentFactory.create(
        therapist=clinic.therapist, patient=clinic.patient, start=local(MONDAY, 10)
    )
    theirs = AppointmentFactory.create(therapist=clinic.therapist, start=local(MONDAY, 14))

    assert appointment_get_for_patient(patient=clinic.patient, pk=mine.pk) == mine
    with pytest.raises(type(mine).DoesNotExist):
        appointment_get_for_patient(patient=clinic.patient, pk=theirs.pk)
    assert list(appointment_list_for_patient(patient=clinic.patient, now=NOW)) == [mine]
    assert list(appointment_list_for_patient(patient=clinic.patient, upcoming=False, now=NOW)) == []


def test_patient_is_new_until_an_active_appointment(clinic: Clinic) -> None:
    patient = UserFactory.create()
    assert patient_is_new(patient=patient)
    AppointmentFactory.create(
        therapist=clinic.therapist, patient=patient, status=AppointmentStatus.CANCELLED
    )
    assert patient_is_new(patient=patient)
    assert not patient_is_new(patient=clinic.returning)


def test_booking_rules_row_is_used(clinic: Clinic) -> None:
    assert booking_rules_get(location=clinic.location) == BookingRules.objects.get(
        location=clinic.location
    )
