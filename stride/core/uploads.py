"""Checks shared by every upload: the file's extension, size, declared type and first bytes.

Each kind of upload (handouts, exercise pictures) lists the kinds of file it takes; a file must
have an allowed extension, fit the size limit, be declared by the browser as that kind (when it
says) and start with that kind's signature. Apps add their own deeper checks (Pillow for
pictures) after this one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

HEAD_BYTES = 4096


@dataclass(frozen=True)
class FileKind:
    """An allowed kind of file: its label, the content types it may be sent as, its signature."""

    label: str
    content_types: frozenset[str]
    sniff: Callable[[bytes], bool]


Kind = TypeVar("Kind", bound=FileKind)


def file_kind_for(name: str, kinds: Mapping[str, Kind]) -> Kind | None:
    """Return the kind of file named ``name`` among ``kinds`` (by extension), or None."""
    return kinds.get(PurePosixPath(name or "").suffix.lower())


def _declared_type(value: Any) -> str | None:
    # A fresh upload carries the browser's declared type; a stored file does not.
    declared = getattr(value, "content_type", None) or getattr(
        getattr(value, "file", None), "content_type", None
    )
    return declared.split(";")[0].strip().lower() if declared else None


def _read_head(value: Any) -> bytes:
    try:
        value.seek(0)
        head = value.read(HEAD_BYTES)
        value.seek(0)
    except (OSError, ValueError) as exc:
        raise ValidationError("The file could not be read.", code="unreadable") from exc
    return head.encode() if isinstance(head, str) else bytes(head)


def upload_check(value: Any, *, kinds: Mapping[str, Kind], max_bytes: int, noun: str) -> Kind:
    """Return the kind of the uploaded ``value``; raise ValidationError naming what is wrong.

    ``noun`` is what the form calls the upload ("file", "picture") in its messages.
    """
    kind = file_kind_for(getattr(value, "name", "") or "", kinds)
    if kind is None:
        allowed = ", ".join(sorted(kinds))
        raise ValidationError(f"Upload a {noun} ending in one of: {allowed}.", code="extension")
    size = getattr(value, "size", 0) or 0
    if size > max_bytes:
        raise ValidationError(
            f"The {noun} is {filesizeformat(size)}; the limit is {filesizeformat(max_bytes)}.",
            code="size",
        )
    declared = _declared_type(value)
    if declared and declared not in kind.content_types:
        raise ValidationError(
            f"The file was sent as {declared}, which does not match a {kind.label}.",
            code="content_type",
        )
    if not kind.sniff(_read_head(value)):
        raise ValidationError(f"The file's contents are not a valid {kind.label}.", code="content")
    return kind
