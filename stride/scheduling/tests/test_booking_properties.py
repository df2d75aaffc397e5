"""Property: whatever sequence of bookings and cancellations arrives, no active visits overlap.

Staff bookings (no online rules) are checked against a plain model: a booking succeeds exactly
when its [start, end + buffer) is clear of every active visit's [start, buffer_end).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType
from stride.scheduling.services import SlotUnavailable, appointment_book, appointment_cancel
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local
from stride.scheduling.tests.factories import AppointmentTypeFactory

# (type index, quarter hours after Monday 08:00, cancel the n-th active visit first or None)
steps = st.lists(
    st.tuples(
        st.integers(0, 2), st.integers(0, 40), st.none() | st.integers(min_value=0, max_value=5)
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_bookings_never_overlap_and_free_time_is_always_bookable(
    clinic: Clinic, steps: list[tuple[int, int, int | None]]
) -> None:
    Appointment.objects.filter(therapist=clinic.therapist, start__gte=NOW).delete()
    types: list[AppointmentType] = [
        AppointmentTypeFactory.create(duration_minutes=60, buffer_after_minutes=15),
        clinic.follow_up,
        clinic.short,
    ]
    clinic.therapist.appointment_types.add(types[0])
    active: list[Appointment] = []

    for type_index, quarters, cancel in steps:
        if cancel is not None and active:
            appointment_cancel(
                appointment=active.pop(cancel % len(active)), by_patient=False, now=NOW
            )
        kind = types[type_index]
        start = local(MONDAY, 8) + dt.timedelta(minutes=15 * quarters)
        blocked_until = start + kind.duration + kind.buffer_after
        free = all(a.buffer_end <= start or a.start >= blocked_until for a in active)
        try:
            active.append(
                appointment_book(
                    patient=clinic.returning,
                    therapist=clinic.therapist,
                    appointment_type=kind,
                    start=start,
                    now=NOW,
                    enforce_rules=False,
                )
            )
            assert free, f"booked {kind} at {start} over {active[:-1]}"
        except SlotUnavailable:
            assert not free, f"refused free {kind} at {start}"

    stored = sorted(
        Appointment.objects.filter(
            therapist=clinic.therapist, status__in=ACTIVE_STATUSES, start__gte=NOW
        ),
        key=lambda a: a.start,
    )
    assert {a.pk for a in stored} == {a.pk for a in active}
    for earlier, later in zip(stored, stored[1:], strict=False):
        assert earlier.buffer_end <= later.start
