"""Admin for the exercise library, program templates, and (read only) programs, logs, alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import (
    BodyRegion,
    Equipment,
    Exercise,
    ExerciseProgram,
    ExerciseStep,
    PainScore,
    ProgramAlert,
    ProgramTemplate,
    ProgramTemplateItem,
    ProgramVersion,
    PsfsCheckin,
    SessionLog,
    SymptomReport,
)

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


# --- Program templates, programs and what patients log -----------------------------------------


class ProgramTemplateItemInline(admin.TabularInline):
    model = ProgramTemplateItem
    extra = 1
    ordering = ("position",)
    fields = (
        "position",
        "exercise",
        "sets",
        "reps",
        "hold_seconds",
        "minutes",
        "times_per_day",
        "days_per_week",
        "per_side",
        "notes",
    )


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "sessions_per_week", "review_after_weeks", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (ProgramTemplateItemInline,)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records to look at, not edit: programs change through the therapist's pages (new
    versions), and logs and alerts are only ever added by the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProgramVersionInline(admin.TabularInline):
    model = ProgramVersion
    extra = 0
    fields = ("number", "created_at", "created_by", "change_note", "sessions_per_week")
    readonly_fields = fields
    ordering = ("-number",)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExerciseProgram)
class ExerciseProgramAdmin(ReadOnlyAdmin):
    list_display = ("title", "patient", "therapist", "status", "start_date", "review_date")
    list_filter = ("status", "therapist")
    search_fields = ("title", "patient__email", "patient__first_name", "patient__last_name")
    list_select_related = ("patient", "therapist")
    date_hierarchy = "start_date"
    inlines = (ProgramVersionInline,)


@admin.register(ProgramAlert)
class ProgramAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "program",
        "kind",
        "severity",
        "since",
        "flag_therapist",
        "cleared_at",
        "acknowledged_at",
    )
    list_filter = ("kind", "severity", "flag_therapist")
    search_fields = ("program__patient__email", "program__title")
    list_select_related = ("program",)


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = ("program", "on", "completion", "pain_during", "created_at")
    list_filter = ("completion",)
    search_fields = ("program__patient__email",)
    list_select_related = ("program",)
    date_hierarchy = "on"


@admin.register(PainScore)
class PainScoreAdmin(ReadOnlyAdmin):
    list_display = ("program", "on", "nprs", "created_at")
    search_fields = ("program__patient__email",)
    list_select_related = ("program",)
    date_hierarchy = "on"


@admin.register(PsfsCheckin)
class PsfsCheckinAdmin(ReadOnlyAdmin):
    list_display = ("program", "on", "created_at")
    search_fields = ("program__patient__email",)
    list_select_related = ("program",)


@admin.register(SymptomReport)
class SymptomReportAdmin(ReadOnlyAdmin):
    list_display = ("program", "on", "code", "resolved_at")
    list_filter = ("code",)
    search_fields = ("program__patient__email",)
    list_select_related = ("program",)
