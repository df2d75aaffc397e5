import datetime as dt
import sys
import types
import zoneinfo

import pytest
from django.apps import apps
from django.core.files.storage import default_storage

from stride.content import demo
from stride.content.models import Article, Faq, Resource
from stride.scheduling import demo as scheduling_demo

pytestmark = pytest.mark.django_db

FAKE = types.SimpleNamespace(
    ARTICLES=[
        {
            "slug": "first",
            "title": "First",
            "subheading": "Sub",
            "summary": "Summary one.",
            "body": "## Section\n\nText.",
            "conditions": ["Low back pain", "Sciatica"],
            "reviewer": "maya-chen",
            "reviewed_on": "2026-03-03",
            "published_on": "2026-03-09",
            "featured": True,
            "related": ["second", "missing"],
        },
        {
            "slug": "second",
            "title": "Second",
            "subheading": "",
            "summary": "Summary two.",
            "body": "Text.",
            "conditions": ["Low back pain"],
            "reviewer": "nobody-by-this-slug",
            "reviewed_on": "2026-03-03",
            "published_on": "2026-03-10",
            "featured": False,
            "related": ["first"],
        },
    ],
    FAQ_CATEGORIES=[{"slug": "general", "name": "General", "order": 1}],
    FAQS=[
        {
            "slug": "q1",
            "category": "general",
            "question": "Q1?",
            "answer": "A **1**.",
            "order": 1,
            "highlight": True,
        }
    ],
    RESOURCES=[
        {
            "slug": "handout",
            "title": "Handout",
            "description": "D",
            "kind": "handout",
            "url": "",
            "filename": "handout.txt",
            "content": "Plain text handout.\n",
            "order": 1,
        },
        {
            "slug": "link",
            "title": "Link",
            "description": "D",
            "kind": "link",
            "url": "https://www.nhs.uk/",
            "filename": "",
            "content": "",
            "order": 2,
        },
    ],
)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label == "content"
    } | {
        "conditions": Article.conditions.through.objects.count(),
        "related": Article.related.through.objects.count(),
    }


@pytest.fixture
def fake_demo_data(monkeypatch):
    monkeypatch.setitem(sys.modules, demo.DEMO_DATA_MODULE, FAKE)
    return FAKE


def test_load_twice_creates_nothing_twice(fake_demo_data):
    scheduling_demo.load()
    demo.load()
    first = _row_counts()
    demo.load()
    assert _row_counts() == first
    assert first["content.Article"] == 2
    assert first["content.Condition"] == 2
    assert first["conditions"] == 3
    assert first["related"] == 2
    assert first["content.Faq"] == 1
    assert first["content.Resource"] == 2
    assert default_storage.listdir("resources")[1] == ["handout.txt"]


def test_load_maps_fields_and_renders(fake_demo_data):
    scheduling_demo.load()
    demo.load()
    first = Article.objects.get(slug="first")
    assert first.reviewed_by.slug == "maya-chen"
    assert first.published_at == dt.datetime(
        2026, 3, 9, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    assert first.reviewed_on == dt.date(2026, 3, 3)
    assert first.body_html.startswith('<h2 id="section">')
    assert [a.slug for a in first.related.all()] == ["second"]
    assert Article.objects.get(slug="second").reviewed_by is None
    assert Faq.objects.get().answer_html == "<p>A <strong>1</strong>.</p>\n"
    handout = Resource.objects.get(slug="handout")
    assert handout.file.name == "resources/handout.txt"
    assert handout.file.read() == b"Plain text handout.\n"
    assert handout.file_size == 20
    assert handout.file_type == "Text"


def test_reload_updates_changed_rows_and_files(fake_demo_data, monkeypatch):
    scheduling_demo.load()
    demo.load()
    changed = types.SimpleNamespace(**vars(FAKE))
    changed.ARTICLES = [dict(FAKE.ARTICLES[0], title="First, retitled", conditions=["Sciatica"])]
    changed.RESOURCES = [dict(FAKE.RESOURCES[0], content="New text.\n")]
    monkeypatch.setitem(sys.modules, demo.DEMO_DATA_MODULE, changed)

    demo.load()

    article = Article.objects.get(slug="first")
    assert article.title == "First, retitled"
    assert [c.name for c in article.conditions.all()] == ["Sciatica"]
    handout = Resource.objects.get(slug="handout")
    assert handout.file.name == "resources/handout.txt"
    assert handout.file.read() == b"New text.\n"
    assert handout.file_size == 10


def test_unchanged_reload_does_not_touch_rows(fake_demo_data):
    scheduling_demo.load()
    demo.load()
    before = dict(Article.objects.values_list("slug", "updated_at"))
    demo.load()
    assert dict(Article.objects.values_list("slug", "updated_at")) == before


def test_missing_demo_data_loads_nothing(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_DATA_MODULE", "stride.content.no_such_demo_data")
    assert demo.load() == demo.LoadResult(articles=0, faqs=0, resources=0)


def test_real_demo_data_loads_twice_and_serves_pages(client):
    pytest.importorskip("stride.content.demo_data")
    scheduling_demo.load()
    demo.load()
    first = _row_counts()
    demo.load()
    assert _row_counts() == first
    assert first["content.Article"] >= 3
    for article in Article.objects.all():
        assert client.get(article.get_absolute_url()).status_code == 200
    for path in ["/", "/articles/", "/faq/", "/resources/", "/search/?q=back+pain"]:
        assert client.get(path).status_code == 200
