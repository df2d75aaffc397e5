"""Spreadsheet-safe CSV cells, for every export a person may open in Excel or LibreOffice."""

from __future__ import annotations

# OWASP "CSV Injection": a cell starting with one of these is read as a formula (or, for tab
# and carriage return, shifts the cell so the next character is).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: object) -> str:
    """Return ``value`` as CSV cell text that no spreadsheet evaluates as a formula.

    None becomes an empty cell. Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return is prefixed with a single quote, which spreadsheets show as text; quoting of commas,
    quotes and newlines is left to the ``csv`` module. Negative numbers therefore arrive as text
    (``'-3``): export numbers unsigned or accept that.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
