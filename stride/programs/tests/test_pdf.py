"""The program handout as a PDF: a real PDF with the program in it, and a fetcher that never
reaches outside the media and static folders."""

from __future__ import annotations

import io
import re
import socket
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from stride.programs import pdf
from stride.programs.models import ExerciseProgram, ProgramStatus
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.tests.factories import TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_strings(document: bytes) -> bytes:
    """Return the PDF with its compressed streams inflated, where bookmarks and titles live."""
    inflated = [document]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 95, 99)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def program() -> ExerciseProgram:
    patient = UserFactory.create(first_name="Ana", last_name="Silva")
    therapist = TherapistFactory.create(display_name="Dr. Maya Chen")
    program = program_prescribe(patient=patient, therapist=therapist, exercises=2)
    item = version_current(program=program).items.all()[0]
    item.notes = "Keep your back flat."
    item.save()
    exercise = item.exercise
    exercise.name = "Knee-to-chest stretch"
    exercise.precautions = "Avoid after recent hip surgery."
    exercise.save()
    return program


def handout(program: ExerciseProgram) -> bytes:
    return pdf.handout_pdf(
        program=program,
        version=version_current(program=program),
        today=program_today(program),
        clinic_name="Stride Brooklyn",
    )


def test_handout_is_a_pdf_with_each_exercise(program: ExerciseProgram) -> None:
    document = handout(program)
    assert document.startswith(b"%PDF-")
    assert document.rstrip().endswith(b"%%EOF")
    strings = pdf_strings(document)
    # WeasyPrint makes a bookmark of each heading: "1. Knee-to-chest stretch", ...
    assert b"(1. Knee-to-chest stretch)" in strings
    second = version_current(program=program).items.all()[1].exercise.name
    assert f"(2. {second})".encode() in strings


def test_handout_holds_the_program_details(
    program: ExerciseProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: dict[str, Any] = {}

    class CapturingHTML:
        def __init__(self, *, string: str, url_fetcher: Any) -> None:
            rendered["html"], rendered["fetcher"] = string, url_fetcher

        def write_pdf(self) -> bytes:
            return b"%PDF-"

    monkeypatch.setattr(pdf, "HTML", CapturingHTML)
    program.status = ProgramStatus.SUSPENDED
    handout(program)

    html = rendered["html"]
    assert isinstance(rendered["fetcher"], pdf.LocalFilesFetcher)
    for text in (
        "Stride Brooklyn",
        "Ana Silva",
        "Dr. Maya Chen",
        program.title,
        "Knee-to-chest stretch",
        "10 reps, hold 5 seconds",
        "Keep your back flat.",
        "Lie on your back.",
        "Stop and contact your therapist if this causes sharp or increasing pain.",
        "Avoid after recent hip surgery.",
        "Your program is paused.",
    ):
        assert text in html, text
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html


def test_handout_embeds_an_illustration_from_media(program: ExerciseProgram, settings: Any) -> None:
    exercise = version_current(program=program).items.all()[0].exercise
    exercise.illustration.save("knee.png", ContentFile(png()), save=False)
    exercise.illustration_alt = "A person hugging one knee"
    exercise.save()
    document = handout(program)
    assert b"/Subtype /Image" in pdf_strings(document)


def test_fetcher_reads_media_and_static_files_only(settings: Any, tmp_path: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    picture = media / "x.png"
    picture.write_bytes(png())
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the handout")
    fetcher = pdf.LocalFilesFetcher(pdf.fetcher_roots())

    response = fetcher.fetch(picture.as_uri())
    assert response.read() == picture.read_bytes()
    assert response.content_type == "image/png"
    for url in (
        "https://example.com/x.png",
        "http://127.0.0.1:8000/media/x.png",
        "ftp://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "file://example.com/etc/passwd",
        secret.as_uri(),
        (media / ".." / "secret.txt").as_uri(),
        "file:///etc/passwd",
        (media / "missing.png").as_uri(),
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_remote_resources_in_the_document_are_never_fetched(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    connections: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: connections.append(a))

    class RecordingFetcher(pdf.LocalFilesFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            asked.append(url)
            return super().fetch(url, headers)

    document = pdf.HTML(
        string='<link rel="stylesheet" href="https://example.invalid/a.css">'
        '<h1>Hello</h1><img src="http://example.invalid/a.png" alt="">',
        url_fetcher=RecordingFetcher(pdf.fetcher_roots()),
    ).write_pdf()
    assert document.startswith(b"%PDF-")
    assert b"/Subtype /Image" not in pdf_strings(document)
    assert len(asked) == 2  # WeasyPrint asked for both; the fetcher refused them
    assert connections == []
