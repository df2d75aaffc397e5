"""Practitioner and Schedule: public therapists only, one Schedule each, stable ids."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.schedule import Schedule

from stride.scheduling.tests.factories import TherapistFactory

from .conftest import Clinic
from .support import FhirClient, base_url

pytestmark = pytest.mark.django_db


def test_practitioner_read_gives_name_credentials_and_the_slug(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = fhir.get(f"Practitioner/{clinic.therapist.pk}")

    assert answer.status == 200
    assert isinstance(answer.resource, Practitioner)
    data = answer.data
    assert data["id"] == str(clinic.therapist.pk)
    assert data["active"] is True
    assert data["name"] == [{"text": "Dr. Rosa Diaz"}]
    assert data["qualification"] == [{"code": {"text": "PT, DPT, OCS"}}]
    assert data["identifier"][0]["value"] == clinic.therapist.slug
    assert "telecom" not in answer.data


def test_practitioner_search_lists_public_therapists_only(fhir: FhirClient, clinic: Clinic) -> None:
    gone = TherapistFactory.create(location=clinic.location, display_name="Dr. Gone")
    gone.user.is_active = False
    gone.user.save()

    answer = fhir.get("Practitioner")

    assert answer.status == 200
    assert answer.data["type"] == "searchset"
    assert answer.data["total"] == 1
    assert answer.ids == [str(clinic.therapist.pk)]
    assert answer.data["link"] == [{"relation": "self", "url": f"{base_url()}/Practitioner"}]
    assert answer.data["entry"][0]["fullUrl"].endswith(f"/fhir/Practitioner/{clinic.therapist.pk}")


@pytest.mark.parametrize("pk", ["hidden", "gone", "999999", "abc", "99999999999999999999999"])
def test_practitioner_read_of_hidden_missing_or_malformed_ids_is_404(
    fhir: FhirClient, clinic: Clinic, pk: str
) -> None:
    ids = {"hidden": str(clinic.hidden.pk), "gone": "0"}
    answer = fhir.get(f"Practitioner/{ids.get(pk, pk)}")

    assert answer.status == 404
    assert answer.issue["code"] == "not-found"


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"name": "rosa"}, True),
        ({"name": "Diaz"}, True),
        ({"name": "iaz"}, False),
        ({"name:contains": "iaz"}, True),
        ({"name:exact": "Dr. Rosa Diaz"}, True),
        ({"name:exact": "dr. rosa diaz"}, False),
        ({"name": "Hidden"}, False),
    ],
)
def test_practitioner_search_by_name(
    fhir: FhirClient, clinic: Clinic, params: dict[str, str], found: bool
) -> None:
    answer = fhir.get("Practitioner", params)

    assert answer.status == 200
    assert answer.ids == ([str(clinic.therapist.pk)] if found else [])


@pytest.mark.parametrize(
    "params",
    [
        {"name": ""},
        {"name": "x" * 121},
        {"name": ["a", "b"]},
        # PostgreSQL refuses NUL in text: the name must be refused before the query (not a 500).
        {"name": "ro\x00sa"},
        {"name": "\x00"},
    ],
)
def test_practitioner_search_refuses_bad_names(
    fhir: FhirClient, clinic: Clinic, params: dict[str, str]
) -> None:
    answer = fhir.get("Practitioner", params)

    assert answer.status == 400
    assert answer.expression == ["name"]


def test_schedule_names_the_practitioner_online_types_and_horizon(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = fhir.get(f"Schedule/{clinic.therapist.pk}")

    assert answer.status == 200
    assert isinstance(answer.resource, Schedule)
    data = answer.data
    assert data["actor"][0]["reference"] == f"Practitioner/{clinic.therapist.pk}"
    # Online-bookable types only, in the clinic's order: no "Dry needling".
    codings = [concept["coding"][0] for concept in data["serviceType"]]
    assert [c["code"] for c in codings] == ["initial-evaluation", "follow-up"]
    assert {c["system"] for c in codings} == {f"{base_url()}/CodeSystem/appointment-type"}
    # Now is 2026-12-01 12:00 EST: two hours' notice; the last bookable day is 60 days on.
    assert answer.data["planningHorizon"] == {
        "start": "2026-12-01T14:00:00-05:00",
        "end": "2027-01-31T00:00:00-05:00",
    }


def test_schedule_search_by_actor(fhir: FhirClient, clinic: Clinic) -> None:
    pk = clinic.therapist.pk
    for actor in (f"Practitioner/{pk}", str(pk), f"{base_url()}/Practitioner/{pk}"):
        assert fhir.get("Schedule", {"actor": actor}).ids == [str(pk)], actor
    assert fhir.get("Schedule").ids == [str(pk)]
    assert fhir.get("Schedule", {"actor": f"Practitioner/{clinic.hidden.pk}"}).ids == []
    assert fhir.get("Schedule", {"actor": "Practitioner/nope"}).ids == []


def test_schedule_search_refuses_a_reference_to_another_type(
    fhir: FhirClient, clinic: Clinic
) -> None:
    answer = fhir.get("Schedule", {"actor": "Patient/1"})

    assert answer.status == 400
    assert answer.expression == ["actor"]


def test_schedule_read_of_a_hidden_therapist_is_404(fhir: FhirClient, clinic: Clinic) -> None:
    assert fhir.get(f"Schedule/{clinic.hidden.pk}").status == 404
