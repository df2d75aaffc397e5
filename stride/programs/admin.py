"""Admin for the exercise library: exercises with their steps, body regions and equipment."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import BodyRegion, Equipment, Exercise, ExerciseStep

PREVIEW_SIDE = 240


@admin.register(BodyRegion)
class BodyRegionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ExerciseStepInline(admin.TabularInline):
    model = ExerciseStep
    extra = 1
    ordering = ("number",)
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}
    }


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "dose_display", "is_published", "updated_at")
    list_filter = ("category", "regions", "is_published")
    list_editable = ("is_published",)
    search_fields = ("name", "slug", "summary", "cues")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("regions", "equipment", "conditions")
    readonly_fields = ("illustration_preview", "created_at", "updated_at")
    inlines = (ExerciseStepInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug", "category", "summary", "is_published")}),
        ("Where and with what", {"fields": ("regions", "equipment", "conditions")}),
        (
            "Default dose",
            {
                "description": "Give the repetitions, a hold time or the minutes (or several).",
                "fields": (
                    ("sets", "reps", "hold_seconds", "per_side"),
                    ("minutes", "times_per_day", "days_per_week"),
                    "dose_note",
                ),
            },
        ),
        ("Doing it well and safely", {"fields": ("cues", "precautions")}),
        (
            "Illustration and video",
            {
                "fields": (
                    "illustration",
                    "illustration_alt",
                    "illustration_preview",
                    "video_url",
                )
            },
        ),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="Dose")
    def dose_display(self, obj: Exercise) -> str:
        return obj.dose_display

    @admin.display(description="Preview")
    def illustration_preview(self, obj: Exercise) -> SafeString | str:
        if not obj.illustration:
            return "No illustration."
        width, height = obj.illustration_width or 0, obj.illustration_height or 0
        if width and height:
            scale = min(1.0, PREVIEW_SIDE / max(width, height))
            width, height = max(1, round(width * scale)), max(1, round(height * scale))
        else:
            width = height = PREVIEW_SIDE
        # No style attribute: the CSP forbids inline styles, in the admin too.
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}">',
            obj.illustration.url,
            obj.illustration_alt,
            width,
            height,
        )
