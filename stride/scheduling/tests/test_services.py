"""Booking, cancelling, rescheduling and recording visits through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from stride.accounts.models import PatientProfile, Role, User
from stride.core.models import OutgoingEmail
from stride.scheduling import availability as engine
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    RedFlag,
    manage_token_hash,
)
from stride.scheduling.selectors import appointment_get_by_token
from stride.scheduling.services import (
    BookingInvalid,
    CancellationWindowPassed,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    appointment_token_rotate,
    patient_get_or_create,
)
from stride.scheduling.tests.conftest import MONDAY, NOW, NY, Clinic, local, refused
from stride.scheduling.tests.factories import (
    AppointmentTypeFactory,
    ClinicClosureFactory,
    InsurancePlanFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def book(clinic: Clinic, start: dt.datetime, **kwargs: Any) -> Appointment:
    kwargs.setdefault("patient", UserFactory.create())
    kwargs.setdefault("therapist", clinic.therapist)
    kwargs.setdefault("appointment_type", clinic.evaluation)
    kwargs.setdefault("now", NOW)
    return appointment_book(start=start, **kwargs)


# --- Booking -----------------------------------------------------------------------------------


def test_booking_a_free_slot_confirms_it(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10), patient=clinic.patient, reason=" Low back pain ")

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert appointment.start == dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)
    assert appointment.end == dt.datetime(2026, 12, 7, 16, tzinfo=dt.UTC)
    assert appointment.buffer_end == appointment.end
    assert appointment.location == clinic.location
    assert appointment.patient == clinic.patient
    assert appointment.reason == "Low back pain"
    assert appointment.booked_by is None


def test_booking_returns_the_manage_token_once_and_stores_only_its_hash(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))

    token = appointment.manage_token
    assert token is not None and len(token) >= 43
    stored = Appointment.objects.get(pk=appointment.pk)
    assert stored.manage_token is None
    assert stored.manage_token_hash == manage_token_hash(token) != token
    assert appointment_get_by_token(token=token) == stored
    with pytest.raises(Appointment.DoesNotExist):
        appointment_get_by_token(token=token + "x")


def test_booking_same_slot_twice_conflicts(clinic: Clinic) -> None:
    book(clinic, local(MONDAY, 10))
    with pytest.raises(SlotUnavailable) as excinfo:
        book(clinic, local(MONDAY, 10))
    assert excinfo.value.reason == engine.BUSY
    assert str(excinfo.value) == "That time has just been taken; please choose another."
    assert Appointment.objects.filter(therapist=clinic.therapist, start__gte=NOW).count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("evaluation", 10, 0), ("short", 10, 30), id="60@10:00-then-30@10:30"),
        pytest.param(("follow_up", 9, 30), ("evaluation", 10, 0), id="45@09:30-then-60@10:00"),
        pytest.param(("evaluation", 10, 0), ("follow_up", 9, 30), id="60@10:00-then-45@09:30"),
        pytest.param(("evaluation", 10, 0), ("short", 10, 15), id="inside"),
    ],
)
def test_booking_overlapping_time_of_any_start_and_length_conflicts(
    clinic: Clinic, first: tuple[str, int, int], second: tuple[str, int, int]
) -> None:
    kind, hour, minute = first
    book(
        clinic,
        local(MONDAY, hour, minute),
        appointment_type=getattr(clinic, kind),
        patient=clinic.returning,
    )
    kind, hour, minute = second
    with refused(engine.BUSY):
        book(
            clinic,
            local(MONDAY, hour, minute),
            appointment_type=getattr(clinic, kind),
            patient=clinic.returning,
        )


def test_booking_back_to_back_is_allowed(clinic: Clinic) -> None:
    book(clinic, local(MONDAY, 10))
    book(clinic, local(MONDAY, 11), appointment_type=clinic.short, patient=clinic.returning)
    book(clinic, local(MONDAY, 9, 15), appointment_type=clinic.follow_up, patient=clinic.returning)


def test_cancelled_appointment_does_not_block_the_slot(clinic: Clinic) -> None:
    first = book(clinic, local(MONDAY, 10))
    appointment_cancel(appointment=first, by_patient=False, now=NOW)
    second = book(clinic, local(MONDAY, 10))
    assert second.pk != first.pk


def test_booking_respects_the_buffer_after_an_appointment(clinic: Clinic) -> None:
    buffered = AppointmentTypeFactory.create(duration_minutes=60, buffer_after_minutes=15)
    clinic.therapist.appointment_types.add(buffered)
    appointment = book(clinic, local(MONDAY, 10), appointment_type=buffered)
    assert appointment.buffer_end == appointment.end + dt.timedelta(minutes=15)

    with refused(engine.BUSY):
        book(clinic, local(MONDAY, 11), appointment_type=clinic.short, patient=clinic.returning)
    book(clinic, local(MONDAY, 11, 15), appointment_type=clinic.short, patient=clinic.returning)


def test_booking_keeps_its_own_buffer_clear_of_the_next_appointment(clinic: Clinic) -> None:
    buffered = AppointmentTypeFactory.create(duration_minutes=60, buffer_after_minutes=15)
    clinic.therapist.appointment_types.add(buffered)
    book(clinic, local(MONDAY, 11), appointment_type=clinic.short, patient=clinic.returning)
    with refused(engine.BUSY):
        book(clinic, local(MONDAY, 10), appointment_type=buffered)


def test_same_idempotency_key_returns_the_same_appointment(clinic: Clinic) -> None:
    first = book(clinic, local(MONDAY, 10), patient=clinic.patient, idempotency_key="k-1")
    again = book(clinic, local(MONDAY, 10), patient=clinic.patient, idempotency_key="k-1")

    assert again.pk == first.pk
    assert again.manage_token is None  # the token is shown once only
    assert Appointment.objects.filter(patient=clinic.patient).count() == 1


def test_idempotency_key_reused_for_another_booking_is_invalid(clinic: Clinic) -> None:
    book(clinic, local(MONDAY, 10), patient=clinic.patient, idempotency_key="k-1")
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 14), patient=clinic.patient, idempotency_key="k-1")
    assert excinfo.value.field == "idempotency_key"


def test_idempotency_keys_are_per_patient(clinic: Clinic) -> None:
    book(clinic, local(MONDAY, 10), idempotency_key="same")
    other = book(clinic, local(MONDAY, 14), idempotency_key="same")
    assert other.manage_token is not None


def test_booking_09_00_after_fall_back_stores_14_00_utc(clinic: Clinic) -> None:
    now = dt.datetime(2026, 10, 20, 12, tzinfo=NY)
    after = book(clinic, local(dt.date(2026, 11, 2), 9), now=now)  # EST, UTC-5
    before = book(clinic, local(dt.date(2026, 10, 30), 9), now=now)  # EDT, UTC-4

    after.refresh_from_db()
    before.refresh_from_db()
    assert after.start == dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)
    assert before.start == dt.datetime(2026, 10, 30, 13, tzinfo=dt.UTC)
    assert after.start.astimezone(NY).hour == before.start.astimezone(NY).hour == 9


def test_booking_accepts_a_start_in_any_time_zone(clinic: Clinic) -> None:
    appointment = book(clinic, dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC))
    assert appointment.start.astimezone(NY) == local(MONDAY, 10)


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        pytest.param(local(dt.date(2026, 11, 30), 10), engine.IN_PAST, id="in-past"),
        pytest.param(local(dt.date(2026, 12, 1), 13), engine.TOO_SOON, id="too-soon"),
        pytest.param(local(dt.date(2027, 2, 1), 10), engine.BEYOND_HORIZON, id="beyond-horizon"),
        pytest.param(local(MONDAY, 12), engine.OUTSIDE_HOURS, id="lunch-break"),
        pytest.param(local(MONDAY, 16, 30), engine.OUTSIDE_HOURS, id="runs-past-closing"),
        pytest.param(local(dt.date(2026, 12, 5), 10), engine.OUTSIDE_HOURS, id="saturday"),
        pytest.param(local(MONDAY, 10, 5), engine.OFF_GRID, id="off-grid"),
    ],
)
def test_online_booking_follows_the_rules(clinic: Clinic, start: dt.datetime, reason: str) -> None:
    with pytest.raises(SlotUnavailable) as excinfo:
        book(clinic, start)
    assert excinfo.value.reason == reason


def test_time_off_and_closures_are_unavailable(clinic: Clinic) -> None:
    TimeOffFactory.create(
        therapist=clinic.therapist, start=local(MONDAY, 13), end=local(MONDAY, 17)
    )
    ClinicClosureFactory.create(location=clinic.location, date=MONDAY + dt.timedelta(days=1))
    for start in (local(MONDAY, 14), local(MONDAY + dt.timedelta(days=1), 10)):
        with refused(engine.UNAVAILABLE):
            book(clinic, start)
        with refused(engine.UNAVAILABLE):
            book(clinic, start, enforce_rules=False, booked_by=clinic.staff)


def test_staff_may_book_outside_online_rules_but_never_over_an_appointment(
    clinic: Clinic,
) -> None:
    soon = local(dt.date(2026, 12, 1), 12, 30)  # 30 minutes' notice
    evening = local(MONDAY, 17, 5)  # after hours, off grid
    for start in (soon, evening):
        appointment = book(clinic, start, enforce_rules=False, booked_by=clinic.staff)
        assert appointment.booked_by == clinic.staff
    with refused(engine.BUSY):
        book(clinic, evening + dt.timedelta(minutes=30), enforce_rules=False)


def test_type_the_therapist_does_not_offer_is_invalid(clinic: Clinic) -> None:
    other = AppointmentTypeFactory.create()
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 10), appointment_type=other)
    assert excinfo.value.field == "appointment_type"


def test_naive_start_is_invalid(clinic: Clinic) -> None:
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, dt.datetime(2026, 12, 7, 10))
    assert excinfo.value.field == "start"


def test_new_patient_starts_with_an_initial_evaluation(clinic: Clinic) -> None:
    with pytest.raises(BookingInvalid, match="initial evaluation"):
        book(clinic, local(MONDAY, 10), appointment_type=clinic.follow_up, patient=clinic.patient)
    book(clinic, local(MONDAY, 10), appointment_type=clinic.follow_up, patient=clinic.returning)
    book(
        clinic,
        local(MONDAY, 14),
        appointment_type=clinic.follow_up,
        patient=clinic.patient,
        enforce_rules=False,
    )


def test_a_new_patient_with_a_booked_evaluation_may_add_a_follow_up(clinic: Clinic) -> None:
    book(clinic, local(MONDAY, 10), patient=clinic.patient)
    book(
        clinic,
        local(MONDAY + dt.timedelta(days=7), 10),
        appointment_type=clinic.follow_up,
        patient=clinic.patient,
    )


def test_type_not_bookable_online_needs_staff(clinic: Clinic) -> None:
    clinic.evaluation.bookable_online = False
    clinic.evaluation.save()
    with pytest.raises(BookingInvalid, match="call us"):
        book(clinic, local(MONDAY, 10))
    book(clinic, local(MONDAY, 10), enforce_rules=False, booked_by=clinic.staff)


def test_hidden_or_inactive_therapist_takes_no_online_bookings(clinic: Clinic) -> None:
    clinic.therapist.is_public = False
    clinic.therapist.save()
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 10))
    assert excinfo.value.field == "therapist"
    book(clinic, local(MONDAY, 10), enforce_rules=False)

    clinic.therapist.user.is_active = False
    clinic.therapist.user.save()
    with pytest.raises(BookingInvalid):
        book(clinic, local(MONDAY, 14), enforce_rules=False)


def test_emergency_red_flags_are_not_booked_online(clinic: Clinic) -> None:
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 10), red_flags=[RedFlag.SADDLE_NUMBNESS])
    assert excinfo.value.field == "red_flags"
    urgent = book(clinic, local(MONDAY, 10), red_flags=[RedFlag.FEVER, RedFlag.FEVER])
    assert urgent.red_flags == [RedFlag.FEVER]
    with pytest.raises(BookingInvalid, match="Unknown red flag"):
        book(clinic, local(MONDAY, 14), red_flags=["made_up"])


def test_insurance_plan_and_referral_are_recorded(clinic: Clinic) -> None:
    hmo = InsurancePlanFactory.create(referral_required=True)
    appointment = book(clinic, local(MONDAY, 10), insurance_plan=hmo, has_referral=True)
    assert appointment.insurance_plan == hmo and appointment.has_referral

    retired = InsurancePlanFactory.create(is_active=False)
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 14), insurance_plan=retired)
    assert excinfo.value.field == "insurance_plan"


def test_overlong_reason_is_invalid(clinic: Clinic) -> None:
    with pytest.raises(BookingInvalid) as excinfo:
        book(clinic, local(MONDAY, 10), reason="x" * 1001)
    assert excinfo.value.field == "reason"


def test_booking_queues_its_notification_and_sends_it_after_commit(
    clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment = book(clinic, local(MONDAY, 10))
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.to) == (
        "appointment.booked",
        "pending",
        [appointment.patient.email],
    )
    assert str(appointment.manage_token) in email.body
    assert mailoutbox == []  # nothing leaves before commit

    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[appointment.patient.email]]
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.body == ""  # it carried the manage link: erased once sent


# --- Cancelling --------------------------------------------------------------------------------


def test_patient_cancels_before_the_window(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    now = local(MONDAY - dt.timedelta(days=1), 9, 59)
    cancelled = appointment_cancel(appointment=appointment, by_patient=True, now=now)

    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancelled_at == now
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_patient_cannot_cancel_inside_the_window(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    with pytest.raises(CancellationWindowPassed) as excinfo:
        appointment_cancel(
            appointment=appointment,
            by_patient=True,
            now=local(MONDAY - dt.timedelta(days=1), 10, 1),
        )
    assert excinfo.value.deadline == local(MONDAY - dt.timedelta(days=1), 10)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED


def test_cancellation_window_comes_from_the_location_rules(clinic: Clinic) -> None:
    clinic.rules.cancellation_window_hours = 48
    clinic.rules.save()
    appointment = book(clinic, local(MONDAY, 10))
    with pytest.raises(CancellationWindowPassed):
        appointment_cancel(
            appointment=appointment, by_patient=True, now=local(MONDAY - dt.timedelta(days=1), 9)
        )


def test_staff_cancel_at_any_time_and_the_slot_is_free_at_once(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    appointment_cancel(appointment=appointment, by_patient=False, now=local(MONDAY, 9, 55))
    rebooked = book(clinic, local(MONDAY, 10), enforce_rules=False)
    assert rebooked.status == AppointmentStatus.CONFIRMED


def test_cancelling_twice_changes_nothing(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    first = appointment_cancel(appointment=appointment, by_patient=True, now=NOW)
    second = appointment_cancel(
        appointment=appointment, by_patient=True, now=NOW + dt.timedelta(hours=1)
    )
    assert second.cancelled_at == first.cancelled_at == NOW


def test_completed_visit_cannot_be_cancelled(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    appointment_mark(
        appointment=appointment,
        status=AppointmentStatus.COMPLETED,
        by=clinic.staff,
        now=local(MONDAY, 11),
    )
    with pytest.raises(BookingInvalid):
        appointment_cancel(appointment=appointment, by_patient=False)


# --- Rescheduling ------------------------------------------------------------------------------


def test_reschedule_to_a_free_slot_keeps_id_and_token(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    token = appointment.manage_token
    Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=NOW)

    moved = appointment_reschedule(
        appointment=appointment, start=local(MONDAY, 14), by_patient=True, now=NOW
    )

    assert moved.pk == appointment.pk
    moved.refresh_from_db()
    assert moved.start == local(MONDAY, 14)
    assert moved.end == local(MONDAY, 15)
    assert moved.reminder_sent_at is None
    assert token is not None and appointment_get_by_token(token=token).pk == appointment.pk
    book(clinic, local(MONDAY, 10))  # the old time is free again


def test_reschedule_onto_a_taken_slot_is_refused_and_the_original_kept(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    book(clinic, local(MONDAY, 14))
    with refused(engine.BUSY):
        appointment_reschedule(
            appointment=appointment, start=local(MONDAY, 14, 30), by_patient=True, now=NOW
        )
    with refused(engine.BUSY):
        appointment_reschedule(
            appointment=appointment, start=local(MONDAY, 13, 30), by_patient=False, now=NOW
        )
    appointment.refresh_from_db()
    assert appointment.start == local(MONDAY, 10)
    assert appointment.status == AppointmentStatus.CONFIRMED


def test_reschedule_may_overlap_its_own_old_time(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    moved = appointment_reschedule(
        appointment=appointment, start=local(MONDAY, 10, 30), by_patient=True, now=NOW
    )
    assert moved.end == local(MONDAY, 11, 30)


def test_reschedule_keeps_the_booked_length_and_buffer(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    clinic.evaluation.duration_minutes = 90
    clinic.evaluation.buffer_after_minutes = 30
    clinic.evaluation.save()
    moved = appointment_reschedule(
        appointment=appointment, start=local(MONDAY, 14), by_patient=True, now=NOW
    )
    assert moved.end - moved.start == dt.timedelta(minutes=60)
    assert moved.buffer_end == moved.end


def test_reschedule_to_another_therapist(clinic: Clinic) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    appointment = book(clinic, local(MONDAY, 10))
    book(clinic, local(MONDAY, 10), therapist=other)
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(
            appointment=appointment,
            start=local(MONDAY, 10),
            therapist=other,
            by_patient=True,
            now=NOW,
        )
    moved = appointment_reschedule(
        appointment=appointment, start=local(MONDAY, 14), therapist=other, by_patient=True, now=NOW
    )
    assert moved.therapist == other
    book(clinic, local(MONDAY, 10))  # free again with the first therapist


def test_patient_cannot_reschedule_inside_the_window_but_staff_can(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    late = local(MONDAY, 8)
    with pytest.raises(CancellationWindowPassed):
        appointment_reschedule(
            appointment=appointment, start=local(MONDAY, 14), by_patient=True, now=late
        )
    moved = appointment_reschedule(
        appointment=appointment, start=local(MONDAY, 14), by_patient=False, now=late
    )
    assert moved.start == local(MONDAY, 14)


def test_cancelled_appointment_cannot_be_rescheduled(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    appointment_cancel(appointment=appointment, by_patient=False, now=NOW)
    with pytest.raises(BookingInvalid):
        appointment_reschedule(
            appointment=appointment, start=local(MONDAY, 14), by_patient=False, now=NOW
        )


# --- Outcomes ----------------------------------------------------------------------------------


def test_staff_record_arrival_then_completion(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    during = local(MONDAY, 10, 5)
    appointment_mark(
        appointment=appointment, status=AppointmentStatus.ARRIVED, by=clinic.staff, now=during
    )
    done = appointment_mark(
        appointment=appointment, status=AppointmentStatus.COMPLETED, by=clinic.staff, now=during
    )
    assert done.status == AppointmentStatus.COMPLETED
    with pytest.raises(SlotUnavailable):  # a completed visit still holds its time
        book(clinic, local(MONDAY, 10), enforce_rules=False)


def test_no_show_cannot_be_recorded_before_the_visit(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    with pytest.raises(BookingInvalid, match="not started"):
        appointment_mark(
            appointment=appointment, status=AppointmentStatus.NO_SHOW, by=clinic.staff, now=NOW
        )
    marked = appointment_mark(
        appointment=appointment,
        status=AppointmentStatus.NO_SHOW,
        by=clinic.staff,
        now=local(MONDAY, 10, 20),
    )
    assert marked.status == AppointmentStatus.NO_SHOW


def test_late_cancellation_frees_the_slot_and_is_counted(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    marked = appointment_mark(
        appointment=appointment,
        status=AppointmentStatus.LATE_CANCELLED,
        by=clinic.staff,
        now=local(MONDAY, 8),
    )
    assert marked.cancelled_at == local(MONDAY, 8)
    with pytest.raises(BookingInvalid):
        appointment_mark(appointment=appointment, status=AppointmentStatus.ARRIVED, by=clinic.staff)
    book(clinic, local(MONDAY, 10), enforce_rules=False)


def test_only_staff_record_outcomes(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    with pytest.raises(PermissionDenied):
        appointment_mark(
            appointment=appointment, status=AppointmentStatus.ARRIVED, by=clinic.patient
        )


def test_rotating_the_token_invalidates_the_old_link(clinic: Clinic) -> None:
    appointment = book(clinic, local(MONDAY, 10))
    old = appointment.manage_token
    assert old is not None
    new = appointment_token_rotate(appointment=appointment)
    assert appointment_get_by_token(token=new).pk == appointment.pk
    with pytest.raises(Appointment.DoesNotExist):
        appointment_get_by_token(token=old)


# --- Patients ----------------------------------------------------------------------------------


def test_first_booking_creates_a_patient_without_a_password(db: None) -> None:
    user = patient_get_or_create(
        email="Ana.Lopez@Example.com ",
        name="  Ana  María Lopez ",
        phone="(718) 555-0199",
        date_of_birth=dt.date(1980, 5, 17),
    )
    assert user.email == "ana.lopez@example.com"
    assert (user.first_name, user.last_name) == ("Ana María", "Lopez")
    assert user.role == Role.PATIENT
    assert not user.has_usable_password()
    profile = PatientProfile.objects.get(user=user)
    assert (profile.phone, profile.date_of_birth) == ("(718) 555-0199", dt.date(1980, 5, 17))


def test_returning_patient_is_recognised_by_email_in_any_case(db: None) -> None:
    first = patient_get_or_create(email="ana@example.com", name="Ana Lopez", phone="")
    again = patient_get_or_create(email="ANA@example.COM", name="Someone Else", phone="555-0101")

    assert again.pk == first.pk
    assert User.objects.count() == 1
    again.refresh_from_db()
    assert again.last_name == "Lopez"  # details on file are never overwritten
    assert again.patient_profile.phone == "555-0101"  # blanks are filled in


def test_staff_email_keeps_its_role(db: None) -> None:
    staff = UserFactory.create(email="desk@stridept.example", role=Role.FRONT_DESK)
    user = patient_get_or_create(email="desk@stridept.example", name="Desk", phone="")
    assert user.pk == staff.pk and user.role == Role.FRONT_DESK


@pytest.mark.parametrize(
    ("email", "name", "field"),
    [("not-an-email", "Ana", "email"), ("ana@example.com", "  ", "name")],
)
def test_patient_details_are_validated(db: None, email: str, name: str, field: str) -> None:
    with pytest.raises(BookingInvalid) as excinfo:
        patient_get_or_create(email=email, name=name, phone="")
    assert excinfo.value.field == field


def test_future_date_of_birth_is_invalid(db: None) -> None:
    with pytest.raises(BookingInvalid) as excinfo:
        patient_get_or_create(
            email="ana@example.com", name="Ana", phone="", date_of_birth=dt.date(2999, 1, 1)
        )
    assert excinfo.value.field == "date_of_birth"


# --- The database behind the check -------------------------------------------------------------


def test_database_guard_still_refuses_when_the_check_is_skipped(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = book(clinic, local(MONDAY, 10))
    monkeypatch.setattr("stride.scheduling.services.booking.slot_check", lambda **kwargs: None)

    with refused(engine.BUSY):
        book(clinic, local(MONDAY, 10, 30), appointment_type=clinic.short, patient=clinic.returning)
    moved = book(clinic, local(MONDAY, 14))
    with refused(engine.BUSY):
        appointment_reschedule(appointment=moved, start=local(MONDAY, 9, 30), by_patient=False)

    assert list(Appointment.objects.filter(start__gte=NOW)) == [original, moved]
    moved.refresh_from_db()
    assert moved.start == local(MONDAY, 14)


def test_a_postgresql_deadlock_on_insert_counts_as_a_clash() -> None:
    from django.db import OperationalError

    from stride.scheduling.services.booking import is_clash

    class Deadlock(Exception):
        sqlstate = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Deadlock()
    assert is_clash(error)
    assert not is_clash(OperationalError("database is locked"))
