"""Query parameters are allow-listed and typed: sorting and filtering cannot reach SQL.

Peers' products were broken through sort parameters spliced into SQL. Stride's API declares
every query parameter in a typed schema; anything undeclared (``ordering``, ``sort``, ...) is
never read, and FHIR refuses unknown parameters by name. These tests pin both: the declared
parameters are exactly the table below, and hostile sort and filter values change nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client

from stride.programs.models import ExerciseCategory
from stride.programs.tests.factories import BodyRegionFactory, ExerciseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Every query parameter the API reads, per GET operation. A new one must be added here, typed.
DECLARED = {
    "/api/v1/appointment-types": set(),
    "/api/v1/therapists": set(),
    "/api/v1/availability": {"appointment_type", "start", "end", "therapist", "location"},
    "/api/v1/bookings/{booking_id}": set(),
    "/api/v1/exercises": {"category", "region", "limit", "offset"},
    "/api/v1/exercises/{slug}": set(),
    "/api/v1/me/program": set(),
    "/api/v1/me/progress": set(),
}
SORT_NAMES = ("ordering", "order", "order_by", "sort", "_sort", "sort_by")
HOSTILE = (
    "name; DROP TABLE programs_exercise;--",
    "-id",
    "(SELECT CASE WHEN 1=1 THEN name ELSE id END)",
    "name' OR '1'='1",
    "__class__",
    "patient__email",
)


def test_every_get_operation_declares_exactly_the_allow_listed_parameters(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    declared = {
        path: {p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"}
        for path, ops in paths.items()
        if "get" in ops
    }
    assert declared == DECLARED
    for names in declared.values():
        assert not names & set(SORT_NAMES), "sorting must be a typed enum, not a field name"


@pytest.fixture
def library() -> None:
    back = BodyRegionFactory.create(name="Lower back", slug="lower-back")
    ExerciseFactory.create(name="Bird-dog", category=ExerciseCategory.MOTOR_CONTROL, regions=[back])
    ExerciseFactory.create(name="Cat-camel", category=ExerciseCategory.MOBILITY, regions=[back])
    ExerciseFactory.create(name="Hamstring stretch")
    ExerciseFactory.create(name="Draft", is_published=False)


@pytest.mark.parametrize("name", SORT_NAMES)
def test_sort_parameters_are_never_read(client: Client, library: None, name: str) -> None:
    plain = client.get(f"{API}/exercises").json()
    for value in HOSTILE:
        response = client.get(f"{API}/exercises", {name: value})
        assert response.status_code == 200
        assert response.json() == plain, f"{name}={value!r} changed the answer"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filter_values_are_typed_or_matched_literally(
    client: Client, library: None, value: str
) -> None:
    by_category = client.get(f"{API}/exercises", {"category": value})
    assert by_category.status_code == 422
    assert set(by_category.json()["fields"]) == {"category"}
    by_region = client.get(f"{API}/exercises", {"region": value})
    assert by_region.status_code == 200
    assert by_region.json()["count"] == 0  # a literal slug that matches nothing
    assert client.get(f"{API}/exercises").json()["count"] == 3  # and nothing was dropped


@pytest.mark.parametrize("name", SORT_NAMES)
def test_fhir_refuses_sort_parameters_by_name(client: Client, name: str) -> None:
    response = client.get("/fhir/Practitioner", {name: HOSTILE[0]})
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == [name]
