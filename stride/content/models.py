"""Patient education: articles tagged by condition, FAQ answers and downloadable resources."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from stride.core.models import TimeStampedModel
from stride.scheduling.models import Therapist

from .markdown import reading_minutes
from .validators import validate_resource_file


class Condition(models.Model):
    """A condition or topic articles are about (e.g. "Low back pain")."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(TimeStampedModel):
    """A patient-education article written in Markdown and reviewed by a therapist.

    Public only when published and its publication time has come; ``body_html``, ``toc``
    and ``word_count`` cache the rendered body (see ``services.article_render``).
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    subheading = models.CharField(max_length=300, blank=True)
    summary = models.TextField(
        max_length=500, help_text="One or two sentences for cards, search results and feeds."
    )
    body = models.TextField(help_text="Markdown. Start sections with '## Heading'.")
    conditions = models.ManyToManyField(Condition, blank=True, related_name="articles")
    reviewed_by = models.ForeignKey(
        Therapist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The article goes public at this time (required when published).",
    )
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="related_from"
    )

    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    rendered_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ArticleStatus.DRAFT)
                | models.Q(published_at__isnull=False),
                name="content_article_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": "A published article needs a publication time."})

    def get_absolute_url(self) -> str:
        return reverse("article_detail", kwargs={"slug": self.slug})

    @property
    def last_modified(self) -> dt.datetime:
        """Return when the article last changed, never before it was published."""
        if self.published_at is None:
            return self.updated_at
        return max(self.updated_at, self.published_at)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)


class FaqCategory(models.Model):
    """A heading the FAQ page groups questions under."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "FAQ category"
        verbose_name_plural = "FAQ categories"

    def __str__(self) -> str:
        return self.name


class Faq(TimeStampedModel):
    """One question and its Markdown answer, stored once and shown on any page."""

    question = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    answer = models.TextField(help_text="Markdown.")
    category = models.ForeignKey(FaqCategory, on_delete=models.PROTECT, related_name="faqs")
    order = models.PositiveIntegerField(default=0)
    highlight = models.BooleanField(default=False, help_text="Shown on the home page.")

    answer_html = models.TextField(blank=True, editable=False)
    rendered_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self) -> str:
        return self.question

    @property
    def anchor(self) -> str:
        return f"faq-{self.slug}"


class ResourceKind(models.TextChoices):
    HANDOUT = "handout", "Handout"
    LINK = "link", "External link"


class Resource(TimeStampedModel):
    """A handout file patients can download, or a link to a trustworthy outside site."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    file = models.FileField(
        upload_to="resources/",
        blank=True,
        validators=[validate_resource_file],
        help_text="PDF, PNG, JPEG or plain text, up to 10 MB (handouts only).",
    )
    url = models.URLField(
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The outside page (links only).",
    )
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True)
    file_size = models.PositiveIntegerField(default=0, editable=False)
    file_type = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=ResourceKind.HANDOUT, url="") & ~models.Q(file=""))
                | (models.Q(kind=ResourceKind.LINK, file="") & ~models.Q(url="")),
                name="content_resource_file_or_url",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def url_host(self) -> str:
        """Return the outside site's host name without "www.", for display."""
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    def clean(self) -> None:
        if self.kind == ResourceKind.HANDOUT:
            if not self.file:
                raise ValidationError({"file": "A handout needs a file."})
            if self.url:
                raise ValidationError({"url": "A handout has a file, not a link."})
        elif self.kind == ResourceKind.LINK:
            if not self.url:
                raise ValidationError({"url": "A link needs its address."})
            if self.file:
                raise ValidationError({"file": "A link has an address, not a file."})
