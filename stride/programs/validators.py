"""Checks on uploaded exercise illustrations: extension, declared type, bytes, Pillow, size.

Follows ``stride.content.validators`` (same ``FileKind`` shape), adding WebP, a full Pillow
check and a limit on the picture's dimensions, read from its header before any decoding.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

from stride.content.validators import FileKind

MAX_ILLUSTRATION_BYTES = 5 * 1024 * 1024
MAX_ILLUSTRATION_SIDE = 4000
_HEAD_BYTES = 16


@dataclass(frozen=True)
class ImageKind(FileKind):
    pillow_format: str


_PNG = ImageKind(
    "PNG image",
    frozenset({"image/png"}),
    lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "PNG",
)
_JPEG = ImageKind(
    "JPEG image",
    frozenset({"image/jpeg", "image/pjpeg"}),
    lambda h: h.startswith(b"\xff\xd8\xff"),
    "JPEG",
)
_WEBP = ImageKind(
    "WebP image",
    frozenset({"image/webp"}),
    lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "WEBP",
)

IMAGE_KINDS: dict[str, ImageKind] = {".png": _PNG, ".jpg": _JPEG, ".jpeg": _JPEG, ".webp": _WEBP}


def _declared_type(value: Any) -> str | None:
    # A fresh upload carries the browser's declared type; a stored file does not.
    declared = getattr(value, "content_type", None) or getattr(
        getattr(value, "file", None), "content_type", None
    )
    return declared.split(";")[0].strip().lower() if declared else None


def _check_with_pillow(value: Any, kind: ImageKind) -> None:
    invalid = ValidationError(f"The file's contents are not a valid {kind.label}.", code="content")
    try:
        value.seek(0)
        with warnings.catch_warnings():
            # A header claiming a huge picture is refused, never decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(value, formats=[kind.pillow_format]) as image:
                width, height = image.size
                if max(width, height) > MAX_ILLUSTRATION_SIDE:
                    raise ValidationError(
                        f"The picture is {width} × {height} pixels; the limit is "
                        f"{MAX_ILLUSTRATION_SIDE} × {MAX_ILLUSTRATION_SIDE}.",
                        code="dimensions",
                    )
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            f"The picture is larger than {MAX_ILLUSTRATION_SIDE} × {MAX_ILLUSTRATION_SIDE} pixels.",
            code="dimensions",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise invalid from exc
    finally:
        with contextlib.suppress(OSError, ValueError):
            value.seek(0)


def validate_exercise_illustration(value: Any) -> None:
    """Accept PNG, JPEG and WebP pictures up to 5 MB and 4000 × 4000 px that Pillow can read."""
    kind = IMAGE_KINDS.get(PurePosixPath(getattr(value, "name", "") or "").suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted(IMAGE_KINDS))
        raise ValidationError(f"Upload a picture ending in one of: {allowed}.", code="extension")
    size = getattr(value, "size", 0) or 0
    if size > MAX_ILLUSTRATION_BYTES:
        raise ValidationError(
            f"The picture is {filesizeformat(size)}; the limit is "
            f"{filesizeformat(MAX_ILLUSTRATION_BYTES)}.",
            code="size",
        )
    declared = _declared_type(value)
    if declared and declared not in kind.content_types:
        raise ValidationError(
            f"The file was sent as {declared}, which does not match a {kind.label}.",
            code="content_type",
        )
    try:
        value.seek(0)
        head = bytes(value.read(_HEAD_BYTES))
    except (OSError, ValueError) as exc:
        raise ValidationError("The file could not be read.", code="unreadable") from exc
    if not kind.sniff(head):
        raise ValidationError(f"The file's contents are not a valid {kind.label}.", code="content")
    _check_with_pillow(value, kind)
