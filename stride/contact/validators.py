"""Validators shared by the contact form and the ContactMessage model."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Characters that end a line somewhere (email headers, terminals, Unicode text).
_LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def has_control_characters(value: str) -> bool:
    """Return True when ``value`` holds a line break or any other control character."""
    return any(ch in _LINE_BREAKS or unicodedata.category(ch) == "Cc" for ch in value)


def validate_single_line(value: str) -> None:
    """Reject line breaks and control characters, which could forge extra email headers.

    NUL is left to Django's ProhibitNullCharactersValidator, so it is reported once.
    """
    if has_control_characters(value.replace("\x00", "")):
        raise ValidationError(
            "Use a single line without line breaks or special characters.", code="single_line"
        )


def single_line(value: str) -> str:
    """Return ``value`` with every line break or control character replaced by a space."""
    cleaned = "".join(
        " " if ch in _LINE_BREAKS or unicodedata.category(ch) == "Cc" else ch for ch in value
    )
    return " ".join(cleaned.split())


validate_phone_characters = RegexValidator(
    regex=r"\A[0-9 +().\-]*\Z",
    message="Use only digits, spaces and + ( ) - . in a phone number.",
    code="phone_characters",
)

PHONE_MIN_DIGITS = 5


def validate_phone_digits(value: str) -> None:
    """Require a phone number to contain enough digits to be dialled."""
    if value and len(re.sub(r"\D", "", value)) < PHONE_MIN_DIGITS:
        raise ValidationError(
            "Enter a full phone number, including the area code.", code="phone_digits"
        )
