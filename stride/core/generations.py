"""Generations: shared counters that tell a cached answer it has gone stale.

Whoever changes data that cached answers were computed from bumps the matching generation in
the same transaction (signal receivers connected in each app's ``AppConfig.ready()``), and a
cache entry is used only while the generation it was computed at is still the current one. The
counters are rows in the database, the one store every app server shares whether or not Redis
is configured; reading one is a single primary-key query. A bump that commits together with the
change is seen together with it: no process can find the new data under an old generation.

Writes that send no signals (``QuerySet.update()``, ``bulk_create()``, raw SQL) must call
``generation_bump`` themselves.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from asgiref.local import Local
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import CacheGeneration

T = TypeVar("T")

# Public pages: articles, FAQ, resources, the exercise library, the clinic's details and team.
CONTENT = "content"
# Free slots: appointments, working hours, time off, closures, booking rules, visit types and
# who offers them.
BOOKING = "booking"


@dataclass(frozen=True, slots=True)
class Generation:
    """One value of a generation; ``changed_at`` is when it was last bumped (None: never)."""

    value: int
    changed_at: dt.datetime | None

    @property
    def cacheable(self) -> bool:
        """Whether answers may be cached under it.

        A generation never bumped (a new or flushed database, or rows bulk-loaded without a
        bump) caches nothing: entries left from before a flush could carry the same value.
        """
        return self.changed_at is not None


_READ = "SELECT value, changed_at FROM core_cachegeneration WHERE name = %s"
assert CacheGeneration._meta.db_table == "core_cachegeneration"  # noqa: S101 (_READ names it)

# During a request each generation is read once (the page cache, then the clinic's details);
# outside requests (commands, cron) every read goes to the database.
_request_memo = Local()


def _memo_start(**kwargs: Any) -> None:
    _request_memo.values = {}


def _memo_end(**kwargs: Any) -> None:
    _request_memo.values = None


request_started.connect(_memo_start, dispatch_uid="generation-memo-start")
request_finished.connect(_memo_end, dispatch_uid="generation-memo-end")


def generation_get(name: str) -> Generation:
    """Return the current generation ``name`` (one query, at most once per request)."""
    memo: dict[str, Generation] | None = getattr(_request_memo, "values", None)
    if memo is not None and name in memo:
        return memo[name]
    generation = generation_read(name)
    if memo is not None:
        memo[name] = generation
    return generation


def generation_read(name: str) -> Generation:
    """Return the current generation ``name`` from the database, never from a request's memo."""
    # A fixed statement, not the ORM: this runs on every cached page and cached slot list,
    # where compiling a queryset would cost more than the rest of the answer.
    with connection.cursor() as cursor:
        cursor.execute(_READ, [name])
        row = cursor.fetchone()
    return _generation(row)


def generation_read_direct(name: str) -> Generation:
    """Return the current generation ``name`` as ``generation_read`` does, through the database
    driver's own cursor rather than Django's.

    For the page cache's WSGI fast path, which runs outside any request and transaction:
    there Django's cursor wrapper cost about as much as the query (some 70 of 200 µs on
    PostgreSQL). The driver's connection is the one Django opened, with the same type
    converters. A driver error closes it, as Django would on its next use, and raises
    ``DatabaseError``.
    """
    connection.ensure_connection()
    statement = _READ.replace("%s", "?") if connection.vendor == "sqlite" else _READ
    try:
        with closing(connection.connection.cursor()) as cursor:
            cursor.execute(statement, [name])
            row = cursor.fetchone()
    except cast(Any, connection).Database.Error as exc:  # the driver's (not in the stubs)
        connection.close()
        raise DatabaseError(str(exc)) from exc
    return _generation(row)


def _generation(row: tuple[Any, ...] | None) -> Generation:
    if row is None:
        return Generation(0, None)
    value, changed_at = row
    if timezone.is_naive(changed_at):  # SQLite stores UTC without an offset
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return Generation(value, changed_at)


def generation_bump(name: str) -> None:
    """Move generation ``name`` on, inside the caller's transaction if there is one."""
    memo: dict[str, Generation] | None = getattr(_request_memo, "values", None)
    if memo is not None:
        memo.pop(name, None)
    # The real clock, not timezone.now(): with the value it names this bump, and must differ
    # from any earlier one even where the app's clock is frozen (tests) or the counter
    # restarts (a rolled-back, flushed or restored database).
    now = dt.datetime.now(tz=dt.UTC)
    if CacheGeneration.objects.filter(name=name).update(value=F("value") + 1, changed_at=now):
        return
    try:
        with transaction.atomic():
            CacheGeneration.objects.create(name=name, value=1, changed_at=now)
    except IntegrityError:
        # Created by a concurrent first bump: bump that row instead.
        CacheGeneration.objects.filter(name=name).update(value=F("value") + 1, changed_at=now)


