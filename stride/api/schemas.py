"""Input and output types shared by every API router: ids, dates, plain text, the error shapes.

The error shapes are those ``stride.api.errors`` answers with: a refusal (``ErrorOut``) and bad
input named by field (``InvalidOut``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

# Dates outside these bounds are refused as input, so no date arithmetic downstream overflows.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


def _plain_text(value: str) -> str:
    # PostgreSQL rejects NUL in text and no database stores a lone surrogate: refuse both here
    # rather than fail on save.
    if "\x00" in value:
        raise ValueError("Remove the NUL character.")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("Use valid Unicode text.") from None
    return value


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Day = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE, description="YYYY-MM-DD.")]
PlainText = AfterValidator(_plain_text)


class ErrorOut(Schema):
    """A refusal: `error` is a stable code, `detail` a message fit for the patient."""

    error: str = Field(examples=["slot_unavailable"])
    detail: str


class InvalidOut(Schema):
    """Bad input: each offending field (dotted for nested ones) with a message."""

    error: Literal["invalid"]
    fields: dict[str, str] = Field(examples=[{"start": "That time has passed."}])
