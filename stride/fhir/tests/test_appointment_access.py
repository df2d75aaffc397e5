"""Who sees which Appointment and Patient: staff everyone's, a patient their own, nobody else any.

Roles: anonymous, the patient, another patient, the therapist, front desk and admin.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.patient import Patient

from stride.scheduling.models import Appointment, AppointmentStatus
from stride.scheduling.tests.factories import AppointmentFactory

from .conftest import MONDAY, ROLES, STAFF, Clinic, local
from .support import FhirClient, base_url

pytestmark = pytest.mark.django_db


@dataclass
class Visits:
    mine: Appointment  # the patient's, Monday 09:00, with a reason
    cancelled: Appointment  # the patient's, the Monday after, cancelled
    theirs: Appointment  # the other patient's, Monday 11:00


@pytest.fixture
def visits(clinic: Clinic) -> Visits:
    def make(patient: object, start: object, **extra: object) -> Appointment:
        return AppointmentFactory.create(
            therapist=clinic.therapist,
            appointment_type=clinic.evaluation,
            patient=patient,
            start=start,
            **extra,
        )

    return Visits(
        mine=make(clinic.patient, local(MONDAY, 9), reason="Knee pain on stairs"),
        cancelled=make(
            clinic.patient, local(MONDAY.replace(day=14), 9), status=AppointmentStatus.CANCELLED
        ),
        theirs=make(clinic.other_patient, local(MONDAY, 11)),
    )


READ_MINE = {
    "anonymous": 401,
    "patient": 200,
    "other_patient": 404,
    "therapist": 200,
    "front_desk": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_patients_appointment(
    fhir: FhirClient, clinic: Clinic, visits: Visits, role: str
) -> None:
    answer = fhir.sign_in(clinic.user(role)).get(f"Appointment/{visits.mine.pk}")

    assert answer.status == READ_MINE[role]
    assert answer.header("Cache-Control") == "no-store"
    if answer.status == 401:
        assert answer.issue["code"] == "login"
        assert answer.header("WWW-Authenticate") == 'Bearer realm="fhir"'
    elif answer.status == 404:
        # The same answer as for an id that does not exist.
        missing = fhir.get("Appointment/999999")
        assert (missing.status, missing.issue["code"]) == (404, answer.issue["code"])
    else:
        assert isinstance(answer.resource, FhirAppointment)
        assert answer.data["id"] == str(visits.mine.pk)


@pytest.mark.parametrize("role", ROLES)
def test_searching_by_the_patients_reference(
    fhir: FhirClient, clinic: Clinic, visits: Visits, role: str
) -> None:
    answer = fhir.sign_in(clinic.user(role)).get(
        "Appointment", {"patient": f"Patient/{clinic.patient.pk}"}
    )

    assert answer.header("Cache-Control") == "no-store"
    if role == "anonymous":
        assert answer.status == 401
        return
    assert answer.status == 200
    expected = [] if role == "other_patient" else [visits.mine.pk, visits.cancelled.pk]
    assert answer.ids == [str(pk) for pk in expected]
    assert answer.data["total"] == len(expected)


@pytest.mark.parametrize("role", ROLES[1:])
def test_searching_without_a_patient_gives_the_callers_own_or_everyones(
    fhir: FhirClient, clinic: Clinic, visits: Visits, role: str
) -> None:
    answer = fhir.sign_in(clinic.user(role)).get("Appointment")

    expected = {
        "patient": [visits.mine, visits.cancelled],
        "other_patient": [visits.theirs],
    }.get(role, [visits.mine, visits.theirs, visits.cancelled])
    assert answer.ids == [str(a.pk) for a in expected]


def test_the_reason_is_shown_to_the_patient_only(
    fhir: FhirClient, clinic: Clinic, visits: Visits
) -> None:
    own = fhir.sign_in(clinic.patient).get(f"Appointment/{visits.mine.pk}")
    for role in STAFF:
        staff = fhir.sign_in(clinic.user(role)).get(f"Appointment/{visits.mine.pk}")
        assert "reasonCode" not in staff.data, role

    assert own.data["reasonCode"] == [{"text": "Knee pain on stairs"}]


def test_an_appointment_names_its_people_times_and_status(
    fhir: FhirClient, clinic: Clinic, visits: Visits
) -> None:
    answer = fhir.sign_in(clinic.front_desk).get(f"Appointment/{visits.mine.pk}")
    cancelled = fhir.get(f"Appointment/{visits.cancelled.pk}")

    data = answer.data
    assert data["status"] == "booked"
    assert (data["start"], data["end"]) == (
        "2026-12-07T09:00:00-05:00",
        "2026-12-07T10:00:00-05:00",
    )
    assert data["minutesDuration"] == 60
    assert data["appointmentType"]["coding"][0]["code"] == "initial-evaluation"
    actors = [p["actor"] for p in data["participant"]]
    assert actors[0] == {"reference": f"Patient/{clinic.patient.pk}", "display": "Pat Lee"}
    assert actors[1] == {
        "reference": f"Practitioner/{clinic.therapist.pk}",
        "display": "Dr. Rosa Diaz",
    }
    assert actors[2] == {"display": "Brooklyn Heights"}
    assert cancelled.data["status"] == "cancelled"
    assert cancelled.data["cancelationReason"] == {"text": "Cancelled"}


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (AppointmentStatus.ARRIVED, "arrived"),
        (AppointmentStatus.COMPLETED, "fulfilled"),
        (AppointmentStatus.NO_SHOW, "noshow"),
        (AppointmentStatus.LATE_CANCELLED, "cancelled"),
    ],
)
def test_every_status_maps_to_a_fhir_status(
    fhir: FhirClient, clinic: Clinic, visits: Visits, status: str, fhir_status: str
) -> None:
    Appointment.objects.filter(pk=visits.mine.pk).update(status=status)

    answer = fhir.sign_in(clinic.patient).get(f"Appointment/{visits.mine.pk}")

    assert answer.data["status"] == fhir_status


def test_date_bounds_filter_by_start(fhir: FhirClient, clinic: Clinic, visits: Visits) -> None:
    fhir.sign_in(clinic.admin)

    monday = fhir.get("Appointment", {"date": ["ge2026-12-07", "lt2026-12-08"]})
    morning = fhir.get(
        "Appointment",
        {"date": ["ge2026-12-07T08:00:00-05:00", "lt2026-12-07T10:00:00-05:00"]},
    )
    later = fhir.get("Appointment", {"date": "gt2026-12-07"})
    one_day = fhir.get("Appointment", {"date": "2026-12-14", "patient": str(clinic.patient.pk)})

    assert monday.ids == [str(visits.mine.pk), str(visits.theirs.pk)]
    assert morning.ids == [str(visits.mine.pk)]
    assert later.ids == [str(visits.cancelled.pk)]
    assert one_day.ids == [str(visits.cancelled.pk)]


def test_search_pages_with_count_and_a_next_link(
    fhir: FhirClient, clinic: Clinic, visits: Visits
) -> None:
    fhir.sign_in(clinic.front_desk)

    first = fhir.get("Appointment", {"_count": "2"})
    links = {link["relation"]: link["url"] for link in first.data["link"]}
    second = fhir.get(links["next"].removeprefix(f"{base_url()}/"))

    assert first.data["total"] == second.data["total"] == 3
    assert first.ids == [str(visits.mine.pk), str(visits.theirs.pk)]
    assert links["self"] == f"{base_url()}/Appointment?_count=2"
    assert second.ids == [str(visits.cancelled.pk)]
    assert "next" not in {link["relation"] for link in second.data["link"]}


@pytest.mark.parametrize(
    ("params", "expression"),
    [
        ({"_count": "0"}, "_count"),
        ({"_count": "101"}, "_count"),
        ({"_count": "x"}, "_count"),
        ({"_offset": "-1"}, "_offset"),
        ({"patient": "Practitioner/1"}, "patient"),
        ({"patient": ["Patient/1", "Patient/2"]}, "patient"),
        ({"date": "ne2026-12-07"}, "date"),
        ({"date": "2026-12-07T09:00"}, "date"),
        ({"patient:Patient": "1"}, "patient:Patient"),
        ({"practitioner": "Practitioner/1"}, "practitioner"),
    ],
)
def test_bad_appointment_search_parameters_are_400(
    fhir: FhirClient, clinic: Clinic, params: dict[str, str], expression: str
) -> None:
    answer = fhir.sign_in(clinic.admin).get("Appointment", params)

    assert answer.status == 400
    assert answer.expression == [expression]


def test_a_patient_id_that_cannot_exist_matches_nothing(
    fhir: FhirClient, clinic: Clinic, visits: Visits
) -> None:
    answer = fhir.sign_in(clinic.admin).get("Appointment", {"patient": "Patient/abc"})

    assert answer.status == 200
    assert answer.ids == []


READ_PATIENT = {
    "anonymous": 401,
    "patient": 200,
    "other_patient": 404,
    "therapist": 200,
    "front_desk": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_patient(fhir: FhirClient, clinic: Clinic, role: str) -> None:
    answer = fhir.sign_in(clinic.user(role)).get(f"Patient/{clinic.patient.pk}")

    assert answer.status == READ_PATIENT[role]
    assert answer.header("Cache-Control") == "no-store"
    if answer.status == 200:
        assert isinstance(answer.resource, Patient)
        assert answer.data["name"] == [{"text": "Pat Lee", "family": "Lee", "given": ["Pat"]}]
        assert answer.data["telecom"] == [{"system": "email", "value": "pat@example.org"}]


def test_staff_are_not_patients(fhir: FhirClient, clinic: Clinic) -> None:
    answer = fhir.sign_in(clinic.admin).get(f"Patient/{clinic.front_desk.pk}")

    assert answer.status == 404


def test_an_inactive_user_is_anonymous(fhir: FhirClient, clinic: Clinic, visits: Visits) -> None:
    fhir.sign_in(clinic.patient)
    clinic.patient.is_active = False
    clinic.patient.save()

    assert fhir.get(f"Appointment/{visits.mine.pk}").status == 401
