"""Admin for articles, FAQ and resources; saving re-renders the cached Markdown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .markdown import render_markdown
from .models import Article, ArticleStatus, Condition, Faq, FaqCategory, Resource
from .services import article_render, faq_render, resource_file_info_refresh


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = (
            "title",
            "slug",
            "subheading",
            "summary",
            "body",
            "status",
            "published_at",
            "featured",
            "reviewed_by",
            "reviewed_on",
            "conditions",
            "related",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Publishing without a time means "now".
        if cleaned.get("status") == ArticleStatus.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        return cleaned


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "status",
        "published_at",
        "featured",
        "reviewed_by",
        "reviewed_on",
        "preview_link",
    )
    list_filter = ("status", "conditions", "featured")
    search_fields = ("title", "subheading", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("conditions", "related")
    date_hierarchy = "published_at"
    list_select_related = ("reviewed_by",)
    readonly_fields = ("preview_link", "word_count", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "subheading", "summary", "body", "preview_link")}),
        ("Publishing", {"fields": ("status", "published_at", "featured")}),
        ("Medical review", {"fields": ("reviewed_by", "reviewed_on")}),
        ("Topics", {"fields": ("conditions", "related")}),
        ("Record", {"fields": ("word_count", "created_at", "updated_at")}),
    )

    @admin.display(description="Preview")
    def preview_link(self, obj: Article) -> SafeString | str:
        if obj.pk is None:
            return "Save the article to preview it."
        url = reverse("admin:content_article_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview “{}”</a>', url, obj.title)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="content_article_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Show the stored body rendered (and sanitised) exactly as the public page would."""
        article = self.get_object(request, str(object_id))
        if article is None:
            raise Http404("No such article.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        rendered = render_markdown(article.body)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Preview: {article.title}",
            "body_html": mark_safe(rendered.html),  # noqa: S308 (sanitised by render_markdown)
            "toc": rendered.toc,
            "reading_minutes": rendered.reading_minutes,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/content/article/preview.html", context)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        article_render(obj, save=False)
        super().save_model(request, obj, form, change)


@admin.register(FaqCategory)
class FaqCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Faq)
class FaqAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "order", "highlight")
    list_editable = ("order", "highlight")
    list_filter = ("category", "highlight")
    list_select_related = ("category",)
    search_fields = ("question", "answer")
    prepopulated_fields = {"slug": ("question",)}
    ordering = ("category__order", "order", "pk")

    def save_model(self, request: HttpRequest, obj: Faq, form: Any, change: bool) -> None:
        faq_render(obj, save=False)
        super().save_model(request, obj, form, change)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "order", "is_published", "file_type", "file_size")
    list_editable = ("order", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "description")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("file_type", "file_size")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        resource_file_info_refresh(obj, save=False)
        super().save_model(request, obj, form, change)
