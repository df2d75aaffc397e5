from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from stride.core.models import RateLimitCounter
from stride.core.ratelimit import Rate, client_ip, rate_limit, rate_limit_hit


def _view(request):
    return HttpResponse("ok")


@pytest.mark.parametrize("text", ["", "5", "a/b", "0/60", "5/0", "-1/60"])
def test_rate_parse_rejects_malformed_values(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


def test_rate_parse_reads_count_and_seconds():
    assert Rate.parse("5/3600") == Rate(5, 3600)


@pytest.mark.django_db
def test_hits_past_the_rate_are_refused_per_ident():
    rate = Rate(3, 60)
    assert [rate_limit_hit("t", "1.2.3.4", rate) for _ in range(4)] == [True, True, True, False]
    assert rate_limit_hit("t", "5.6.7.8", rate) is True
    assert rate_limit_hit("other", "1.2.3.4", rate) is True


@pytest.mark.django_db
def test_counter_is_shared_in_the_database_without_redis(settings):
    settings.REDIS_URL = ""
    rate_limit_hit("t", "1.1.1.1", Rate(5, 60))
    rate_limit_hit("t", "1.1.1.1", Rate(5, 60))
    assert RateLimitCounter.objects.get(key="t:1.1.1.1").count == 2


@pytest.mark.django_db
def test_a_failing_redis_falls_back_to_the_database_and_still_limits(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with mock.patch("stride.core.ratelimit._hit_cache", side_effect=ConnectionError("down")):
        results = [rate_limit_hit("t", "9.9.9.9", Rate(2, 60)) for _ in range(3)]
    assert results == [True, True, False]


@pytest.mark.django_db
def test_rate_limits_off_lets_everything_through(settings):
    settings.STRIDE_RATE_LIMITS = False
    assert all(rate_limit_hit("t", "1.2.3.4", Rate(1, 60)) for _ in range(5))
    assert not RateLimitCounter.objects.exists()


@pytest.mark.django_db
def test_decorated_view_answers_429_with_retry_after(settings):
    settings.STRIDE_RATE_LIMIT_TEST = "1/120"
    view = rate_limit("test", "STRIDE_RATE_LIMIT_TEST")(_view)
    factory = RequestFactory()
    assert view(factory.post("/x")).status_code == 200
    refused = view(factory.post("/x"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "120"
    # GET is not limited by default.
    assert view(factory.get("/x")).status_code == 200


def test_client_ip_ignores_forwarded_for_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.STRIDE_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.STRIDE_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"
