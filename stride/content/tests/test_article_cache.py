"""The article page's cache: visitors without a session share one page, every edit shows at once.

Entries are checked against the ``content`` generation in the database on each request, so an
edit made by another app server (whose local cache this process never sees) shows here too.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from stride.accounts.models import Role
from stride.content.models import Article, ArticleStatus
from stride.content.services import article_save
from stride.core.generations import CONTENT
from stride.core.models import CacheGeneration
from stride.programs.tests.factories import ExerciseFactory
from stride.scheduling.tests.factories import UserFactory

from .factories import ArticleFactory, ConditionFactory, LocationFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    LocationFactory(phone="(718) 555-0100")
    return ArticleFactory(title="Staying active with back pain", slug="staying-active")


URL = "/articles/staying-active/"


def test_second_visitor_gets_the_cached_page_for_one_query(
    client, article, django_assert_num_queries
):
    first = client.get(URL)

    with django_assert_num_queries(1):  # the content generation
        second = Client().get(URL)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"


def test_an_edit_through_the_service_shows_at_once(client, article):
    client.get(URL)

    article.title = "Moving well with back pain"
    article_save(article)

    assert b"Moving well with back pain" in client.get(URL).content


def test_an_edit_on_another_app_server_shows_at_once(client, article):
    """Another server's edit reaches this one only through the database: no local delete."""
    client.get(URL)

    # What another server does: the row and the generation change in one transaction, and
    # this process's cache is never told.
    Article.objects.filter(pk=article.pk).update(title="Edited elsewhere")
    CacheGeneration.objects.filter(name=CONTENT).update(
        value=F("value") + 1, changed_at=timezone.now()
    )

    assert b"Edited elsewhere" in client.get(URL).content


def test_unpublishing_and_publishing_again_show_at_once(client, article):
    assert client.get(URL).status_code == 200

    article.status = ArticleStatus.DRAFT
    article_save(article)
    assert client.get(URL).status_code == 404

    article.status = ArticleStatus.PUBLISHED
    article_save(article)
    assert client.get(URL).status_code == 200


def test_a_draft_published_by_staff_appears_at_once(client):
    LocationFactory()
    draft = ArticleFactory(slug="new-one", status=ArticleStatus.DRAFT, published_at=None)
    assert client.get("/articles/new-one/").status_code == 404

    draft.status = ArticleStatus.PUBLISHED
    draft.published_at = timezone.now() - dt.timedelta(minutes=1)
    article_save(draft)

    assert client.get("/articles/new-one/").status_code == 200


def test_a_scheduled_related_article_appears_when_its_time_comes(client, article, monkeypatch):
    publish_at = timezone.now() + dt.timedelta(hours=2)
    scheduled = ArticleFactory(title="Coming soon on sciatica", published_at=publish_at)
    article.related.add(scheduled)
    assert b"Coming soon on sciatica" not in client.get(URL).content

    later = publish_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert b"Coming soon on sciatica" in client.get(URL).content


def test_edits_to_what_the_page_shows_around_the_article_appear_at_once(client, article):
    reviewer = TherapistFactory(display_name="Dr. Maya Chen")
    related = ArticleFactory(title="Sleeping with back pain")
    exercise = ExerciseFactory(slug="knee-to-chest", name="Knee to chest")
    article.reviewed_by = reviewer
    article.body += "\n[[exercise:knee-to-chest]]\n"
    article_save(article)
    article.related.add(related)
    html = client.get(URL).content.decode()
    assert "Dr. Maya Chen" in html and "Sleeping with back pain" in html
    assert "Knee to chest" in html and "(718) 555-0100" in html

    reviewer.display_name = "Dr. Maya Chen-Li"
    reviewer.save()
    assert "Dr. Maya Chen-Li" in client.get(URL).content.decode()

    related.title = "Sleeping well with back pain"
    article_save(related)
    assert "Sleeping well with back pain" in client.get(URL).content.decode()

    exercise.name = "Knee hug"
    exercise.save()
    assert "Knee hug" in client.get(URL).content.decode()

    clinic = article.reviewed_by.location
    clinic.phone = "(718) 555-0199"
    clinic.save()
    assert "(718) 555-0199" in client.get(URL).content.decode()

    article.conditions.add(ConditionFactory(name="Sciatica"))
    assert "Sciatica" in client.get(URL).content.decode()

    article.related.remove(related)
    assert "Sleeping well with back pain" not in client.get(URL).content.decode()


def test_a_matching_etag_or_date_answers_304_and_an_edit_changes_the_etag(client, article):
    first = client.get(URL)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "no-cache"

    not_modified = client.get(URL, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert client.get(URL, headers={"if-modified-since": modified}).status_code == 304

    article.summary = "A new summary."
    article_save(article)

    changed = client.get(URL, headers={"if-none-match": etag, "if-modified-since": modified})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"A new summary." in changed.content


def test_last_modified_is_when_the_page_last_changed(client, article):
    response = client.get(URL)

    generation = CacheGeneration.objects.get(name=CONTENT)
    expected = max(article.last_modified, generation.changed_at)
    assert response["Last-Modified"] == http_date(expected.timestamp())


def test_a_signed_in_page_is_never_cached_nor_served_to_visitors(article):
    patient = UserFactory(role=Role.PATIENT)
    signed_in = Client()
    signed_in.force_login(patient)

    theirs = signed_in.get(URL)
    assert "My program" in theirs.content.decode()
    assert "ETag" not in theirs

    visitor = Client().get(URL)
    assert "My program" not in visitor.content.decode()
    assert "Sign in" in visitor.content.decode()
    # The visitor's page is now cached; the signed-in patient still gets their own.
    assert "My program" in signed_in.get(URL).content.decode()
    assert "no-store" in signed_in.get(URL)["Cache-Control"]


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(article):
    Client().get(URL)  # cached
    visitor = Client()
    visitor.cookies["messages"] = "anything"

    response = visitor.get(URL)

    assert response.status_code == 200
    assert "ETag" not in response


def test_the_cached_page_carries_no_csp_nonce(client, article):
    first = client.get(URL)
    second = Client().get(URL)

    for response in (first, second):
        assert "'nonce-" not in response["Content-Security-Policy"]
        assert b"nonce=" not in response.content
    assert b'<script type="application/ld+json">' in second.content
