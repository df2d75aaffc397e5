"""Load the demo articles, FAQ and resources from ``stride.content.demo_data``; idempotent.

Rows are matched by slug (update_or_create), many-to-many fields are set rather than
appended, and handout files are written to storage only when missing or changed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import zoneinfo
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import ModuleType
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename, slugify

from stride.scheduling.models import Therapist

from .markdown import source_digest
from .models import Article, ArticleStatus, Condition, Faq, FaqCategory, Resource, ResourceKind
from .services import article_save, faq_save, resource_save

logger = logging.getLogger(__name__)

DEMO_DATA_MODULE = "stride.content.demo_data"
DEMO_TIMEZONE = zoneinfo.ZoneInfo("America/New_York")
PUBLISH_TIME = dt.time(9, 0)
RESOURCE_DIR = "resources"


@dataclass(frozen=True)
class LoadResult:
    articles: int
    faqs: int
    resources: int


def _import_data() -> ModuleType | None:
    try:
        return importlib.import_module(DEMO_DATA_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEMO_DATA_MODULE:
            raise
        logger.warning("%s is missing; no demo content loaded.", DEMO_DATA_MODULE)
        return None


def published_at_for(day: str) -> dt.datetime:
    """Return 09:00 in New York on ``day`` (YYYY-MM-DD), the demo's publication time."""
    return dt.datetime.combine(dt.date.fromisoformat(day), PUBLISH_TIME, tzinfo=DEMO_TIMEZONE)


def _condition(name: str) -> Condition:
    condition, _ = Condition.objects.update_or_create(slug=slugify(name), defaults={"name": name})
    return condition


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``obj``; return whether it is new or anything changed."""
    changed = obj.pk is None
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _load_articles(rows: list[dict[str, Any]]) -> int:
    therapists = dict(Therapist.objects.values_list("slug", "pk"))
    articles: dict[str, Article] = {}
    for row in rows:
        article = Article.objects.filter(slug=row["slug"]).first() or Article(slug=row["slug"])
        reviewed_on = row.get("reviewed_on")
        changed = _assign(
            article,
            {
                "title": row["title"],
                "subheading": row.get("subheading", ""),
                "summary": row["summary"],
                "body": row["body"],
                "reviewed_by_id": therapists.get(row.get("reviewer") or ""),
                "reviewed_on": dt.date.fromisoformat(reviewed_on) if reviewed_on else None,
                "status": ArticleStatus.PUBLISHED,
                "published_at": published_at_for(row["published_on"]),
                "featured": bool(row.get("featured", False)),
            },
        )
        # Re-saving unchanged rows would move updated_at (the sitemap's lastmod) on every load.
        if changed or article.rendered_digest != source_digest(article.body):
            article_save(article)
        article.conditions.set([_condition(name) for name in row.get("conditions", [])])
        articles[article.slug] = article
    for row in rows:
        related = [articles[slug] for slug in row.get("related", []) if slug in articles]
        articles[row["slug"]].related.set(related)
    return len(articles)


def _load_faqs(categories: list[dict[str, Any]], rows: list[dict[str, Any]]) -> int:
    by_slug: dict[str, FaqCategory] = {}
    for row in categories:
        category, _ = FaqCategory.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "order": row.get("order", 0)}
        )
        by_slug[category.slug] = category
    for row in rows:
        faq = Faq.objects.filter(slug=row["slug"]).first() or Faq(slug=row["slug"])
        changed = _assign(
            faq,
            {
                "question": row["question"],
                "answer": row["answer"],
                "category_id": by_slug[row["category"]].pk,
                "order": row.get("order", 0),
                "highlight": bool(row.get("highlight", False)),
            },
        )
        if changed or faq.rendered_digest != source_digest(faq.answer):
            faq_save(faq)
    return len(rows)


def _store_handout(filename: str, content: str) -> str:
    """Write the handout to storage unless an identical file is already there; return its name."""
    name = f"{RESOURCE_DIR}/{get_valid_filename(PurePosixPath(filename).name)}"
    data = content.encode()
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if existing.read() == data:
                return name
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def _load_resources(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        resource = Resource.objects.filter(slug=row["slug"]).first() or Resource(slug=row["slug"])
        handout = row["kind"] == ResourceKind.HANDOUT
        file_name = _store_handout(row["filename"], row.get("content", "")) if handout else ""
        changed = _assign(
            resource,
            {
                "title": row["title"],
                "description": row.get("description", ""),
                "kind": row["kind"],
                "order": row.get("order", 0),
                "is_published": True,
                "url": "" if handout else row["url"],
            },
        )
        if resource.file.name != file_name:
            resource.file.name = file_name
            changed = True
        if changed or (handout and resource.file_size != resource.file.size):
            resource_save(resource)
    return len(rows)


@transaction.atomic
def load(data: ModuleType | None = None) -> LoadResult:
    """Create or update the demo content; running it again creates nothing twice.

    ``data`` defaults to ``stride.content.demo_data``; without it nothing is loaded.
    Therapists are looked up by slug, so load the scheduling demo first.
    """
    data = data or _import_data()
    if data is None:
        return LoadResult(articles=0, faqs=0, resources=0)
    return LoadResult(
        articles=_load_articles(list(getattr(data, "ARTICLES", []))),
        faqs=_load_faqs(list(getattr(data, "FAQ_CATEGORIES", [])), list(getattr(data, "FAQS", []))),
        resources=_load_resources(list(getattr(data, "RESOURCES", []))),
    )
