"""Checks on uploaded handouts: extension, declared content type, actual bytes and size."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_RESOURCE_BYTES = 10 * 1024 * 1024
_HEAD_BYTES = 4096


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class FileKind:
    label: str
    content_types: frozenset[str]
    sniff: Callable[[bytes], bool]


_PDF = FileKind("PDF", frozenset({"application/pdf"}), lambda h: h.startswith(b"%PDF-"))
_PNG = FileKind("PNG image", frozenset({"image/png"}), lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"))
_JPEG = FileKind(
    "JPEG image", frozenset({"image/jpeg", "image/pjpeg"}), lambda h: h.startswith(b"\xff\xd8\xff")
)
_TEXT = FileKind("Text", frozenset({"text/plain"}), _is_text)

FILE_KINDS: dict[str, FileKind] = {
    ".pdf": _PDF,
    ".png": _PNG,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".txt": _TEXT,
}


def file_kind_for(name: str) -> FileKind | None:
    """Return the allowed kind of file named ``name``, or None for other extensions."""
    return FILE_KINDS.get(PurePosixPath(name or "").suffix.lower())


def _read_head(value: Any) -> bytes:
    try:
        value.seek(0)
        head = value.read(_HEAD_BYTES)
        value.seek(0)
    except (OSError, ValueError) as exc:
        raise ValidationError("The file could not be read.") from exc
    return head.encode() if isinstance(head, str) else bytes(head)


def validate_resource_file(value: Any) -> None:
    """Accept PDF, PNG, JPEG and UTF-8 text files up to 10 MB whose bytes match their name."""
    kind = file_kind_for(getattr(value, "name", "") or "")
    if kind is None:
        allowed = ", ".join(sorted(FILE_KINDS))
        raise ValidationError(f"Upload a file ending in one of: {allowed}.", code="extension")
    size = getattr(value, "size", 0) or 0
    if size > MAX_RESOURCE_BYTES:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; the limit is "
            f"{filesizeformat(MAX_RESOURCE_BYTES)}.",
            code="size",
        )
    # A fresh upload carries the browser's declared type; a stored file does not.
    declared = getattr(value, "content_type", None) or getattr(
        getattr(value, "file", None), "content_type", None
    )
    if declared and declared.split(";")[0].strip().lower() not in kind.content_types:
        raise ValidationError(
            f"The file was sent as {declared}, which does not match a {kind.label} file.",
            code="content_type",
        )
    if not kind.sniff(_read_head(value)):
        raise ValidationError(
            f"The file's contents are not a valid {kind.label} file.", code="content"
        )
