"""With Redis configured but down, pages are still served and rate limits still count."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from stride.core.models import RateLimitCounter
from stride.core.ratelimit import Rate, rate_limit_hit

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1
LIVE = "redis://127.0.0.1:6379/15"


def _redis_cache(settings, url: str) -> None:
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "stride.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "stride-test",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/articles/", "/faq/", "/book/", "/contact/"])
def test_public_pages_are_served_while_redis_is_down(settings, client: Client, path: str) -> None:
    _redis_cache(settings, DEAD)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_rate_limits_count_in_the_database_while_redis_is_down(settings) -> None:
    _redis_cache(settings, DEAD)
    results = [rate_limit_hit("resilience", "9.9.9.9", Rate(2, 60)) for _ in range(3)]
    assert results == [True, True, False]
    assert RateLimitCounter.objects.filter(key__contains="resilience").exists()


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(settings) -> None:
    _redis_cache(settings, DEAD)
    cache.set("k", "v")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", "v") is False
    assert cache.get_many(["k"]) == {}


def test_a_live_redis_is_used_as_a_cache(settings) -> None:
    import redis

    try:
        redis.Redis.from_url(LIVE, socket_connect_timeout=0.2).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    _redis_cache(settings, LIVE)
    cache.set("stride-resilience", "v", 30)
    assert cache.get("stride-resilience") == "v"
    cache.delete("stride-resilience")
