"""Whole-page cache of public pages for visitors without a session, with ETag and 304s.

A view opts in with ``@public_page_cache`` and tells, with ``page_freshness_set``, when what it
shows last changed and when it will next change by itself (a scheduled publication). Only the
answers to visitors without a session or messages cookie are cached and only they are answered
from the cache: such a visitor cannot be signed in or have a message waiting, so every one of
them sees the same page. An answer that sets a cookie, uses a CSRF token or a CSP nonce is not
cached, so no cached page carries one (nonces are per response).

An entry is used only while the ``content`` generation it was rendered at is current
(``stride.core.generations``: bumped by every change to what public pages show, read from the
database on each hit, so a change shows at once on every app server), until the view's
scheduled change, for at most ``MAX_AGE`` seconds, and only by a deploy with the same templates
and static files. Entries live in the default cache: Redis shares them between app servers,
LocMem keeps one copy per process.

``PublicPageFastPath`` (``config/wsgi.py``) answers repeated hits before Django's handler runs,
with the status and headers Django gave the same request for the same entry.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.handlers.wsgi import get_str_from_wsgi
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.http.cookie import parse_cookie
from django.template.utils import get_app_template_dirs
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .generations import (
    CONTENT,
    Generation,
    cache_copy,
    cache_get,
    cache_set,
    generation_get,
    generation_read_direct,
)

# The longest an entry lives: a bound for changes no signal reports (bulk updates, code).
MAX_AGE = 600
_ATTRIBUTE = "public_page_cache"
_FRESHNESS = "_page_freshness"
# Set on an answer the middleware gave from an entry: (key, entry).
_HIT = "_page_cache_hit"
# Headers an entry keeps; Vary values other than these make an answer uncacheable.
_VARY_ALLOWED = {"cookie", "accept-encoding"}


@dataclass(frozen=True, slots=True)
class PageFreshness:
    """When what a page shows last changed, and when it will change without an edit."""

    last_modified: dt.datetime
    expires_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PageEntry:
    generation: Generation
    expires_at: dt.datetime
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    etag: str
    last_modified: float

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


def public_page_cache(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let ``PublicPageCacheMiddleware`` cache the view's pages for visitors without a session.

    The page must depend only on the path and the data behind the ``content`` generation, and
    the view must call ``page_freshness_set`` on each answer it lets be cached.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(*args, **kwargs)

    setattr(wrapped, _ATTRIBUTE, True)
    return wrapped


def page_freshness_set(
    response: HttpResponseBase, *, last_modified: dt.datetime, expires_at: dt.datetime | None
) -> HttpResponseBase:
    """Let ``response`` be cached: it shows data last changed at ``last_modified`` and changes
    by itself at ``expires_at`` (None: only when the data is edited)."""
    setattr(response, _FRESHNESS, PageFreshness(last_modified, expires_at))
    return response


@functools.cache
def _release() -> str:
    """Return a digest of the templates and static files manifest this process renders with.

    Part of every key, so servers running another release never use each other's pages.
    """
    digest = hashlib.sha256()
    folders = [Path(d) for t in settings.TEMPLATES for d in cast(list[str], t.get("DIRS", []))]
    folders += [Path(d) for d in get_app_template_dirs("templates")]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.path.encode()).hexdigest()
    return f"page:{_release()}:{path}"


def _anonymous_read(request: HttpRequest) -> bool:
    """Return whether ``request`` is a read by a visitor without session or messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


@functools.lru_cache(maxsize=4096)
def _opted_in_path(path_info: str, urlconf: str | None) -> bool:
    # Remembered per process: which view a path resolves to changes only with the code.
    try:
        match = resolve(path_info, urlconf)
    except Resolver404:
        return False
    return bool(getattr(match.func, _ATTRIBUTE, False))


def _opted_in(request: HttpRequest) -> bool:
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    return _opted_in_path(request.path_info, urlconf)


def _entry(
    request: HttpRequest, response: HttpResponseBase, generation: Generation, now: dt.datetime
) -> PageEntry | None:
    """Return the cache entry for ``response``, or None when it must not be shared."""
    freshness = getattr(response, _FRESHNESS, None)
    if (
        not isinstance(freshness, PageFreshness)
        or not isinstance(response, HttpResponse)
        or response.status_code != 200
        or response.cookies
        # A CSRF token or a CSP nonce in the page belongs to this visitor or this response.
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(request, "_csp_nonce", None) is not None
    ):
        return None
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= _VARY_ALLOWED:
        return None
    expires_at = now + dt.timedelta(seconds=MAX_AGE)
    if freshness.expires_at is not None:
        expires_at = min(expires_at, freshness.expires_at)
    if expires_at <= now:
        return None
    last_modified = freshness.last_modified
    if generation.changed_at is not None:
        last_modified = max(last_modified, generation.changed_at)
    content = response.content
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    # Browsers and proxies may keep the page but must ask again each time (a 304 is cheap).
    patch_cache_control(response, no_cache=True)
    headers = tuple((k, v) for k, v in response.items() if k.lower() != "set-cookie")
    return PageEntry(
        generation=generation,
        expires_at=expires_at,
        status=response.status_code,
        headers=headers,
        content=content,
        etag=etag,
        last_modified=last_modified.timestamp(),
    )


