import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stride.programs.models import Exercise
from stride.programs.services import exercise_save
from stride.programs.validators import (
    MAX_ILLUSTRATION_BYTES,
    MAX_ILLUSTRATION_SIDE,
    validate_exercise_illustration,
)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 95, 99)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def error_code(value) -> str | None:
    with pytest.raises(ValidationError) as info:
        validate_exercise_illustration(value)
    return info.value.code


@pytest.mark.parametrize(
    ("name", "fmt", "content_type"),
    [
        ("bridge.png", "PNG", "image/png"),
        ("bridge.jpg", "JPEG", "image/jpeg"),
        ("bridge.JPEG", "JPEG", "image/jpeg"),
        ("bridge.webp", "WEBP", "image/webp"),
    ],
)
def test_real_small_pictures_pass(name, fmt, content_type):
    validate_exercise_illustration(upload(name, image_bytes(fmt), content_type))


def test_picture_at_the_size_limit_passes():
    side = MAX_ILLUSTRATION_SIDE
    validate_exercise_illustration(upload("a.png", image_bytes(size=(side, 1)), "image/png"))


def test_text_file_renamed_png_is_refused():
    assert error_code(upload("notes.png", b"Just some text.\n", "image/png")) == "content"


def test_svg_is_refused_even_when_sent_as_png():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert error_code(upload("a.svg", svg, "image/svg+xml")) == "extension"
    assert error_code(upload("a.png", svg, "image/png")) == "content"


@pytest.mark.parametrize("name", ["a.gif", "a.png.html", "noext", "a.bmp"])
def test_other_extensions_are_refused(name):
    assert error_code(upload(name, image_bytes(), "image/png")) == "extension"


def test_wrong_declared_content_type_is_refused():
    assert error_code(upload("a.png", image_bytes(), "text/html")) == "content_type"
    assert error_code(upload("a.webp", image_bytes("WEBP"), "image/png")) == "content_type"


def test_other_format_behind_the_extension_is_refused():
    assert error_code(upload("a.png", image_bytes("JPEG"), "image/png")) == "content"
    assert error_code(upload("a.jpg", image_bytes("PNG"), "image/jpeg")) == "content"


def test_broken_picture_with_right_magic_bytes_is_refused_by_pillow():
    broken = image_bytes()[:40] + b"\x00" * 40
    assert error_code(upload("a.png", broken, "image/png")) == "content"


def test_oversized_dimensions_are_refused():
    wide = image_bytes(size=(MAX_ILLUSTRATION_SIDE + 1, 1))
    assert error_code(upload("a.png", wide, "image/png")) == "dimensions"


@pytest.mark.parametrize("side", [5_000, 10_000, 100_000])
def test_picture_claiming_huge_dimensions_is_refused_without_decoding(side):
    # A valid PNG whose header claims side x side pixels (up to a decompression bomb).
    png = bytearray(image_bytes())
    png[16:24] = side.to_bytes(4, "big") * 2
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")
    assert error_code(upload("a.png", bytes(png), "image/png")) == "dimensions"


def test_files_over_five_megabytes_are_refused():
    big = image_bytes() + b"\x00" * MAX_ILLUSTRATION_BYTES
    assert error_code(upload("a.png", big, "image/png")) == "size"


def bridge(**fields) -> Exercise:
    return Exercise(
        name="Glute bridge",
        slug="glute-bridge",
        category="strengthening",
        summary="Lift your hips.",
        reps=5,
        **fields,
    )


@pytest.mark.django_db
def test_exercise_save_stores_a_valid_illustration_with_its_size():
    exercise = bridge(
        illustration=ContentFile(image_bytes(size=(8, 6)), name="bridge.png"),
        illustration_alt="A person lying on their back with hips lifted.",
    )
    exercise_save(exercise)
    exercise.refresh_from_db()
    assert exercise.illustration.name.startswith("exercises/bridge")
    assert (exercise.illustration_width, exercise.illustration_height) == (8, 6)


@pytest.mark.django_db
def test_exercise_save_refuses_a_bad_illustration_and_a_missing_description():
    exercise = bridge(illustration=ContentFile(b"<svg/>", name="bridge.svg"))
    with pytest.raises(ValidationError) as info:
        exercise_save(exercise)
    assert "illustration" in info.value.message_dict
    assert not Exercise.objects.exists()

    exercise.illustration = ContentFile(image_bytes(), name="bridge.png")
    with pytest.raises(ValidationError) as info:
        exercise_save(exercise)
    assert "illustration_alt" in info.value.message_dict
