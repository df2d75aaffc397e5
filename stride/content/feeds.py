"""RSS 2.0 feed of the newest public articles."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse

from stride.scheduling.selectors import location_get_primary

from .jsonld import DEFAULT_CLINIC_NAME
from .models import Article
from .selectors import article_list_feed


class ArticleFeed(Feed):
    """The 20 newest public articles, newest first; guid is the article's absolute URL."""

    description = "Patient-education articles reviewed by our physical therapists."

    def title(self) -> str:
        clinic = location_get_primary()
        return f"{clinic.name if clinic else DEFAULT_CLINIC_NAME}: articles"

    def link(self) -> str:
        return reverse("article_list")

    def items(self) -> list[Article]:
        return article_list_feed()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at
