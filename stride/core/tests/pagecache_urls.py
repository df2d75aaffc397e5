"""Views for the page cache's tests: one opted-in page per reason an answer is not shared."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone

from stride.core.pagecache import page_freshness_set, public_page_cache

COUNTER = {"renders": 0}


def _page(text: str, *, expires_at: dt.datetime | None = None) -> HttpResponse:
    COUNTER["renders"] += 1
    response = HttpResponse(f"{text} {COUNTER['renders']}")
    page_freshness_set(response, last_modified=timezone.now(), expires_at=expires_at)
    return response


@public_page_cache
def plain(request: HttpRequest) -> HttpResponse:
    return _page("plain")


@public_page_cache
def with_nonce(request: HttpRequest) -> HttpResponse:
    return _page(f"nonce {request.csp_nonce}")  # type: ignore[attr-defined]


@public_page_cache
def with_csrf(request: HttpRequest) -> HttpResponse:
    return _page(f"csrf {get_token(request)}")


@public_page_cache
def with_cookie(request: HttpRequest) -> HttpResponse:
    response = _page("cookie")
    response.set_cookie("seen", "1")
    return response


@public_page_cache
def without_freshness(request: HttpRequest) -> HttpResponse:
    COUNTER["renders"] += 1
    return HttpResponse(f"unmarked {COUNTER['renders']}")


@public_page_cache
def varying(request: HttpRequest) -> HttpResponse:
    response = _page("varying")
    response["Vary"] = "Accept-Language"
    return response


@public_page_cache
def scheduled(request: HttpRequest) -> HttpResponse:
    return _page("scheduled", expires_at=timezone.now() + dt.timedelta(minutes=5))


def not_opted_in(request: HttpRequest) -> HttpResponse:
    return _page("not opted in")


urlpatterns = [
    path("plain/", plain),
    path("nonce/", with_nonce),
    path("csrf/", with_csrf),
    path("cookie/", with_cookie),
    path("unmarked/", without_freshness),
    path("varying/", varying),
    path("scheduled/", scheduled),
    path("other/", not_opted_in),
]
