"""Sitemap of the public exercise library."""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Exercise
from .selectors import exercise_queryset_public


class ExerciseSitemap(Sitemap):
    """The exercise list and each published exercise."""

    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Exercise]:
        return exercise_queryset_public().order_by("slug")

    def location(self, item: Exercise) -> str:
        return f"/exercises/{item.slug}/"

    def lastmod(self, item: Exercise) -> dt.datetime:
        return item.updated_at