def generation_bump_on_change(
    name: str, *, models: Iterable[type[Model]] = (), relations: Iterable[type[Model]] = ()
) -> None:
    """Bump ``name`` whenever a row of ``models`` is saved or deleted, or a row is added to or
    removed from one of the many-to-many ``relations`` (their ``through`` models).

    Call from ``AppConfig.ready()``. ``post_save`` runs inside the saving transaction, so the
    bump commits (or rolls back) with the change.
    """

    def bump(**kwargs: Any) -> None:
        if kwargs.get("action", "post_").startswith("post_"):
            generation_bump(name)

    for model in models:
        uid = f"generation:{name}:{model._meta.label}"
        post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
    for through in relations:
        uid = f"generation:{name}:{through._meta.label}:m2m"
        m2m_changed.connect(bump, sender=through, weak=False, dispatch_uid=uid)


class _ProcessCopies:
    """This process's own copies of cached entries, least recently used dropped first, bounded
    in count and bytes.

    Entries are immutable and every reader checks their generation, so a copy is used only
    while it is current. Reading one costs no unpickling (a local-memory cache pickles every
    value) and, behind Redis, no round trip.
    """

    def __init__(self, *, max_entries: int = 1024, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.max_entries, self.max_bytes = max_entries, max_bytes

    def get(self, key: str) -> Any:
        with self._lock:
            held = self._entries.get(key)
            if held is None:
                return None
            self._entries.move_to_end(key)
            return held[0]

    def put(self, key: str, value: Any, size: int) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_copies = _ProcessCopies()


def _shared() -> bool:
    # A local-memory default cache belongs to this process: the copies stand in for it.
    return not isinstance(caches["default"], LocMemCache)


def cache_get(key: str, current: Callable[[Any], bool]) -> Any:
    """Return the entry cached under ``key`` if ``current(entry)``, else None.

    This process's copy first, then the shared cache (Redis) if there is one.
    """
    entry = _copies.get(key)
    if entry is not None and current(entry):
        return entry
    if not _shared():
        return None
    entry = cache.get(key)
    if entry is None or not current(entry):
        return None
    _copies.put(key, entry, _size(entry))
    return entry


def cache_copy(key: str) -> Any:
    """Return this process's copy of the entry under ``key`` (None: none), unchecked."""
    return _copies.get(key)


def cache_set(key: str, entry: Any, timeout: int) -> None:
    """Keep ``entry`` under ``key``: in this process, and for ``timeout`` seconds in the shared
    cache if there is one (so the other app servers need not compute it)."""
    _copies.put(key, entry, _size(entry))
    if _shared():
        cache.set(key, entry, timeout=timeout)


def _size(entry: Any) -> int:
    payload = getattr(entry, "content", None) or getattr(entry, "value", None)
    return len(payload) if isinstance(payload, bytes) else 1024


# The longest a generation-cached answer is kept: a bound for changes no signal reports.
CACHED_MAX_AGE = 300


@dataclass(frozen=True, slots=True)
class _Cached:
    generation: Generation
    valid_until: dt.datetime
    value: Any


def generation_cached(
    name: str, key: str, compute: Callable[[], tuple[T, dt.datetime | None]]
) -> T:
    """Return the answer cached under ``key``, or compute and cache it.

    ``compute`` returns the answer and when time passing alone may change it (None: only an
    edit can). A cached answer is used while generation ``name`` is the one it was computed
    at, until that time, and for at most ``CACHED_MAX_AGE`` seconds. Exceptions propagate and
    cache nothing. The generation is read before computing, so an answer computed from data
    that changed meanwhile is stored under a generation that is no longer current.
    """
    generation = generation_get(name)
    if not generation.cacheable:
        return compute()[0]
    now = timezone.now()
    entry = cache_get(
        key,
        lambda e: isinstance(e, _Cached) and e.generation == generation and now < e.valid_until,
    )
    if entry is not None:
        return cast(T, entry.value)
    value, changes_at = compute()
    valid_until = now + dt.timedelta(seconds=CACHED_MAX_AGE)
    if changes_at is not None:
        valid_until = min(valid_until, changes_at)
    if valid_until > now:
        timeout = math.ceil((valid_until - now).total_seconds())
        cache_set(key, _Cached(generation, valid_until, value), timeout)
    return value
