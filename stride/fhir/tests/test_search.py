"""Parsing search values: date prefixes and precision, references and ids, tokens."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from stride.fhir.errors import FhirError
from stride.fhir.resources import SlotKey, slot_key_parse
from stride.fhir.search import Span, Token, date_span, pk_parse, reference_parse, tokens_parse

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC
BASE = "https://clinic.example.org/fhir"


def at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    *,
    tz: dt.tzinfo = UTC,
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["ge2026-12-07"], Span(at(2026, 12, 7, 5), None)),
        (["gt2026-12-07"], Span(at(2026, 12, 8, 5), None)),
        (["lt2026-12-07"], Span(None, at(2026, 12, 7, 5))),
        (["le2026-12-07"], Span(None, at(2026, 12, 8, 5))),
        (["2026-12-07"], Span(at(2026, 12, 7, 5), at(2026, 12, 8, 5))),
        (["eq2026-12"], Span(at(2026, 12, 1, 5), at(2027, 1, 1, 5))),
        (["2026"], Span(at(2026, 1, 1, 5), at(2027, 1, 1, 5))),
        # 2026-11-01 is 25 hours long in New York.
        (["2026-11-01"], Span(at(2026, 11, 1, 4), at(2026, 11, 2, 5))),
        (["ge2026-12-07T09:00:00-05:00"], Span(at(2026, 12, 7, 14), None)),
        (["gt2026-12-07T09:00:00-05:00"], Span(at(2026, 12, 7, 14, 0, 1), None)),
        (["gt2026-12-07T09:00-05:00"], Span(at(2026, 12, 7, 14, 1), None)),
        (["le2026-12-07T14:00:00Z"], Span(None, at(2026, 12, 7, 14, 0, 1))),
        (
            ["ge2026-12-01", "ge2026-12-07", "lt2026-12-31", "le2026-12-08"],
            Span(at(2026, 12, 7, 5), at(2026, 12, 9, 5)),
        ),
        ([], Span()),
    ],
)
def test_date_span(values: list[str], expected: Span) -> None:
    assert date_span(values, name="start", tz=NY) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ne2026-12-07",
        "ap2026-12-07",
        "2026-13",
        "2026-12-32",
        "26-12-07",
        "2026-12-07T09:00:00",
        "2026-12-07T09:00:00+25:00",
        "1999-12-31",
        "3000-01-01",
        "2026-12-07T09:00:00.1234567Z",
        "２０２６-12-07",
        "2026-12-07,2026-12-08",
    ],
)
def test_date_span_refuses(value: str) -> None:
    with pytest.raises(FhirError) as excinfo:
        date_span([value], name="date", tz=NY)
    assert excinfo.value.status == 400
    assert excinfo.value.issues[0].expression == ("date",)


def test_span_bounds_are_half_open() -> None:
    span = Span(at(2026, 12, 7, 14), at(2026, 12, 7, 15))
    assert span.contains(at(2026, 12, 7, 14))
    assert not span.contains(at(2026, 12, 7, 15))
    assert Span(at(2026, 12, 8), at(2026, 12, 7)).is_empty


@pytest.mark.parametrize(
    ("value", "pk"),
    [
        ("Patient/12", 12),
        ("12", 12),
        (f"{BASE}/Patient/12", 12),
        ("Patient/abc", None),
        ("Patient/0", None),
        ("Patient/99999999999999999999", None),
        ("Patient/١٢", None),
    ],
)
def test_reference_parse(value: str, pk: int | None) -> None:
    assert reference_parse(value, name="patient", resource_type="Patient", base_url=BASE) == pk


@pytest.mark.parametrize("value", ["Practitioner/1", "Patient/", "/1", "", "Patient/1/_history/2"])
def test_reference_parse_refuses_other_types(value: str) -> None:
    with pytest.raises(FhirError):
        reference_parse(value, name="patient", resource_type="Patient", base_url=BASE)


def test_pk_parse_keeps_to_bigint() -> None:
    assert pk_parse(str(2**63 - 1)) == 2**63 - 1
    assert pk_parse(str(2**63)) is None
    assert pk_parse("-1") is None


def test_tokens() -> None:
    assert tokens_parse(["a,sys|b", "|c"], name="t") == [
        Token(None, "a"),
        Token("sys", "b"),
        Token("", "c"),
    ]
    with pytest.raises(FhirError):
        tokens_parse(["sys|"], name="t")


def test_slot_ids_round_trip() -> None:
    key = SlotKey(3, 7, at(2026, 11, 1, 1, 30, tz=NY))
    assert key.id == "3-7-20261101T053000Z"
    assert slot_key_parse(key.id) == SlotKey(3, 7, at(2026, 11, 1, 5, 30))
    for bad in ("3-7", "3-7-20261301T053000Z", "0-7-20261101T053000Z", "a-b-c", "3-7-x"):
        assert slot_key_parse(bad) is None
