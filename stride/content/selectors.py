"""Reads of public content; every page's queries are fixed in number, whatever the data size."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Article, ArticleStatus, Condition, Faq, FaqCategory, Resource, ResourceKind
from .services import article_render_if_stale, faq_render_if_stale

FEED_LIMIT = 20
HOME_ARTICLE_LIMIT = 3
HOME_FAQ_LIMIT = 6
SEARCH_MAX_TERMS = 8
SEARCH_RESULT_LIMIT = 50
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")


def _public_q() -> Q:
    # The one definition of "public": published, and its publication time has come.
    return Q(status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now())


def article_queryset_public() -> QuerySet[Article]:
    """Return published articles whose time has come, newest first (no related rows)."""
    return Article.objects.filter(_public_q()).order_by("-published_at", "-pk")


def _with_cards(queryset: QuerySet[Article]) -> QuerySet[Article]:
    # What an article card shows: reviewer and condition tags.
    return queryset.select_related("reviewed_by").prefetch_related("conditions")


def article_list_public(*, condition_slug: str | None = None) -> QuerySet[Article]:
    """Return public articles for the list page, optionally only those about one condition.

    An unknown or malformed condition slug gives an empty list, never an error.
    """
    queryset = _with_cards(article_queryset_public())
    if condition_slug:
        if not _SLUG_RE.match(condition_slug):
            return queryset.none()
        queryset = queryset.filter(conditions__slug=condition_slug)
    return queryset


def article_list_home(*, limit: int = HOME_ARTICLE_LIMIT) -> list[Article]:
    """Return the home page's articles: featured ones first, then the newest."""
    return list(
        _with_cards(article_queryset_public()).order_by("-featured", "-published_at")[:limit]
    )


def article_list_feed(*, limit: int = FEED_LIMIT) -> list[Article]:
    """Return the newest public articles for the RSS feed."""
    return list(article_queryset_public()[:limit])


def article_get_public(*, slug: str) -> Article:
    """Return the public article ``slug`` with its reviewer, conditions and public related.

    Raise ``Article.DoesNotExist`` alike for a missing, draft or future-dated article.
    """
    if not _SLUG_RE.match(slug or ""):
        raise Article.DoesNotExist
    related = Prefetch(
        "related",
        queryset=_with_cards(article_queryset_public().exclude(slug=slug)),
        to_attr="public_related",
    )
    article = (
        article_queryset_public()
        .select_related("reviewed_by")
        .prefetch_related("conditions", related)
        .get(slug=slug)
    )
    return article_render_if_stale(article)


def article_next_publication() -> dt.datetime | None:
    """Return when the next scheduled article goes public (None: none is scheduled)."""
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def condition_list_in_use() -> QuerySet[Condition]:
    """Return conditions at least one public article is about."""
    public = Article.objects.filter(_public_q())
    return Condition.objects.filter(articles__in=public).distinct().order_by("name")


def condition_get(*, slug: str) -> Condition | None:
    """Return the condition ``slug`` or None (also for malformed slugs)."""
    if not _SLUG_RE.match(slug or ""):
        return None
    return Condition.objects.filter(slug=slug).first()


@dataclass
class FaqGroup:
    category: FaqCategory
    faqs: list[Faq]


def faq_list_grouped() -> list[FaqGroup]:
    """Return each category that has questions, with its questions in display order."""
    categories = FaqCategory.objects.prefetch_related(
        Prefetch("faqs", queryset=Faq.objects.order_by("order", "pk"), to_attr="faq_list")
    ).order_by("order", "name")
    return [
        FaqGroup(category, [faq_render_if_stale(faq) for faq in category.faq_list])
        for category in categories
        if category.faq_list
    ]


def faq_list_highlighted(*, limit: int = HOME_FAQ_LIMIT) -> list[Faq]:
    """Return the questions chosen for the home page."""
    faqs = list(
        Faq.objects.filter(highlight=True).order_by("category__order", "order", "pk")[:limit]
    )
    return [faq_render_if_stale(faq) for faq in faqs]


@dataclass
class ResourceGroup:
    kind: str
    title: str
    resources: list[Resource] = field(default_factory=list)


def resource_list_grouped() -> list[ResourceGroup]:
    """Return published resources grouped by kind (handouts, then links), empty groups left out."""
    groups = {
        ResourceKind.HANDOUT: ResourceGroup(ResourceKind.HANDOUT, "Handouts to download"),
        ResourceKind.LINK: ResourceGroup(ResourceKind.LINK, "Useful websites"),
    }
    for resource in Resource.objects.filter(is_published=True).order_by("order", "title"):
        group = groups.get(ResourceKind(resource.kind))
        if group is not None:
            group.resources.append(resource)
    return [group for group in groups.values() if group.resources]


def search_terms(query: str) -> list[str]:
    """Split a search query into at most ``SEARCH_MAX_TERMS`` distinct terms."""
    terms: list[str] = []
    for term in query.split():
        if term.lower() not in (t.lower() for t in terms):
            terms.append(term)
    return terms[:SEARCH_MAX_TERMS]


def _all_terms_match(terms: list[str], fields: tuple[str, ...]) -> Q:
    per_term = [
        reduce(or_, (Q(**{f"{name}__icontains": term}) for name in fields)) for term in terms
    ]
    return reduce(and_, per_term)


@dataclass
class SearchResults:
    articles: list[Article]
    faqs: list[Faq]

    @property
    def total(self) -> int:
        return len(self.articles) + len(self.faqs)


def content_search(*, query: str, limit: int = SEARCH_RESULT_LIMIT) -> SearchResults:
    """Find public articles and FAQ answers containing every term of ``query``."""
    terms = search_terms(query)
    if not terms:
        return SearchResults(articles=[], faqs=[])
    articles = list(
        _with_cards(article_queryset_public()).filter(
            _all_terms_match(terms, ("title", "subheading", "summary", "body"))
        )[:limit]
    )
    faqs = list(
        Faq.objects.select_related("category")
        .filter(_all_terms_match(terms, ("question", "answer")))
        .order_by("category__order", "order", "pk")[:limit]
    )
    return SearchResults(articles=articles, faqs=faqs)
