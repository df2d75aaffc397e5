"""Writes for content: render Markdown into the cached HTML columns, record handout details."""

from __future__ import annotations

from django.db import transaction

from .markdown import render_markdown, source_digest
from .models import Article, Faq, Resource
from .validators import file_kind_for

# FAQ answers sit under an h3 question, so their own headings start at h4.
FAQ_HEADING_LEVEL = 4


def article_render(article: Article, *, save: bool = True) -> Article:
    """Render ``article.body`` into ``body_html``, ``toc`` and ``word_count``.

    Called before every save that may change the body (admin, demo loader), so page views
    only read the cached HTML. With ``save=False`` the caller saves.
    """
    rendered = render_markdown(article.body)
    article.body_html = rendered.html
    article.toc = [list(entry) for entry in rendered.toc]
    article.word_count = rendered.word_count
    article.rendered_digest = source_digest(article.body)
    if save and article.pk is not None:
        article.save(update_fields=["body_html", "toc", "word_count", "rendered_digest"])
    return article


def article_render_if_stale(article: Article) -> Article:
    """Render in memory, without saving, when the cached HTML does not match the body.

    A safety net for rows written without ``article_render`` (shell, bulk updates).
    """
    if article.rendered_digest != source_digest(article.body):
        article_render(article, save=False)
    return article


def faq_render(faq: Faq, *, save: bool = True) -> Faq:
    """Render ``faq.answer`` into ``answer_html`` (headings from h4, anchors prefixed)."""
    faq.answer_html = render_markdown(
        faq.answer, min_heading_level=FAQ_HEADING_LEVEL, anchor_prefix=f"{faq.anchor}-"
    ).html
    faq.rendered_digest = source_digest(faq.answer)
    if save and faq.pk is not None:
        faq.save(update_fields=["answer_html", "rendered_digest"])
    return faq


def faq_render_if_stale(faq: Faq) -> Faq:
    """Render in memory, without saving, when the cached answer does not match its source."""
    if faq.rendered_digest != source_digest(faq.answer):
        faq_render(faq, save=False)
    return faq


def resource_file_info_refresh(resource: Resource, *, save: bool = True) -> Resource:
    """Record the handout's size and type so the resources page needs no storage calls."""
    if resource.file:
        kind = file_kind_for(resource.file.name or "")
        resource.file_size = resource.file.size
        resource.file_type = kind.label if kind else ""
    else:
        resource.file_size = 0
        resource.file_type = ""
    if save and resource.pk is not None:
        resource.save(update_fields=["file_size", "file_type"])
    return resource


@transaction.atomic
def article_save(article: Article) -> Article:
    """Validate, render and save ``article`` (M2M fields are the caller's to set)."""
    article.full_clean(exclude=["conditions", "related"])
    article_render(article, save=False)
    article.save()
    return article


@transaction.atomic
def faq_save(faq: Faq) -> Faq:
    """Validate, render and save ``faq``."""
    faq.full_clean()
    faq_render(faq, save=False)
    faq.save()
    return faq


@transaction.atomic
def resource_save(resource: Resource) -> Resource:
    """Validate ``resource`` (file type and size included), record its file details, save."""
    resource.full_clean()
    resource_file_info_refresh(resource, save=False)
    resource.save()
    return resource