def _conditional(request: HttpRequest, entry: PageEntry, response: HttpResponse) -> HttpResponse:
    answer = get_conditional_response(
        request, etag=entry.etag, last_modified=int(entry.last_modified), response=response
    )
    return answer if isinstance(answer, HttpResponse) else response


class PublicPageCacheMiddleware:
    """Answer opted-in pages for visitors without a session from the cache, else cache them.

    Sits below SecurityMiddleware (HTTPS redirect, security headers on every answer) and above
    the session, CSRF, message, CSP and other middleware, whose headers the entry keeps.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not (_anonymous_read(request) and _opted_in(request)):
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) for an unknown host, as without the cache
        generation = generation_get(CONTENT)
        if not generation.cacheable:
            return self.get_response(request)
        key = _key(request)
        now = timezone.now()
        entry = cache_get(
            key,
            lambda e: (
                isinstance(e, PageEntry) and e.generation == generation and now < e.expires_at
            ),
        )
        if entry is not None:
            answer = _conditional(request, entry, entry.response())
            setattr(answer, _HIT, (key, entry))
            return answer
        response = self.get_response(request)
        entry = _entry(request, response, generation, now)
        if entry is None:
            return response
        cache_set(key, entry, math.ceil((entry.expires_at - now).total_seconds()))
        assert isinstance(response, HttpResponse)  # noqa: S101 (checked by _entry)
        return _conditional(request, entry, response)


# --- The fast path ------------------------------------------------------------------------------

# What Django's handler and the middleware above the cache read from a request the cache
# answers (for the path, the host check, the HTTPS redirect and HSTS, the conditional answer):
# equal values get an equal answer from the same entry. The query string is in, though the
# cache ignores it, so a middleware above that reads it cannot be bypassed.
_REQUEST_INPUTS = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "SCRIPT_URL",
    "REDIRECT_URL",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "wsgi.url_scheme",
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# Bounds the answers kept: hosts, query strings and conditional headers vary without limit.
_MAX_ANSWERS = 1024

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class _Answer:
    key: str
    entry: PageEntry
    status: str
    headers: list[tuple[str, str]]
    body: bytes


class PublicPageFastPath:
    """Answer repeated hits on cached public pages before Django's handler runs (WSGI).

    The first hit of each kind goes through Django; its status, headers and body are kept with
    the entry that answered it, for the same request inputs (``_REQUEST_INPUTS``: method, path,
    query, host, scheme, conditional headers). A later request with the same inputs, from a
    visitor the cache serves (no session or messages cookie, no Authorization), gets that
    answer while the entry is still this process's copy, unexpired, and its generation is the
    current one: read from the database on each request, as the middleware does. So a host
    Django refused, a plain-http request it redirected, or any answer not from the cache is
    never repeated. Skipped for these answers: Django's request signals; the database
    connection is checked for age and errors as ``close_old_connections`` would.
    """

    def __init__(self, application: WSGIApp) -> None:
        self.application = application
        self._answers: dict[tuple[Any, ...], _Answer] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        inputs = _request_inputs(environ)
        if inputs is None:
            return self.application(environ, start_response)
        answer = self._answers.get(inputs)
        if answer is not None and _still_current(answer):
            start_response(answer.status, list(answer.headers))
            return [answer.body]
        sent: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent.append((status, list(headers)))
            return start_response(status, headers, exc_info)

        result = self.application(environ, keep)
        hit = getattr(result, _HIT, None)
        # 200 and 304 only: Django logs a 412 (If-Match), which a repeat would not.
        if (
            hit is not None
            and len(sent) == 1
            and isinstance(result, HttpResponse)
            and result.status_code in (200, 304)
        ):
            key, entry = hit
            body = result.content
            if body == entry.content:
                body = entry.content  # one copy of the page in memory
            with self._lock:
                if len(self._answers) >= _MAX_ANSWERS:
                    self._answers.clear()
                self._answers[inputs] = _Answer(key, entry, *sent[0], body)
        return result


def _request_inputs(environ: WSGIEnviron) -> tuple[Any, ...] | None:
    """Return the inputs that decide a cached answer, or None if the cache does not serve it."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
        return None
    if "HTTP_COOKIE" in environ:
        cookies = parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", ""))
        if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
            return None
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    scheme = environ.get(proxy_header[0]) if proxy_header else None
    return (*(environ.get(name) for name in _REQUEST_INPUTS), scheme)


def _still_current(answer: _Answer) -> bool:
    entry = answer.entry
    if cache_copy(answer.key) is not entry or timezone.now() >= entry.expires_at:
        return False
    # As close_old_connections does at the start of a request: drop a connection past its
    # age or broken by an error. Its health check (CONN_HEALTH_CHECKS: a "SELECT 1" round trip
    # on PostgreSQL) is left out: the generation read is the only query here, and if it fails
    # Django's handler answers instead, finding the connection broken and opening another.
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close_if_unusable_or_obsolete()
    connection.health_check_done = True  # type: ignore[attr-defined]  # (not in the stubs)
    try:
        # Outside Django's request signals: no request's memo, always the database.
        return generation_read_direct(CONTENT) == entry.generation
    except DatabaseError:
        return False
