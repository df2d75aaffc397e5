"""Public pages: home, articles, FAQ, resources and search."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from stride.core.pagecache import page_freshness_set, public_page_cache
from stride.programs.views import exercise_embeds_expand
from stride.scheduling.selectors import location_get_primary, therapist_list_public

from . import selectors
from .forms import SEARCH_MAX_LENGTH, SearchForm
from .jsonld import absolute_url, article_jsonld, faq_page_jsonld, jsonld_dumps
from .markdown import toc_nest
from .models import Article


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Show the clinic (from the ``clinic`` context processor), articles, questions, team."""
    return render(
        request,
        "content/home.html",
        {
            "articles": selectors.article_list_home(),
            "faqs": selectors.faq_list_highlighted(),
            "therapists": list(therapist_list_public()),
        },
    )


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    """List public articles, optionally those about one condition (``?condition=<slug>``)."""
    condition_slug = request.GET.get("condition", "").strip()
    condition = selectors.condition_get(slug=condition_slug) if condition_slug else None
    return render(
        request,
        "content/article_list.html",
        {
            "articles": list(selectors.article_list_public(condition_slug=condition_slug)),
            "conditions": list(selectors.condition_list_in_use()),
            "condition": condition,
            "condition_slug": condition_slug,
        },
    )


@public_page_cache
@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one public article; drafts and future-dated ones are not found.

    Visitors without a session get the page from the page cache (``stride.core.pagecache``),
    with ETag and Last-Modified: the page shows no per-visitor or per-response data (its
    JSON-LD is a data block, which needs no CSP nonce).
    """
    try:
        article = selectors.article_get_public(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    clinic = location_get_primary()
    related: list[Article] = article.public_related  # type: ignore[attr-defined]
    response = render(
        request,
        "content/article_detail.html",
        {
            "article": article,
            # Library exercises embedded as [[exercise:<slug>]] paragraphs become cards.
            "body_html": exercise_embeds_expand(article.body_html),
            "toc": toc_nest(article.toc),
            "related_articles": related,
            "jsonld": jsonld_dumps(article_jsonld(article, clinic=clinic)),
        },
    )
    # A scheduled article going public may join the related list: cache no longer than that.
    page_freshness_set(
        response,
        last_modified=max(a.last_modified for a in [article, *related]),
        expires_at=selectors.article_next_publication(),
    )
    return response


@require_safe
def faq_list(request: HttpRequest) -> HttpResponse:
    """Show every question, grouped by category, with FAQPage structured data."""
    groups = selectors.faq_list_grouped()
    faqs = [faq for group in groups for faq in group.faqs]
    jsonld = faq_page_jsonld(faqs, url=absolute_url(reverse("faq_list")))
    return render(
        request, "content/faq_list.html", {"groups": groups, "jsonld": jsonld_dumps(jsonld)}
    )


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    """List handouts to download and useful outside websites."""
    return render(
        request, "content/resource_list.html", {"groups": selectors.resource_list_grouped()}
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search public articles and FAQ answers; every term must match."""
    form = SearchForm(request.GET)
    results = None
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = selectors.content_search(query=query)
    # What the search boxes show again: printable and no longer than the limit.
    raw = request.GET.get("q", "")
    shown = "".join(ch for ch in raw if ch.isprintable())[:SEARCH_MAX_LENGTH]
    return render(
        request,
        "content/search.html",
        {
            "form": form,
            "search_query": shown,
            "query": query,
            "results": results,
            "max_length": SEARCH_MAX_LENGTH,
        },
    )
