"""Checks on uploaded handouts: PDF, PNG, JPEG or UTF-8 text, up to 10 MB (``stride.core.uploads``)."""

from __future__ import annotations

import codecs
from typing import Any

from stride.core.uploads import FileKind, upload_check
from stride.core.uploads import file_kind_for as _file_kind_for

MAX_RESOURCE_BYTES = 10 * 1024 * 1024


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


_PDF = FileKind("PDF", frozenset({"application/pdf"}), lambda h: h.startswith(b"%PDF-"))
_PNG = FileKind("PNG image", frozenset({"image/png"}), lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"))
_JPEG = FileKind(
    "JPEG image",
    frozenset({"image/jpeg", "image/pjpeg"}),
    lambda h: h.startswith(b"\xff\xd8\xff"),
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
    """Return the allowed kind of handout named ``name``, or None for other extensions."""
    return _file_kind_for(name, FILE_KINDS)


def validate_resource_file(value: Any) -> None:
    """Accept PDF, PNG, JPEG and UTF-8 text files up to 10 MB whose bytes match their name."""
    upload_check(value, kinds=FILE_KINDS, max_bytes=MAX_RESOURCE_BYTES, noun="file")
