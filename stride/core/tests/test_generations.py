"""Generations go up with the change that causes them, and only if it commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from stride.core import generations
from stride.core.generations import (
    BOOKING,
    CONTENT,
    Generation,
    generation_bump,
    generation_cached,
    generation_get,
    generation_read,
    generation_read_direct,
)
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


class Computer:
    """Count how often an answer is computed."""

    def __init__(self, changes_at: dt.datetime | None = None) -> None:
        self.calls = 0
        self.changes_at = changes_at

    def __call__(self) -> tuple[int, dt.datetime | None]:
        self.calls += 1
        return self.calls, self.changes_at


@pytest.fixture
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_empty_cache")
def test_a_cached_answer_lasts_until_the_generation_moves_on() -> None:
    generation_bump(BOOKING)
    compute = Computer()

    assert generation_cached(BOOKING, "k", compute) == 1
    assert generation_cached(BOOKING, "k", compute) == 1
    generation_bump(BOOKING)
    assert generation_cached(BOOKING, "k", compute) == 2


@pytest.mark.usefixtures("_empty_cache")
def test_a_cached_answer_ends_when_time_alone_changes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    generation_bump(BOOKING)
    now = timezone.now()
    compute = Computer(changes_at=now + dt.timedelta(minutes=1))

    assert generation_cached(BOOKING, "k", compute) == 1
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=1))
    assert generation_cached(BOOKING, "k", compute) == 2


@pytest.mark.usefixtures("_empty_cache")
def test_nothing_is_cached_under_a_generation_never_bumped_nor_on_error() -> None:
    CacheGeneration.objects.all().delete()
    compute = Computer()

    assert generation_cached(BOOKING, "k", compute) == 1
    assert generation_cached(BOOKING, "k", compute) == 2

    generation_bump(BOOKING)

    def refuse() -> tuple[int, None]:
        raise ValueError

    with pytest.raises(ValueError):
        generation_cached(BOOKING, "k", refuse)
    assert generation_cached(BOOKING, "k", compute) == 3


def test_bumps_differ_even_when_the_counter_restarts_under_a_frozen_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each test's rollback restarts the counter, and tests freeze timezone.now(): a cached
    answer from one test must never look current in the next."""
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    CacheGeneration.objects.all().delete()

    with pytest.raises(RuntimeError), transaction.atomic():
        generation_bump(BOOKING)
        first = generation_get(BOOKING)
        raise RuntimeError
    generation_bump(BOOKING)

    again = generation_get(BOOKING)
    assert again.value == first.value == 1
    assert again != first


def test_process_copies_drop_the_least_recently_used_past_their_bounds() -> None:
    from stride.core.generations import _ProcessCopies

    copies = _ProcessCopies(max_entries=2, max_bytes=100)
    copies.put("a", "A", 10)
    copies.put("b", "B", 10)
    assert copies.get("a") == "A"  # now the most recently used
    copies.put("c", "C", 10)
    assert (copies.get("a"), copies.get("b"), copies.get("c")) == ("A", None, "C")

    copies.put("big", "BIG", 95)
    assert copies.get("big") == "BIG"
    assert copies.get("a") is None and copies.get("c") is None


@pytest.mark.django_db(transaction=True)
def test_the_direct_read_gives_what_djangos_cursor_gives() -> None:
    generation_bump(CONTENT)

    assert generation_read_direct(CONTENT) == generation_read(CONTENT)
    assert generation_read_direct("never-bumped") == Generation(0, None)


@pytest.mark.django_db(transaction=True)
def test_a_driver_error_in_the_direct_read_closes_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generation_bump(CONTENT)
    monkeypatch.setattr(generations, "_READ", "SELECT no_such_column FROM core_cachegeneration")

    with pytest.raises(DatabaseError):
        generation_read_direct(CONTENT)
    if connection.vendor != "sqlite":  # Django never closes the in-memory SQLite test db
        assert connection.connection is None  # closed: Django opens another on next use

    monkeypatch.undo()
    assert generation_read(CONTENT).cacheable
