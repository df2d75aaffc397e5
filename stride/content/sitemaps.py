"""Sitemaps for the public site: fixed pages and every public article."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Article
from .selectors import article_queryset_public


class StaticSitemap(Sitemap):
    """The site's fixed pages (booking and contact belong to other apps)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["/", "/articles/", "/exercises/", "/faq/", "/resources/", "/book/", "/contact/"]

    def location(self, item: str) -> str:
        return item


class ArticleSitemap(Sitemap):
    """Each public article, with the time it last changed."""

    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Article]:
        return article_queryset_public()

    def lastmod(self, item: Article) -> dt.datetime:
        return item.last_modified


SITEMAPS: dict[str, type[Sitemap]] = {"static": StaticSitemap, "articles": ArticleSitemap}
