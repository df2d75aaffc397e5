"""The WSGI fast path gives exactly the answers Django's handler gives, and only those."""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError
from django.utils import timezone

from stride.core import generations, pagecache
from stride.core.generations import CONTENT, generation_bump
from stride.core.pagecache import PublicPageFastPath

# The fast path checks the database connection as a request's start does, which a test inside
# a transaction (the ``db`` fixture) would not survive: these tests commit.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("stride.core.tests.pagecache_urls"),
]

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture(autouse=True)
def _production_like(settings: Any) -> Iterator[None]:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    cache.clear()
    generations._copies.clear()
    generation_bump(CONTENT)
    yield
    cache.clear()
    generations._copies.clear()


class Counting:
    """Django's handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


def environ(path: str = "/plain/", method: str = "GET", **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **extra,
    }


def call(app: Any, env: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    sent: list[Any] = []
    result = app(env, lambda status, headers, exc_info=None: sent.append((status, headers)))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return sent[0][0], sent[0][1], body


def test_fast_answers_are_byte_identical_to_djangos() -> None:
    django = WSGIHandler()
    counting = Counting()
    fast = PublicPageFastPath(counting)
    first = call(django, environ(**HTTPS))  # renders and caches the page
    headers = dict(first[1])
    requests = [
        environ(**HTTPS),
        environ(method="HEAD", **HTTPS),
        environ(HTTP_IF_NONE_MATCH=headers["ETag"], **HTTPS),
        environ(HTTP_IF_MODIFIED_SINCE=headers["Last-Modified"], **HTTPS),
    ]
    for env in requests:
        through_django = call(django, dict(env))
        call(fast, dict(env))  # the first goes through Django and is kept
        calls = counting.calls

        assert call(fast, dict(env)) == through_django
        assert counting.calls == calls  # answered by the fast path

    assert [call(django, dict(env))[0] for env in requests] == [
        "200 OK",
        "200 OK",
        "304 Not Modified",
        "304 Not Modified",
    ]
    assert {"Strict-Transport-Security", "Content-Security-Policy", "ETag"} <= headers.keys()


def test_each_fast_hit_reads_the_generation_and_an_edit_shows_at_once(
    django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting()
    fast = PublicPageFastPath(counting)
    call(fast, environ(**HTTPS))
    first = call(fast, environ(**HTTPS))
    calls = counting.calls
    reads: list[str] = []
    real = generations.generation_read_direct

    def counted(name: str) -> generations.Generation:
        reads.append(name)
        return real(name)

    monkeypatch.setattr(pagecache, "generation_read_direct", counted)

    # The content generation, read through the driver's cursor: no query through Django's.
    with django_assert_num_queries(0):
        assert call(fast, environ(**HTTPS)) == first
    assert reads == [CONTENT]
    assert counting.calls == calls

    generation_bump(CONTENT)

    assert call(fast, environ(**HTTPS))[2] != first[2]


def test_an_expired_entry_is_not_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = PublicPageFastPath(WSGIHandler())
    call(fast, environ("/scheduled/", **HTTPS))
    first = call(fast, environ("/scheduled/", **HTTPS))

    later = timezone.now() + dt.timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert call(fast, environ("/scheduled/", **HTTPS))[2] != first[2]


def test_an_unknown_host_is_refused_after_hits_from_known_ones() -> None:
    fast = PublicPageFastPath(WSGIHandler())
    for _ in range(2):
        assert call(fast, environ(**HTTPS))[0] == "200 OK"

    for _ in range(2):
        assert call(fast, environ(HTTP_HOST="evil.example", **HTTPS))[0].startswith("400")


def test_plain_http_is_still_redirected_to_https() -> None:
    fast = PublicPageFastPath(WSGIHandler())
    for _ in range(2):
        call(fast, environ(**HTTPS))

    for _ in range(2):
        status, headers, _ = call(fast, environ())
        assert status.startswith("301")
        assert dict(headers)["Location"] == "https://localhost/plain/"


def test_visitors_with_a_session_or_credentials_go_through_django() -> None:
    counting = Counting()
    fast = PublicPageFastPath(counting)
    cached = call(fast, environ(**HTTPS))
    call(fast, environ(**HTTPS))
    calls = counting.calls

    signed_in = call(fast, environ(HTTP_COOKIE="__Host-sessionid=abc", **HTTPS))
    bearer = call(fast, environ(HTTP_AUTHORIZATION="Bearer x", **HTTPS))

    assert counting.calls == calls + 2
    assert cached[2] not in (signed_in[2], bearer[2])


def test_a_failed_generation_read_leaves_the_answer_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broken database connection costs no error: Django's handler answers, reconnecting."""

    counting = Counting()
    fast = PublicPageFastPath(counting)
    call(fast, environ(**HTTPS))
    cached = call(fast, environ(**HTTPS))
    calls = counting.calls

    real = generations.generation_read_direct
    failures: list[str] = []

    def broken_once(name: str) -> generations.Generation:
        if not failures:
            failures.append(name)
            raise OperationalError("server closed the connection unexpectedly")
        return real(name)

    monkeypatch.setattr(pagecache, "generation_read_direct", broken_once)

    assert call(fast, environ(**HTTPS)) == cached
    assert failures == [CONTENT]
    assert counting.calls == calls + 1


def test_a_request_memo_left_behind_cannot_hide_an_edit() -> None:
    """A thread whose last request never finished keeps its memo; the fast path ignores it."""
    fast = PublicPageFastPath(WSGIHandler())
    call(fast, environ(**HTTPS))
    first = call(fast, environ(**HTTPS))
    before = generations.generation_read(CONTENT)
    generation_bump(CONTENT)
    generations._request_memo.values = {CONTENT: before}
    try:
        assert call(fast, environ(**HTTPS))[2] != first[2]
    finally:
        generations._request_memo.values = None
