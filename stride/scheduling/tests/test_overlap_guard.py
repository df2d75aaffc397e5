"""The database itself refuses overlapping active appointments of one therapist.

These rows are written with the ORM directly, bypassing the booking service, so only the
PostgreSQL exclusion constraint or the SQLite triggers (migration 0003) stand in the way.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from stride.scheduling.models import OVERLAP_GUARD, Appointment, AppointmentStatus
from stride.scheduling.tests.conftest import MONDAY, Clinic, local
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory


def _raw(clinic: Clinic, hour: int, minute: int, minutes: int, **fields: object) -> Appointment:
    start = local(MONDAY, hour, minute)
    return AppointmentFactory.create(
        therapist=fields.pop("therapist", clinic.therapist),
        appointment_type=clinic.evaluation,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        buffer_end=start + dt.timedelta(minutes=minutes),
        **fields,
    )


def _refused(clinic: Clinic, hour: int, minute: int, minutes: int, **fields: object) -> str:
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        _raw(clinic, hour, minute, minutes, **fields)
    return str(excinfo.value)


def test_guard_is_installed_for_this_backend(clinic: Clinic) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [OVERLAP_GUARD])
            assert cursor.fetchone() is not None
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'scheduling_appointment' ORDER BY name"
            )
            names = [row[0] for row in cursor.fetchall()]
            assert names == [f"{OVERLAP_GUARD}_insert", f"{OVERLAP_GUARD}_update"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param((10, 0, 60), (10, 0, 60), id="same-slot"),
        pytest.param((10, 0, 60), (10, 30, 30), id="60@10:00-vs-30@10:30"),
        pytest.param((9, 30, 45), (10, 0, 60), id="45@09:30-vs-60@10:00"),
        pytest.param((10, 0, 60), (9, 30, 45), id="60@10:00-vs-45@09:30"),
        pytest.param((10, 0, 60), (10, 15, 30), id="inside"),
        pytest.param((10, 15, 30), (10, 0, 60), id="around"),
        pytest.param((10, 0, 1), (10, 0, 120), id="one-minute"),
    ],
)
def test_database_refuses_overlapping_active_appointments(
    clinic: Clinic, first: tuple[int, int, int], second: tuple[int, int, int]
) -> None:
    _raw(clinic, *first)
    assert OVERLAP_GUARD in _refused(clinic, *second)
    assert (
        Appointment.objects.filter(therapist=clinic.therapist, start__gte=local(MONDAY, 0)).count()
        == 1
    )


@pytest.mark.parametrize(
    "status", [AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW]
)
def test_every_active_status_holds_the_time(clinic: Clinic, status: str) -> None:
    _raw(clinic, 10, 0, 60, status=status)
    assert OVERLAP_GUARD in _refused(clinic, 10, 30, 30)


def test_database_accepts_back_to_back_appointments(clinic: Clinic) -> None:
    _raw(clinic, 10, 0, 60)
    _raw(clinic, 11, 0, 30)  # [start, end) is half-open: 11:00 is free
    _raw(clinic, 9, 15, 45)


def test_database_accepts_overlaps_of_different_therapists(clinic: Clinic) -> None:
    _raw(clinic, 10, 0, 60)
    _raw(clinic, 10, 0, 60, therapist=TherapistFactory.create(location=clinic.location))


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED])
def test_cancelled_appointments_do_not_hold_the_time(clinic: Clinic, status: str) -> None:
    _raw(clinic, 10, 0, 60, status=status)
    _raw(clinic, 10, 0, 60)
    _raw(clinic, 10, 30, 30, status=status)  # an inactive row may overlap an active one


def test_database_refuses_moving_an_appointment_onto_another(clinic: Clinic) -> None:
    _raw(clinic, 10, 0, 60)
    later = _raw(clinic, 11, 0, 30)
    later.start = local(MONDAY, 10, 45)
    with pytest.raises(IntegrityError, match=OVERLAP_GUARD), transaction.atomic():
        later.save()


def test_database_refuses_reactivating_a_cancelled_overlap(clinic: Clinic) -> None:
    _raw(clinic, 10, 0, 60)
    cancelled = _raw(clinic, 10, 0, 60, status=AppointmentStatus.CANCELLED)
    cancelled.status = AppointmentStatus.CONFIRMED
    with pytest.raises(IntegrityError, match=OVERLAP_GUARD), transaction.atomic():
        cancelled.save()


def test_an_appointment_does_not_clash_with_itself(clinic: Clinic) -> None:
    appointment = _raw(clinic, 10, 0, 60)
    appointment.start = local(MONDAY, 10, 15)  # slide by less than its length
    appointment.end = local(MONDAY, 11, 15)
    appointment.buffer_end = appointment.end
    appointment.status = AppointmentStatus.ARRIVED
    appointment.save()


def test_database_refuses_an_end_before_the_start(clinic: Clinic) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(clinic, 10, 0, 0)
