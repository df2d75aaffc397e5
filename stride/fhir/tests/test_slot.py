"""Slot search: the availability engine's free slots for one Schedule between two bounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.slot import Slot

from stride.fhir.resources import slot_key_parse
from stride.scheduling.models import WorkingHours
from stride.scheduling.selectors import slot_list_available
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory, TimeOffFactory

from .conftest import MONDAY, NY, Clinic, Clock, local
from .support import Answer, FhirClient, base_url

pytestmark = pytest.mark.django_db


def slots(fhir: FhirClient, clinic: Clinic, *bounds: str, **params: Any) -> Answer:
    query: dict[str, Any] = {"schedule": f"Schedule/{clinic.therapist.pk}", "start": list(bounds)}
    query.update({name.replace("_", "-"): value for name, value in params.items()})
    return fhir.get("Slot", query)


def starts(answer: Answer, code: str | None = None) -> list[str]:
    return [
        slot["start"]
        for slot in answer.entries
        if code is None or slot["appointmentType"]["coding"][0]["code"] == code
    ]


def test_a_day_of_slots_matches_the_engine_for_every_online_type(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = slots(fhir, clinic, "ge2026-12-07", "lt2026-12-08")

    assert answer.status == 200
    assert answer.data["type"] == "searchset"
    expected = {
        t.slug: [
            s.start.isoformat()
            for s in slot_list_available(
                appointment_type=t, first_day=MONDAY, last_day=MONDAY, therapist=clinic.therapist
            )
        ]
        for t in (clinic.evaluation, clinic.follow_up)
    }
    assert starts(answer, "initial-evaluation") == expected["initial-evaluation"]
    assert starts(answer, "follow-up") == expected["follow-up"]
    assert len(expected["initial-evaluation"]) == 22  # 09:00-11:00 and 13:00-16:00 every 15 min
    assert answer.data["total"] == len(answer.entries) == 22 + 24
    assert starts(answer) == sorted(starts(answer))  # by start; offsets are all -05:00 here
    assert "dry-needling" not in {s["appointmentType"]["coding"][0]["code"] for s in answer.entries}


def test_a_slot_is_free_with_offsets_schedule_type_and_an_id_naming_it(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = slots(fhir, clinic, "ge2026-12-07T09:00:00-05:00", "lt2026-12-07T09:01:00-05:00")

    assert [s["id"] for s in answer.entries] == [
        f"{clinic.therapist.pk}-{clinic.evaluation.pk}-20261207T140000Z",
        f"{clinic.therapist.pk}-{clinic.follow_up.pk}-20261207T140000Z",
    ]
    slot = Slot.model_validate(answer.entries[0])
    assert slot.status == "free"
    assert answer.entries[0]["start"] == "2026-12-07T09:00:00-05:00"
    assert answer.entries[0]["end"] == "2026-12-07T10:00:00-05:00"
    assert answer.entries[1]["end"] == "2026-12-07T09:45:00-05:00"
    data = answer.entries[0]
    assert data["schedule"] == {"reference": f"Schedule/{clinic.therapist.pk}"}
    assert data["serviceType"][0]["coding"][0]["code"] == "initial-evaluation"
    assert data["appointmentType"]["coding"][0]["display"] == "Initial evaluation"
    key = slot_key_parse(str(slot.id))
    assert key is not None
    assert (key.therapist_id, key.appointment_type_id) == (
        clinic.therapist.pk,
        clinic.evaluation.pk,
    )
    assert key.start == local(MONDAY, 9)
    assert answer.data["entry"][0]["fullUrl"] == f"{base_url()}/Slot/{slot.id}"


def test_appointment_type_filters_by_code(fhir: FhirClient, clinic: Clinic) -> None:
    system = f"{base_url()}/CodeSystem/appointment-type"
    only_evaluation = slots(
        fhir, clinic, "ge2026-12-07", "lt2026-12-08", appointment_type="initial-evaluation"
    )
    with_system = slots(
        fhir,
        clinic,
        "ge2026-12-07",
        "lt2026-12-08",
        appointment_type=f"{system}|initial-evaluation",
    )
    both = slots(
        fhir,
        clinic,
        "ge2026-12-07",
        "lt2026-12-08",
        appointment_type="initial-evaluation,follow-up",
    )
    offline = slots(fhir, clinic, "ge2026-12-07", "lt2026-12-08", appointment_type="dry-needling")
    foreign = slots(
        fhir, clinic, "ge2026-12-07", "lt2026-12-08", appointment_type="http://x|follow-up"
    )

    assert only_evaluation.data["total"] == with_system.data["total"] == 22
    assert set(starts(only_evaluation, "initial-evaluation")) == set(starts(only_evaluation))
    assert both.data["total"] == 46
    assert offline.data["total"] == foreign.data["total"] == 0


def test_taken_times_time_off_and_the_past_are_not_offered(
    fhir: FhirClient, clinic: Clinic, clock: Clock
) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )
    TimeOffFactory.create(
        therapist=clinic.therapist, start=local(MONDAY, 13), end=local(MONDAY, 17)
    )

    answer = slots(fhir, clinic, "ge2026-12-07", "lt2026-12-08", appointment_type="follow-up")

    assert [s[11:16] for s in starts(answer)] == ["09:00", "09:15", "11:00", "11:15"]


def test_bounds_select_starts_in_half_open_range(fhir: FhirClient, clinic: Clinic) -> None:
    answer = slots(
        fhir,
        clinic,
        "ge2026-12-07T10:00:00-05:00",
        "lt2026-12-07T11:00:00-05:00",
        appointment_type="initial-evaluation",
    )
    exclusive = slots(
        fhir,
        clinic,
        "gt2026-12-07T10:00:00-05:00",
        "le2026-12-07T11:00:00-05:00",
        appointment_type="initial-evaluation",
    )
    utc = slots(
        fhir,
        clinic,
        "ge2026-12-07T15:00:00Z",
        "lt2026-12-07T16:00:00Z",
        appointment_type="initial-evaluation",
    )
    one_day = slots(fhir, clinic, "2026-12-07", appointment_type="initial-evaluation")

    assert [s[11:16] for s in starts(answer)] == ["10:00", "10:15", "10:30", "10:45"]
    assert [s[11:16] for s in starts(exclusive)] == ["10:15", "10:30", "10:45", "11:00"]
    assert starts(utc) == starts(answer)
    assert one_day.data["total"] == 22


def test_thirty_one_days_are_allowed(fhir: FhirClient, clinic: Clinic) -> None:
    answer = slots(fhir, clinic, "ge2026-12-07", "lt2027-01-07", appointment_type="follow-up")

    assert answer.status == 200
    assert answer.data["total"] == len(answer.entries) > 0


@pytest.mark.parametrize(
    ("bounds", "expression"),
    [
        (["ge2026-12-07"], "start"),
        (["lt2026-12-08"], "start"),
        ([], "start"),
        (["ge2026-12-07", "lt2027-01-08"], "start"),  # 32 days
        (["ge2026-12-07", "le2027-01-07"], "start"),  # 32 days
        (["ge2026-12-07T09:00:00", "lt2026-12-08"], "start"),  # no offset
        (["ge2026-02-30", "lt2026-03-02"], "start"),
        (["ge1999-12-31", "lt2000-01-02"], "start"),
        (["sa2026-12-07", "lt2026-12-08"], "start"),
        (["ge2026-12-07,2026-12-08", "lt2026-12-09"], "start"),
        (["getoday", "lt2026-12-08"], "start"),
        (["ge2026-12-07T25:00:00Z", "lt2026-12-08"], "start"),
    ],
)
def test_bad_or_missing_bounds_are_400_naming_start(
    fhir: FhirClient, clinic: Clinic, bounds: list[str], expression: str
) -> None:
    answer = slots(fhir, clinic, *bounds)

    assert answer.status == 400
    assert answer.expression == [expression]
    assert answer.header("Cache-Control") == "no-store"


@pytest.mark.parametrize(
    ("params", "expression"),
    [
        ({"start": ["ge2026-12-07", "lt2026-12-08"]}, "schedule"),
        (
            {"schedule": ["Schedule/1", "Schedule/2"], "start": ["ge2026-12-07", "lt2026-12-08"]},
            "schedule",
        ),
        ({"schedule": "Practitioner/1", "start": ["ge2026-12-07", "lt2026-12-08"]}, "schedule"),
        (
            {"schedule": "Schedule/1", "start": ["ge2026-12-07", "lt2026-12-08"], "status": "free"},
            "status",
        ),
        (
            {
                "schedule": "Schedule/1",
                "start": ["ge2026-12-07", "lt2026-12-08"],
                "appointment-type": "",
            },
            "appointment-type",
        ),
    ],
)
def test_bad_parameters_are_400_naming_them(
    fhir: FhirClient, clinic: Clinic, params: dict[str, Any], expression: str
) -> None:
    answer = fhir.get("Slot", params)

    assert answer.status == 400
    assert answer.expression == [expression]


@pytest.mark.parametrize("schedule", ["Schedule/999999", "Schedule/abc", "hidden"])
def test_unknown_or_hidden_schedules_have_no_slots(
    fhir: FhirClient, clinic: Clinic, schedule: str
) -> None:
    if schedule == "hidden":
        schedule = f"Schedule/{clinic.hidden.pk}"

    answer = fhir.get("Slot", {"schedule": schedule, "start": ["ge2026-12-07", "lt2026-12-08"]})

    assert answer.status == 200
    assert answer.data["total"] == 0
    assert "entry" not in answer.data


def test_an_empty_range_has_no_slots(fhir: FhirClient, clinic: Clinic) -> None:
    answer = slots(fhir, clinic, "ge2026-12-08", "lt2026-12-07")

    assert answer.status == 200
    assert answer.data["total"] == 0


def test_self_link_repeats_the_search(fhir: FhirClient, clinic: Clinic) -> None:
    answer = slots(fhir, clinic, "ge2026-12-07", "lt2026-12-08", appointment_type="follow-up")

    (link,) = answer.data["link"]
    assert link["relation"] == "self"
    assert link["url"] == (
        f"{base_url()}/Slot?schedule=Schedule%2F{clinic.therapist.pk}"
        "&start=ge2026-12-07&start=lt2026-12-08&appointment-type=follow-up"
    )


def test_search_by_post_takes_form_parameters(fhir: FhirClient, clinic: Clinic) -> None:
    response = fhir.client.post(
        "/fhir/Slot/_search",
        f"schedule=Schedule/{clinic.therapist.pk}&start=ge2026-12-07&start=lt2026-12-08"
        "&appointment-type=initial-evaluation",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.json()["total"] == 22


# --- Daylight saving time ------------------------------------------------------------------------


def test_slots_across_the_fall_back_change_carry_each_instants_own_offset(
    fhir: FhirClient, clinic: Clinic, clock: Clock
) -> None:
    """New York leaves daylight time at 02:00 on Sunday 2026-11-01 (01:00-01:59 happens twice)."""
    clock.now = dt.datetime(2026, 10, 26, 12, tzinfo=NY)
    therapist = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], hours=False
    )
    WorkingHours.objects.create(therapist=therapist, weekday=5, start=dt.time(9), end=dt.time(10))
    WorkingHours.objects.create(therapist=therapist, weekday=6, start=dt.time(0), end=dt.time(4))

    answer = fhir.get(
        "Slot",
        {"schedule": f"Schedule/{therapist.pk}", "start": ["ge2026-10-31", "lt2026-11-02"]},
    )

    assert answer.status == 200
    pairs = [(s["start"], s["end"]) for s in answer.entries]
    assert pairs[0] == ("2026-10-31T09:00:00-04:00", "2026-10-31T10:00:00-04:00")
    sunday = pairs[1:]
    # 00:00 to 01:45 daylight time; the repeated hour adds no starts; then 02:00 to 03:00 EST.
    assert [start for start, _ in sunday] == [
        "2026-11-01T00:00:00-04:00",
        "2026-11-01T00:15:00-04:00",
        "2026-11-01T00:30:00-04:00",
        "2026-11-01T00:45:00-04:00",
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:15:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:45:00-04:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T02:15:00-05:00",
        "2026-11-01T02:30:00-05:00",
        "2026-11-01T02:45:00-05:00",
        "2026-11-01T03:00:00-05:00",
    ]
    # Each visit lasts 60 real minutes, so one starting in daylight time can end in standard.
    assert dict(sunday)["2026-11-01T01:30:00-04:00"] == "2026-11-01T01:30:00-05:00"
    assert dict(sunday)["2026-11-01T00:30:00-04:00"] == "2026-11-01T01:30:00-04:00"
    for start, end in pairs:
        elapsed = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
        assert elapsed == dt.timedelta(hours=1)


def test_a_date_bound_is_the_clinics_local_midnight_on_a_dst_day(
    fhir: FhirClient, clinic: Clinic, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 10, 26, 12, tzinfo=NY)
    therapist = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], hours=False
    )
    # Late Saturday (after UTC midnight), early Sunday and late Sunday (after UTC midnight).
    for weekday, start, end in ((5, 22, 23), (6, 0, 1), (6, 22, 23)):
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, start=dt.time(start), end=dt.time(end)
        )

    answer = fhir.get(
        "Slot", {"schedule": f"Schedule/{therapist.pk}", "start": ["ge2026-11-01", "lt2026-11-02"]}
    )

    # Sunday runs from 04:00 UTC (EDT) to 05:00 UTC on Monday (EST), not UTC midnight to midnight.
    assert starts(answer) == ["2026-11-01T00:00:00-04:00", "2026-11-01T22:00:00-05:00"]
