"""Fixed-window rate limits per client IP, shared by every app server.

Counters live in Redis when REDIS_URL is set (atomic INCR) and otherwise in the database
(atomic UPDATE ... SET count = count + 1). A failing Redis falls back to the database: the
limiter never fails open.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .models import RateLimitCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """A number of hits allowed per period of seconds."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Parse "<count>/<seconds>", e.g. "5/3600"."""
        try:
            count_text, seconds_text = text.split("/", 1)
            rate = cls(int(count_text), int(seconds_text))
        except ValueError as exc:
            raise ValueError(f"rate limit {text!r} is not of the form <count>/<seconds>") from exc
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError(f"rate limit {text!r} must be positive")
        return rate


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP, trusting only STRIDE_TRUSTED_PROXIES hops of X-Forwarded-For."""
    trusted = settings.STRIDE_TRUSTED_PROXIES
    if trusted > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _hit_database(key: str, window_start: int, seconds: int) -> int:
    expires_at = timezone.now() + timedelta(seconds=seconds)
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(
                        key=key, window_start=window_start, expires_at=expires_at, count=1
                    )
                    RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()
                return 1
            except IntegrityError:
                RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
                    count=F("count") + 1
                )
        return RateLimitCounter.objects.values_list("count", flat=True).get(
            key=key, window_start=window_start
        )


def _hit_cache(key: str, window_start: int, seconds: int) -> int:
    cache_key = f"ratelimit:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=seconds)
    return int(cache.incr(cache_key))


def rate_limit_hit(scope: str, ident: str, rate: Rate) -> bool:
    """Count one hit of ``ident`` on ``scope``; return True while within the rate."""
    if not settings.STRIDE_RATE_LIMITS:
        return True
    window_start = int(time.time()) // rate.seconds * rate.seconds
    key = f"{scope}:{ident}"[:200]
    count: int
    if settings.REDIS_URL:
        try:
            count = _hit_cache(key, window_start, rate.seconds)
        except Exception:  # Redis down: the database keeps the limit in force.
            logger.warning("rate limit: cache unavailable, counting in the database")
            count = _hit_database(key, window_start, rate.seconds)
    else:
        count = _hit_database(key, window_start, rate.seconds)
    return count <= rate.count


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """Render the 429 page with a Retry-After header."""
    body = render_to_string("429.html", {"retry_after": retry_after}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    scope: str, setting: str, methods: tuple[str, ...] = ("POST",)
) -> Callable[..., Any]:
    """Limit a view per client IP to the rate in ``settings.<setting>`` for ``methods``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                rate = Rate.parse(getattr(settings, setting))
                if not rate_limit_hit(scope, client_ip(request), rate):
                    return too_many_requests(request, rate.seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
