import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from stride.content.models import Resource, ResourceKind
from stride.content.services import resource_save
from stride.content.validators import MAX_RESOURCE_BYTES, validate_resource_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%...\n"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.png", PNG, "image/png"),
        ("a.jpg", JPEG, "image/jpeg"),
        ("a.JPEG", JPEG, "image/jpeg"),
        ("a.txt", "Ünïcode text\n".encode(), "text/plain"),
    ],
)
def test_allowed_files_pass(name, content, content_type):
    validate_resource_file(SimpleUploadedFile(name, content, content_type=content_type))


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("a.html", b"<script>", "text/html", "extension"),
        ("a.svg", b"<svg/>", "image/svg+xml", "extension"),
        ("a.pdf.exe", PDF, "application/pdf", "extension"),
        ("noext", PDF, "application/pdf", "extension"),
        ("a.pdf", PDF, "text/html", "content_type"),
        ("a.pdf", b"<html>not a pdf", "application/pdf", "content"),
        ("a.png", JPEG, "image/png", "content"),
        ("a.txt", b"MZ\x90\x00\x03\x00", "text/plain", "content"),
        ("a.txt", b"\xff\xfe\xfa bad utf8", "text/plain", "content"),
    ],
)
def test_wrong_files_are_refused(name, content, content_type, code):
    with pytest.raises(ValidationError) as info:
        validate_resource_file(SimpleUploadedFile(name, content, content_type=content_type))
    assert info.value.code == code


def test_files_over_ten_megabytes_are_refused():
    big = SimpleUploadedFile("a.txt", b"a" * (MAX_RESOURCE_BYTES + 1), content_type="text/plain")
    with pytest.raises(ValidationError) as info:
        validate_resource_file(big)
    assert info.value.code == "size"
    validate_resource_file(
        SimpleUploadedFile("b.txt", b"a" * MAX_RESOURCE_BYTES, content_type="text/plain")
    )


@pytest.mark.django_db
def test_resource_save_validates_and_records_file_details():
    resource = Resource(
        title="Handout",
        slug="handout",
        kind=ResourceKind.HANDOUT,
        file=ContentFile(PDF, name="handout.pdf"),
    )
    resource_save(resource)
    assert (resource.file_type, resource.file_size) == ("PDF", len(PDF))
    assert resource.file.name.startswith("resources/handout")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"kind": ResourceKind.HANDOUT},
        {"kind": ResourceKind.LINK},
        {"kind": ResourceKind.LINK, "url": "javascript:alert(1)"},
        {"kind": ResourceKind.LINK, "url": "ftp://files.example.org/x"},
        {
            "kind": ResourceKind.HANDOUT,
            "url": "https://e.org",
            "file": ContentFile(PDF, name="a.pdf"),
        },
        {"kind": ResourceKind.HANDOUT, "file": ContentFile(b"<html>", name="a.html")},
    ],
)
def test_invalid_resources_are_refused(fields):
    with pytest.raises(ValidationError):
        resource_save(Resource(title="R", slug="r", **fields))
    assert not Resource.objects.exists()
