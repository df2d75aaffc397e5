"""Parse FHIR search parameters; every value that cannot be used is a 400 naming the parameter.

Unknown parameters are refused rather than ignored (FHIR's "strict" handling): a misspelt
filter must not silently widen what comes back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from stride.api.schemas import EARLIEST_DATE, LATEST_DATE

from .errors import bad_param

# Parameters every interaction accepts besides its own.
FORMAT_PARAMS = frozenset({"_format", "_pretty"})
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
# Dates outside the booking API's bounds are refused, so no date arithmetic downstream overflows.
EARLIEST_YEAR = EARLIEST_DATE.year
LATEST_YEAR = LATEST_DATE.year
MAX_ID = 2**63 - 1

_DATE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?P<fraction>\.[0-9]{1,6})?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"
)
_NUMBER = re.compile(r"[0-9]{1,9}")
_PREFIXES = frozenset({"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"})
_SUPPORTED_PREFIXES = frozenset({"eq", "gt", "lt", "ge", "le"})
ID = re.compile(r"[0-9]{1,19}")


Params = Mapping[str, Sequence[str]]


def params_check(params: Params, allowed: frozenset[str]) -> None:
    """Refuse parameters outside ``allowed`` and formats other than JSON."""
    for name in params:
        if name not in allowed and name not in FORMAT_PARAMS:
            supported = ", ".join(sorted(allowed)) or "none"
            raise bad_param(name, f"Unknown parameter {name!r}; supported here: {supported}.")
    for value in params.get("_format", ()):
        if value.split(";")[0].strip() not in JSON_FORMATS:
            raise bad_param("_format", "Only JSON is supported (_format=json).")


def single(params: Params, name: str) -> str | None:
    """Return the one value of ``name``, None when absent; repeating it is a 400."""
    values = params.get(name, ())
    if len(values) > 1:
        raise bad_param(name, f"Give {name} at most once.")
    return values[0] if values else None


def pk_parse(value: str) -> int | None:
    """Return the integer a resource id stands for, or None when no row can have it."""
    if not ID.fullmatch(value):
        return None
    pk = int(value)
    return pk if 1 <= pk <= MAX_ID else None


def reference_parse(value: str, *, name: str, resource_type: str, base_url: str) -> int | None:
    """Return the primary key ``value`` refers to: ``Type/<id>``, ``<id>`` or ``<base>/Type/<id>``.

    A reference to another resource type is a 400; an id no row can have is None (no match).
    """
    text = value.strip().removeprefix(base_url.rstrip("/") + "/")
    if "/" in text:
        kind, _, rest = text.partition("/")
        if kind != resource_type or not rest or "/" in rest:
            raise bad_param(name, f"Refer to a {resource_type}, e.g. {resource_type}/1.")
        text = rest
    if not text:
        raise bad_param(name, f"Refer to a {resource_type}, e.g. {resource_type}/1.")
    return pk_parse(text)


@dataclass(frozen=True)
class Span:
    """The half-open range ``[lower, upper)`` a date search selects; None where unbounded."""

    lower: dt.datetime | None = None
    upper: dt.datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self.lower is not None and self.upper is not None and self.upper <= self.lower

    def contains(self, instant: dt.datetime) -> bool:
        return (self.lower is None or instant >= self.lower) and (
            self.upper is None or instant < self.upper
        )


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _value_range(text: str, *, name: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the implicit range ``[low, high)`` of a date or dateTime search value.

    A date (or year, or year-month) is read in ``tz``, the clinic's zone; a dateTime must carry
    its UTC offset. Its range is as wide as its precision: 2026-11-01 is that whole local day,
    10:00:00 is one second.
    """
    if match := _DATE.fullmatch(text):
        year = int(match["year"])
        month = int(match["month"] or 1)
        day = int(match["day"] or 1)
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise bad_param(name, f"Use a year from {EARLIEST_YEAR} to {LATEST_YEAR}.")
        try:
            first = dt.date(year, month, day)
        except ValueError:
            raise bad_param(name, f"{text!r} is not a date.") from None
        if match["day"]:
            last = first + dt.timedelta(days=1)
        elif match["month"]:
            last = dt.date(*_next_month(year, month), 1)
        else:
            last = dt.date(year + 1, 1, 1)
        # Local midnights converted to UTC, so ranges compare as instants across DST changes.
        return (
            dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
            dt.datetime.combine(last, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
        )
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise bad_param(name, f"{text!r} is not a FHIR date or dateTime (e.g. 2026-12-07).")
    if match["zone"] is None:
        raise bad_param(name, "Give the time with its UTC offset, e.g. 2026-12-07T09:00:00-05:00.")
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad_param(name, f"{text!r} is not a valid dateTime.") from None
    if not EARLIEST_YEAR <= instant.year <= LATEST_YEAR:
        raise bad_param(name, f"Use a year from {EARLIEST_YEAR} to {LATEST_YEAR}.")
    if match["fraction"]:
        precision = dt.timedelta(microseconds=1)
    elif text[16:17] == ":":
        precision = dt.timedelta(seconds=1)
    else:
        precision = dt.timedelta(minutes=1)
    low = instant.astimezone(dt.UTC)
    return low, low + precision


def date_span(values: Sequence[str], *, name: str, tz: ZoneInfo) -> Span:
    """Return the range selected by all of a date parameter's values (they combine with AND).

    Supported prefixes: ge, gt, lt, le and eq (the default).
    """
    lower: dt.datetime | None = None
    upper: dt.datetime | None = None
    for raw in values:
        text = raw.strip()
        prefix = text[:2] if text[:2] in _PREFIXES else "eq"
        if prefix not in _SUPPORTED_PREFIXES:
            raise bad_param(name, f"The prefix {prefix!r} is not supported; use ge, gt, lt or le.")
        if "," in text:
            raise bad_param(name, "Give one value per parameter (repeat it for a range).")
        low, high = _value_range(text.removeprefix(prefix), name=name, tz=tz)
        value_lower = {"ge": low, "gt": high, "eq": low}.get(prefix)
        value_upper = {"lt": low, "le": high, "eq": high}.get(prefix)
        if value_lower is not None:
            lower = value_lower if lower is None else max(lower, value_lower)
        if value_upper is not None:
            upper = value_upper if upper is None else min(upper, value_upper)
    return Span(lower, upper)


def local_days(span: Span, tz: ZoneInfo) -> tuple[dt.date, dt.date]:
    """Return the first and last local dates a bounded, non-empty span touches."""
    if span.lower is None or span.upper is None:
        raise ValueError("the span must be bounded")
    first = span.lower.astimezone(tz).date()
    last = (span.upper - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return first, last


@dataclass(frozen=True)
class Token:
    """A token search value: ``code``, ``system|code`` or ``|code`` (no system)."""

    system: str | None
    code: str


def tokens_parse(values: Sequence[str], *, name: str) -> list[Token]:
    """Return the tokens of a parameter; commas separate alternatives (OR)."""
    tokens: list[Token] = []
    for value in values:
        for part in value.split(","):
            if "|" in part:
                system, _, code = part.partition("|")
                tokens.append(Token(system, code))
            else:
                tokens.append(Token(None, part))
    if any(not token.code for token in tokens):
        raise bad_param(name, "Give a code, e.g. initial-evaluation.")
    return tokens


def count_parse(params: Params, *, default: int, maximum: int) -> int:
    """Return the page size asked for with ``_count`` (1 to ``maximum``)."""
    text = single(params, "_count")
    if text is None:
        return default
    if not _NUMBER.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise bad_param("_count", f"Use a number from 1 to {maximum}.")
    return int(text)


def offset_parse(params: Params) -> int:
    """Return the page offset (``_offset``) of a paged search."""
    text = single(params, "_offset")
    if text is None:
        return 0
    if not _NUMBER.fullmatch(text):
        raise bad_param("_offset", "Use a whole number of at least 0.")
    return int(text)
