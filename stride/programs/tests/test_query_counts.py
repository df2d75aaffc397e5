"""The library's pages make the same number of queries for 3 exercises as for 20."""

import pytest
from django.core.cache import cache

from stride.content.tests.factories import ConditionFactory
from stride.scheduling.tests.factories import LocationFactory

from .factories import BodyRegionFactory, EquipmentFactory, ExerciseFactory

pytestmark = pytest.mark.django_db

# With an empty cache the content generation and the clinic (location + opening hours)
# cost 3 queries, then each page's own reads. Changing a number here means a page's reads
# changed: check that it still does not grow with the data.
EXPECTED = {
    "/exercises/": 3 + 1 + 2,  # regions in use; exercises + their regions
    "/exercises/?category=stretching&region=region-a": 3 + 1 + 2,
    "/exercises/?region=no-such-region": 3 + 1,  # unknown: no exercise query at all
    "/exercises/target/": 3 + 5,  # exercise, regions, equipment, conditions, steps
}


def _populate(size: int) -> None:
    LocationFactory(is_primary=True)
    regions = [BodyRegionFactory(slug=f"region-{c}") for c in "abcd"]
    equipment = [EquipmentFactory() for _ in range(3)]
    conditions = [ConditionFactory() for _ in range(3)]
    for n in range(size):
        ExerciseFactory(
            regions=regions[n % 3 : n % 3 + 2],
            equipment=equipment[: n % 3 + 1],
            conditions=conditions[: n % 2 + 1],
            steps=[f"Step {i}." for i in range(n % 5 + 1)],
        )
    ExerciseFactory(
        slug="target",
        regions=regions,
        equipment=equipment,
        conditions=conditions,
        steps=[f"Step {i}." for i in range(size)],
    )


@pytest.mark.parametrize("size", [3, 20])
@pytest.mark.parametrize("path", list(EXPECTED))
def test_page_query_count_does_not_grow_with_the_library(
    client, django_assert_num_queries, size, path
):
    _populate(size)
    cache.clear()
    with django_assert_num_queries(EXPECTED[path]):
        response = client.get(path)
    assert response.status_code == 200
