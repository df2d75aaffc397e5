"""csv_safe_cell keeps spreadsheet formulas out of exported cells (OWASP CSV injection)."""

from __future__ import annotations

import pytest

from stride.core.csv import csv_safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
    ],
)
def test_cells_that_start_a_formula_are_prefixed(value: str, expected: str) -> None:
    assert csv_safe_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pat@example.com", "pat@example.com"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_other_cells_are_left_alone(value: object, expected: str) -> None:
    assert csv_safe_cell(value) == expected
