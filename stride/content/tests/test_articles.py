import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from stride.content.models import ArticleStatus
from stride.content.selectors import article_get_public, article_list_public

from .factories import (
    ArticleFactory,
    ConditionFactory,
    LocationFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


class _JsonLd(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[dict[str, str | None]] = []
        self._current: dict[str, str | None] | None = None
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._current = dict(attrs)

    def handle_data(self, data):
        if self._current is not None:
            self.texts.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.blocks.append({**self._current, "text": "".join(self.texts)})
            self._current, self.texts = None, []


def jsonld_blocks(response) -> list[dict]:
    """Return the page's JSON-LD; a block with a nonce must carry this response's CSP nonce.

    JSON-LD is a data block, never run, so it needs no nonce (the cached article page has none).
    """
    parser = _JsonLd()
    parser.feed(response.content.decode())
    scripts = parser.blocks
    assert all(block["type"] == "application/ld+json" for block in scripts)
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for block in scripts:
        if "nonce" in block:
            assert match is not None
            assert block["nonce"] == match.group(1)
    return [json.loads(block["text"] or "") for block in scripts]


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_article_page_shows_title_review_toc_and_booking(client):
    therapist = TherapistFactory(display_name="Dr. Maya Chen", credentials="PT, DPT, OCS")
    condition = ConditionFactory(name="Low back pain", slug="low-back-pain")
    article = ArticleFactory(
        title="Exercises for Back Pain Relief",
        subheading="Article subheading here.",
        reviewed_by=therapist,
        reviewed_on=dt.date(2026, 3, 3),
        conditions=[condition],
    )

    response = client.get(f"/articles/{article.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Exercises for Back Pain Relief</h1>" in html
    assert "Article subheading here." in html
    assert "Medically reviewed by Dr. Maya Chen, PT, DPT, OCS on March 3, 2026" in html
    assert "min read" in html
    assert 'href="/articles/?condition=low-back-pain"' in html
    assert re.search(r'<a class="button" href="/book/">Book Appointment</a>', html)
    assert "Talk to your therapist" in html
    assert 'property="og:type" content="article"' in html
    # Every TOC link points at a heading id that exists, and every id is unique.
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors == [
        "understanding-back-pain",
        "effective-exercises",
        "knee-to-chest",
        "when-to-consult-a-therapist",
    ]
    ids = ids_in(html)
    assert len(ids) == len(set(ids))
    for anchor in anchors:
        assert re.search(rf'<h[23] id="{anchor}">', html)


def test_article_page_has_medical_web_page_jsonld(client):
    LocationFactory()
    therapist = TherapistFactory(display_name="Dr. Maya Chen", credentials="PT, DPT, OCS")
    article = ArticleFactory(
        title="Back pain </script><script>alert(1)</script> & more",
        reviewed_by=therapist,
        conditions=[ConditionFactory(name="Sciatica")],
    )

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert "</script><script>alert(1)" not in html
    (data,) = jsonld_blocks(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == article.title
    assert data["url"].endswith(f"/articles/{article.slug}/")
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] >= data["datePublished"]
    assert data["lastReviewed"] == "2026-03-03"
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr. Maya Chen",
        "honorificSuffix": "PT, DPT, OCS",
    }
    assert data["about"] == [{"@type": "MedicalCondition", "name": "Sciatica"}]
    assert data["publisher"]["@type"] == "MedicalClinic"
    assert data["publisher"]["name"] == "Stride Physical Therapy"


def test_article_without_reviewer_still_renders(client):
    article = ArticleFactory(reviewed_by=None, reviewed_on=None, subheading="")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Medically reviewed" not in response.content.decode()
    assert "reviewedBy" not in jsonld_blocks(response)[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": ArticleStatus.DRAFT, "published_at": None},
        {"status": ArticleStatus.DRAFT},
        {"published_at": timezone.now() + dt.timedelta(hours=1)},
    ],
    ids=["draft-undated", "draft-dated", "future"],
)
def test_drafts_and_future_articles_are_never_public(client, overrides):
    hidden = ArticleFactory(title="Hidden zebra article", **overrides)
    ArticleFactory(title="Visible article")

    assert client.get(f"/articles/{hidden.slug}/").status_code == 404
    assert "Hidden zebra" not in client.get("/articles/").content.decode()
    assert "Hidden zebra" not in client.get("/").content.decode()
    assert "Hidden zebra" not in client.get("/articles/feed/").content.decode()
    assert hidden.slug not in client.get("/sitemap.xml").content.decode()
    assert "Hidden zebra" not in client.get("/search/?q=zebra").content.decode()


def test_unknown_article_is_the_friendly_404(client):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()


def test_related_articles_show_only_public_ones(client):
    public = ArticleFactory(title="Public neighbour")
    draft = ArticleFactory(title="Draft neighbour", status=ArticleStatus.DRAFT)
    article = ArticleFactory(related=[public, draft])

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Related articles" in html
    assert "Public neighbour" in html
    assert "Draft neighbour" not in html


def test_article_list_shows_public_articles_newest_first(client):
    older = ArticleFactory(title="Older", published_at=timezone.now() - dt.timedelta(days=9))
    newer = ArticleFactory(title="Newer", published_at=timezone.now() - dt.timedelta(days=1))

    html = client.get("/articles/").content.decode()

    assert html.index(newer.title) < html.index(older.title)
    assert html.count("<h1") == 1


def test_article_list_filters_by_condition(client):
    sciatica = ConditionFactory(name="Sciatica", slug="sciatica")
    ArticleFactory(title="About sciatica", conditions=[sciatica])
    ArticleFactory(title="About posture")

    response = client.get("/articles/?condition=sciatica")

    html = response.content.decode()
    assert "About sciatica" in html
    assert "About posture" not in html
    assert "<h1>Articles about Sciatica</h1>" in html
    assert 'href="/articles/?condition=sciatica" aria-current="page"' in html


@pytest.mark.parametrize(
    "value", ["unknown", "", "%00", "a" * 5000, "<script>", "../../etc", "x%27%22"]
)
def test_article_list_odd_condition_gives_an_empty_list_not_an_error(client, value):
    ArticleFactory(title="Some article", conditions=[ConditionFactory(slug="known")])
    response = client.get(f"/articles/?condition={value}")
    assert response.status_code == 200
    if value:
        assert "Some article" not in response.content.decode()


def test_selector_treats_missing_draft_and_future_alike():
    draft = ArticleFactory(status=ArticleStatus.DRAFT)
    future = ArticleFactory(published_at=timezone.now() + dt.timedelta(days=1))
    for slug in [draft.slug, future.slug, "missing", "bad slug!"]:
        with pytest.raises(type(draft).DoesNotExist):
            article_get_public(slug=slug)
    assert list(article_list_public()) == []


def test_article_rendered_outside_the_service_is_rendered_on_read(client):
    article = ArticleFactory()
    type(article).objects.filter(pk=article.pk).update(body="## Fresh heading\n\nNew text.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<h2 id="fresh-heading">Fresh heading</h2>' in html
