"""Each public page makes the same number of queries for 3 items as for 30."""

import pytest
from django.core.cache import cache

from .factories import (
    ArticleFactory,
    ConditionFactory,
    FaqCategoryFactory,
    FaqFactory,
    LocationFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

# With an empty cache: the content generation and the clinic (location + opening hours)
# cost 3 queries, then each page's own reads. Changing a number here means a page's reads
# changed: check that it still does not grow with the data.
EXPECTED = {
    "/": 3 + 2 + 1 + 1,  # articles + conditions, highlighted FAQs, team
    "/articles/": 3 + 2 + 1,  # articles + conditions, conditions in use
    # article, conditions, related + their conditions, the next scheduled publication
    "/articles/target/": 3 + 4 + 1,
    "/faq/": 3 + 2,  # categories + their FAQs
    "/search/?q=back": 3 + 2 + 1,  # articles + conditions, FAQs
}


def _populate(size: int) -> None:
    location = LocationFactory()
    reviewers = [TherapistFactory(location=location) for _ in range(3)]
    conditions = [ConditionFactory() for _ in range(4)]
    articles = [
        ArticleFactory(
            title=f"Back article {n}",
            reviewed_by=reviewers[n % 3],
            conditions=conditions[n % 3 : n % 3 + 2],
            featured=n % 2 == 0,
        )
        for n in range(size)
    ]
    ArticleFactory(
        slug="target",
        reviewed_by=reviewers[0],
        conditions=conditions,
        related=articles,
    )
    categories = [FaqCategoryFactory() for _ in range(3)]
    for n in range(size):
        FaqFactory(category=categories[n % 3], highlight=n % 2 == 0, answer="Back pain answer.")


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("path", list(EXPECTED))
def test_page_query_count_does_not_grow_with_content(client, django_assert_num_queries, size, path):
    _populate(size)
    cache.clear()
    with django_assert_num_queries(EXPECTED[path]):
        response = client.get(path)
    assert response.status_code == 200
