"""Generations go up with the change that causes them, and only if it commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from stride.core.generations import CONTENT, Generation, generation_bump, generation_get
from stride.core.models import CacheGeneration

pytestmark = pytest.mark.django_db


def test_a_missing_generation_reads_as_never_bumped_and_is_created_by_a_bump() -> None:
    CacheGeneration.objects.all().delete()
    assert generation_get("test") == Generation(0, None)

    generation_bump("test")
    generation_bump("test")

    current = generation_get("test")
    assert current.value == 2
    assert current.changed_at is not None


def test_a_rolled_back_change_leaves_the_generation_as_it_was() -> None:
    before = generation_get(CONTENT)

    with pytest.raises(RuntimeError), transaction.atomic():
        generation_bump(CONTENT)
        raise RuntimeError

    assert generation_get(CONTENT) == before


def test_outside_a_request_every_read_goes_to_the_database(django_assert_num_queries) -> None:
    # Commands and cron jobs run for long: they must see other servers' bumps. (Within a
    # request each generation is read once; see the article page's query counts.)
    with django_assert_num_queries(2):
        generation_get(CONTENT)
        generation_get(CONTENT)
