"""The page cache shares only answers that hold nothing of one visitor or one response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stride.core.generations import CONTENT, generation_bump
from stride.core.models import CacheGeneration

pytestmark = [pytest.mark.django_db, pytest.mark.urls("stride.core.tests.pagecache_urls")]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    generation_bump(CONTENT)  # as any content saved through the ORM does
    yield
    cache.clear()


def test_nothing_is_cached_under_a_generation_never_bumped() -> None:
    """A flushed or bulk-loaded database must not meet entries cached before it."""
    CacheGeneration.objects.all().delete()

    first, second = twice("/plain/")

    assert first != second


def twice(path: str, client: Client | None = None) -> tuple[bytes, bytes]:
    return Client().get(path).content, (client or Client()).get(path).content


def test_an_opted_in_page_is_rendered_once_per_generation() -> None:
    first, second = twice("/plain/")
    assert first == second

    generation_bump(CONTENT)

    assert Client().get("/plain/").content != first


@pytest.mark.parametrize(
    "path", ["/nonce/", "/csrf/", "/cookie/", "/unmarked/", "/varying/", "/other/"]
)
def test_answers_holding_a_nonce_token_cookie_or_unknown_freshness_are_not_shared(
    path: str,
) -> None:
    first, second = twice(path)
    assert first != second


def test_a_visitor_with_a_session_is_neither_served_nor_stored() -> None:
    with_session = Client()
    with_session.cookies["sessionid"] = "whatever"

    mine = with_session.get("/plain/").content
    first, second = twice("/plain/")

    assert mine != first == second
    assert with_session.get("/plain/").content not in (mine, first)


def test_bearer_requests_and_posts_bypass_the_cache() -> None:
    cached = Client().get("/plain/").content

    assert Client().get("/plain/", headers={"authorization": "Bearer x"}).content != cached
    assert Client().post("/plain/").content != cached


def test_an_entry_lives_until_the_scheduled_change(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = twice("/scheduled/")
    assert first == second

    later = timezone.now() + dt.timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert Client().get("/scheduled/").content != first


def test_an_unknown_host_is_refused_as_without_the_cache() -> None:
    Client().get("/plain/")

    assert Client(HTTP_HOST="evil.example").get("/plain/").status_code == 400


def test_with_a_shared_cache_each_process_keeps_a_copy_it_checks_like_any_entry(
    settings: Any, django_assert_num_queries: Any
) -> None:
    """Behind Redis, a hit needs no round trip to it; a bumped generation still wins."""
    from stride.core import generations

    # A shared cache that keeps nothing, as if Redis had dropped every entry.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    generations._copies.clear()
    try:
        first = Client().get("/plain/").content
        with django_assert_num_queries(1):  # the content generation
            assert Client().get("/plain/").content == first

        generation_bump(CONTENT)

        assert Client().get("/plain/").content != first
    finally:
        generations._copies.clear()
