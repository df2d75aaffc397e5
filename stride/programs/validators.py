"""Checks on uploaded exercise illustrations: extension, declared type, bytes, Pillow, size.

The shared checks (``stride.core.uploads``) first, then a full Pillow check and a limit on the
picture's dimensions, read from its header before any decoding.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from PIL import Image

from stride.core.uploads import FileKind, upload_check

MAX_ILLUSTRATION_BYTES = 5 * 1024 * 1024
MAX_ILLUSTRATION_SIDE = 4000


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
    kind = upload_check(value, kinds=IMAGE_KINDS, max_bytes=MAX_ILLUSTRATION_BYTES, noun="picture")
    _check_with_pillow(value, kind)
