"""The CapabilityStatement, and the OperationOutcome every path and method that is not served gets."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from stride.fhir import selectors

from .conftest import Clinic
from .support import FhirClient

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Practitioner": ({"read", "search-type"}, {"name": "string"}),
    "Schedule": ({"read", "search-type"}, {"actor": "reference"}),
    "Slot": (
        {"search-type"},
        {"schedule": "reference", "start": "date", "appointment-type": "token"},
    ),
    "Appointment": (
        {"read", "search-type", "create"},
        {"patient": "reference", "date": "date"},
    ),
    "Patient": ({"read"}, {}),
}


def test_metadata_lists_exactly_the_resources_interactions_and_search_params(
    fhir: FhirClient,
) -> None:
    answer = fhir.get("metadata")

    assert answer.status == 200
    statement = answer.resource
    assert isinstance(statement, CapabilityStatement)
    assert statement.fhirVersion == "4.3.0"
    assert statement.kind == "instance"
    assert "application/fhir+json" in answer.data["format"]
    (rest,) = statement.rest or []
    assert rest.mode == "server"
    found = {
        str(resource.type): (
            {str(i.code) for i in resource.interaction or []},
            {str(p.name): str(p.type) for p in resource.searchParam or []},
        )
        for resource in rest.resource or []
    }
    assert found == EXPECTED
    assert "no-store" in (answer.header("Cache-Control") or "")  # public, but every FHIR answer is


def test_metadata_is_public_and_pretty_on_request(fhir: FhirClient) -> None:
    response = fhir.client.get("/fhir/metadata", {"_pretty": "true", "_format": "json"})

    assert response.status_code == 200
    assert response.content.startswith(b'{\n  "resourceType": "CapabilityStatement"')


@pytest.mark.parametrize(
    "path",
    [
        "Observation",
        "Observation/1",
        "",
        "Appointment/1/_history/1",
        "Slot/a/b/c",
        "metadata/x",
        "%00%0a",
        "Appointment%0a",
    ],
)
def test_unknown_paths_answer_404_operation_outcome(fhir: FhirClient, path: str) -> None:
    answer = fhir.get(path)

    assert answer.status == 404
    assert answer.type == "OperationOutcome"
    assert answer.issue["code"] in {"not-found", "not-supported"}


def test_unknown_resource_type_is_not_supported(fhir: FhirClient) -> None:
    answer = fhir.get("Observation", {"patient": "Patient/1"})

    assert answer.status == 404
    assert answer.issue["code"] == "not-supported"
    assert "Observation" in answer.issue["diagnostics"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "Appointment/1", "GET, HEAD"),
        ("PUT", "Appointment/1", "GET, HEAD"),
        ("POST", "Practitioner", "GET, HEAD"),
        ("GET", "Slot/1-1-20261207T140000Z", ""),
        ("POST", "metadata", "GET, HEAD"),
        ("GET", "Patient", ""),
        ("GET", "Slot/_search", "POST"),
    ],
)
def test_unsupported_interactions_are_405(
    fhir: FhirClient, clinic: Clinic, method: str, path: str, allow: str
) -> None:
    answer = fhir.request(method, path)

    assert answer.status == 405
    assert answer.issue["code"] == "not-supported"
    assert answer.header("Allow") == allow


def test_unknown_search_parameter_is_400_naming_it(fhir: FhirClient, clinic: Clinic) -> None:
    answer = fhir.get("Practitioner", {"nmae": "Rosa"})

    assert answer.status == 400
    assert answer.expression == ["nmae"]


def test_xml_is_refused_as_a_format(fhir: FhirClient) -> None:
    assert fhir.get("metadata", {"_format": "xml"}).status == 400
    assert fhir.get("metadata", HTTP_ACCEPT="application/fhir+xml").status == 406


def test_json_accept_headers_are_served(fhir: FhirClient) -> None:
    for accept in ("application/fhir+json", "application/json", "*/*", "application/*"):
        assert fhir.get("metadata", HTTP_ACCEPT=accept).status == 200


def test_head_answers_like_get(fhir: FhirClient, clinic: Clinic) -> None:
    response = fhir.client.head(f"/fhir/Practitioner/{clinic.therapist.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"


def test_an_unexpected_failure_is_a_500_operation_outcome_without_details(
    fhir: FhirClient, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(selectors, "practitioner_list", broken)

    answer = fhir.get("Practitioner")

    assert answer.status == 500
    assert answer.issue["code"] == "exception"
    assert "secret" not in answer.response.content.decode()
