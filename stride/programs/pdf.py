"""The printable handout of a patient's program: a PDF made with WeasyPrint.

WeasyPrint fetches whatever images and stylesheets a document names. The handout's fetcher
reads only files on disk under the media and static folders and refuses everything else, so
nothing in a program (a note, an illustration's name) can make the server fetch a URL. The
handout's styles are in its template. Importing this module loads WeasyPrint (about a second),
so views import it when a handout is asked for.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .models import ExerciseProgram, ProgramItem, ProgramStatus, ProgramVersion

FILENAME = "exercise-program.pdf"


class LocalFilesFetcher(URLFetcher):
    """Fetch ``file:`` URLs of files under ``roots``; refuse every other URL."""

    def __init__(self, roots: Iterable[Path | str]) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"the handout fetches no remote resources: {url!r}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"the handout reads only static and media files: {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def fetcher_roots() -> list[Path]:
    """Return the folders the handout may read files from: media and static files."""
    roots = [Path(settings.MEDIA_ROOT)]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    roots.extend(Path(folder) for folder in settings.STATICFILES_DIRS)
    return roots


@dataclass(frozen=True)
class HandoutExercise:
    item: ProgramItem
    image_url: str  # a file: URL of the illustration, or ""


def _image_url(item: ProgramItem) -> str:
    illustration = item.exercise.illustration
    if not illustration:
        return ""
    try:
        return Path(illustration.path).resolve().as_uri()
    except (NotImplementedError, ValueError):  # storage without local paths
        return ""


def handout_pdf(
    *, program: ExerciseProgram, version: ProgramVersion, today: dt.date, clinic_name: str
) -> bytes:
    """Return the program's current exercises as a PDF handout for the patient to print."""
    exercises = [
        HandoutExercise(item=item, image_url=_image_url(item)) for item in version.items.all()
    ]
    html = render_to_string(
        "programs/my/handout.html",
        {
            "program": program,
            "version": version,
            "exercises": exercises,
            "today": today,
            "clinic_name": clinic_name,
            "location": program.therapist.location,
            "paused": program.status == ProgramStatus.SUSPENDED,
        },
    )
    document = HTML(string=html, url_fetcher=LocalFilesFetcher(fetcher_roots()))
    pdf: bytes = document.write_pdf()
    return pdf
