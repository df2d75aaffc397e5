"""Sitemaps for the public site (placeholder until the content app lands)."""

from django.contrib.sitemaps import Sitemap

SITEMAPS: dict[str, type[Sitemap]] = {}
