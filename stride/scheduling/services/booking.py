"""Booking a visit: the slot re-checked under the therapist's row lock, then inserted."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from stride.accounts.models import User
from stride.integrations.services import webhook_event_enqueue
from stride.scheduling import availability as engine
from stride.scheduling.models import (
    EMERGENCY_RED_FLAGS,
    OVERLAP_GUARD,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    InsurancePlan,
    RedFlag,
    Therapist,
    manage_token_hash,
)
from stride.scheduling.selectors import availability_inputs_get, patient_is_new

from .errors import BookingInvalid, SlotUnavailable, full_clean_or_invalid
from .notifications import appointment_event_queue


def is_clash(exc: DatabaseError) -> bool:
    """Return whether the database refused an appointment write for overlapping another.

    That is the overlap guard (PostgreSQL exclusion constraint or SQLite trigger), or on
    PostgreSQL a deadlock (40P01), which concurrent inserts into one exclusion constraint can
    meet when a writer skips the therapist lock.
    """
    if isinstance(exc, IntegrityError):
        return OVERLAP_GUARD in str(exc)
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def require_aware(start: dt.datetime) -> dt.datetime:
    """Return ``start`` in UTC; a naive time is BookingInvalid (its zone would be a guess)."""
    if timezone.is_naive(start):
        raise BookingInvalid("start", "Give the time with its time zone.")
    return start.astimezone(dt.UTC)


def _red_flags_clean(red_flags: Iterable[str]) -> list[str]:
    flags = list(dict.fromkeys(red_flags))
    unknown = [flag for flag in flags if flag not in RedFlag.values]
    if unknown:
        raise BookingInvalid("red_flags", f"Unknown red flag: {unknown[0]}.")
    return flags


def therapists_lock(*therapists: Therapist) -> dict[int, Therapist]:
    """Lock therapist rows in primary-key order (so two reschedules cannot deadlock)."""
    ids = sorted({t.pk for t in therapists})
    locked = (
        Therapist.objects.select_for_update(of=("self",))
        .select_related("location", "user")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {t.pk: t for t in locked}


def therapist_check(
    *, therapist: Therapist, appointment_type: AppointmentType, enforce_rules: bool
) -> None:
    """Raise BookingInvalid unless the therapist takes bookings and offers the type."""
    if not therapist.user.is_active or (enforce_rules and not therapist.is_public):
        raise BookingInvalid("therapist", "This therapist is not taking bookings.")
    if not therapist.appointment_types.filter(pk=appointment_type.pk).exists():
        raise BookingInvalid(
            "appointment_type", f"{therapist.display_name} does not offer {appointment_type.name}."
        )


def slot_check(
    *,
    therapist: Therapist,
    start: dt.datetime,
    duration: dt.timedelta,
    buffer_after: dt.timedelta,
    now: dt.datetime,
    enforce_rules: bool,
    exclude_appointment_id: int | None = None,
) -> None:
    """Raise SlotUnavailable unless the therapist can take ``start``.

    Precondition: the caller holds the therapist's row lock, so nothing read here can change
    before the insert. Without ``enforce_rules`` (staff) only time off, closures and other
    appointments with their buffers are checked; notice, horizon, grid and hours are not.
    """
    day = start.astimezone(therapist.location.tzinfo).date()
    tz, rules, (schedule,) = availability_inputs_get(
        location=therapist.location,
        therapists=[therapist],
        first_day=day,
        last_day=day,
        exclude_appointment_id=exclude_appointment_id,
    )
    if enforce_rules:
        check = engine.slot_is_available(
            schedule=schedule,
            tz=tz,
            start=start,
            duration=duration,
            buffer_after=buffer_after,
            rules=rules,
            now=now,
        )
        if not check.ok:
            raise SlotUnavailable(check.reason or engine.BUSY)
        return
    blocked_until = start + duration + buffer_after
    for reason, intervals in (
        (engine.UNAVAILABLE, schedule.unavailable),
        (engine.BUSY, schedule.busy),
    ):
        if any(i.start < blocked_until and i.end > start for i in intervals):
            raise SlotUnavailable(reason)


def _idempotent_replay(
    *,
    patient: User,
    idempotency_key: str,
    therapist: Therapist,
    appointment_type: AppointmentType,
    start: dt.datetime,
) -> Appointment | None:
    existing = Appointment.objects.filter(patient=patient, idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if (existing.therapist_id, existing.appointment_type_id, existing.start) != (
        therapist.pk,
        appointment_type.pk,
        start,
    ):
        raise BookingInvalid("idempotency_key", "This key was already used for another booking.")
    return existing


def appointment_book(
    *,
    patient: User,
    therapist: Therapist,
    appointment_type: AppointmentType,
    start: dt.datetime,
    reason: str = "",
    insurance_plan: InsurancePlan | None = None,
    has_referral: bool = False,
    red_flags: Iterable[str] = (),
    idempotency_key: str | None = None,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
    enforce_rules: bool = True,
) -> Appointment:
    """Book ``appointment_type`` with ``therapist`` at ``start`` (aware) for ``patient``.

    Returns the new appointment with ``manage_token`` set, the only time the token is
    available. A repeated ``idempotency_key`` of the patient returns the earlier appointment
    (``manage_token`` None) instead of booking again. ``enforce_rules=False`` is for staff: it
    skips online-only rules (notice, horizon, grid, hours, public profile, new-patient types,
    emergency red flags) but never the check against other appointments.

    Raises SlotUnavailable when the time is taken or not bookable, BookingInvalid for bad input.

    Locks: the therapist row (SELECT ... FOR UPDATE) until commit, so one therapist's bookings
    run one at a time; on SQLite the IMMEDIATE transaction already serialises all writers. The
    database's overlap guard turns any slip into SlotUnavailable.
    """
    now = now if now is not None else timezone.now()
    start = require_aware(start)
    flags = _red_flags_clean(red_flags)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 64:
        raise BookingInvalid("idempotency_key", "Use 1 to 64 characters.")

    with transaction.atomic():
        locked = therapists_lock(therapist)[therapist.pk]
        if idempotency_key is not None:
            replay = _idempotent_replay(
                patient=patient,
                idempotency_key=idempotency_key,
                therapist=locked,
                appointment_type=appointment_type,
                start=start,
            )
            if replay is not None:
                return replay

        if not patient.is_active:
            raise BookingInvalid("patient", "This account is not active.")
        therapist_check(
            therapist=locked, appointment_type=appointment_type, enforce_rules=enforce_rules
        )
        if insurance_plan is not None and not insurance_plan.is_active:
            raise BookingInvalid("insurance_plan", "The clinic no longer accepts this plan.")
        if enforce_rules:
            if not appointment_type.bookable_online:
                raise BookingInvalid("appointment_type", "Please call us to book this visit.")
            if not appointment_type.new_patients and patient_is_new(patient=patient):
                raise BookingInvalid(
                    "appointment_type", "New patients start with an initial evaluation."
                )
            # CLINICAL.md §1: an emergency answer means urgent care now, not a booking.
            if EMERGENCY_RED_FLAGS.intersection(flags):
                raise BookingInvalid("red_flags", "These symptoms need emergency care now.")

        slot_check(
            therapist=locked,
            start=start,
            duration=appointment_type.duration,
            buffer_after=appointment_type.buffer_after,
            now=now,
            enforce_rules=enforce_rules,
        )
        token = secrets.token_urlsafe(32)
        end = start + appointment_type.duration
        appointment = Appointment(
            therapist=locked,
            appointment_type=appointment_type,
            location=locked.location,
            patient=patient,
            start=start,
            end=end,
            buffer_end=end + appointment_type.buffer_after,
            status=AppointmentStatus.CONFIRMED,
            reason=reason.strip(),
            insurance_plan=insurance_plan,
            has_referral=has_referral,
            red_flags=flags,
            idempotency_key=idempotency_key,
            manage_token_hash=manage_token_hash(token),
            booked_by=booked_by,
        )
        full_clean_or_invalid(appointment)
        try:
            with transaction.atomic():
                appointment.save()
        except (IntegrityError, OperationalError) as exc:
            if is_clash(exc):
                raise SlotUnavailable(engine.BUSY) from exc
            raise
        appointment.manage_token = token
        webhook_event_enqueue(event="appointment.created", appointment=appointment)
        appointment_event_queue(event="booked", appointment=appointment, manage_token=token)
    return appointment
