"""Private answers carry ``Cache-Control: no-store``; public pages for visitors stay cacheable.

The URL walk (``test_url_walk.py``) checks every route for every signed-in caller; these pin the
rule's edges: answers that middleware gives before any view (a 401, a 404), and public pages.
"""

from __future__ import annotations

import pytest
from django.test import Client

from stride.content.tests.factories import ArticleFactory
from stride.scheduling.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_public_article_for_a_visitor_is_not_marked_private() -> None:
    article = ArticleFactory()
    response = Client().get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_public_article_for_a_signed_in_patient_is_not_stored() -> None:
    article = ArticleFactory()
    client = Client()
    client.force_login(UserFactory.create())
    response = client.get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/program",  # 401 from the API's auth, before any view
        "/api/v1/exercises",  # public API data: still never stored
        "/staff/calendar/",  # redirect to sign in
        "/my/",
        "/fhir/Appointment",
        "/accounts/sign-in/",
        "/calendar/not-a-real-token-0000000000.ics",
        "/api/v1/no-such-endpoint",
    ],
)
def test_private_paths_are_never_stored_even_for_visitors(path: str) -> None:
    response = Client().get(path)
    assert "no-store" in response["Cache-Control"], response.status_code


def test_bearer_token_api_answers_are_not_stored() -> None:
    response = Client().get("/api/v1/me/program", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]
