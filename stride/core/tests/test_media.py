"""Uploads served by Django under /media/ (development; nginx serves them in production)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/media/exercises/none.png",
        "/media/" + "x" * 300,  # longer than a file name may be (ENAMETOOLONG)
        "/media/" + "x/" * 3000 + "x",  # longer than a path may be
        "/media/a%00b.png",
    ],
)
def test_a_missing_or_impossible_file_is_a_404(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404
