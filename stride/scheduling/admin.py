from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Location,
    OpeningHours,
    Therapist,
    TimeOff,
    WorkingHours,
)
from .services import BookingError, appointment_cancel, appointment_mark


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class BookingRulesInline(admin.StackedInline):
    model = BookingRules
    extra = 0
    can_delete = False


class ClinicClosureInline(admin.TabularInline):
    model = ClinicClosure
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "locality", "phone", "email", "timezone", "is_primary")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OpeningHoursInline, BookingRulesInline, ClinicClosureInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "location", "is_public")
    list_filter = ("location", "is_public")
    search_fields = ("display_name", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    autocomplete_fields = ("user",)
    filter_horizontal = ("appointment_types",)
    inlines = [WorkingHoursInline, TimeOffInline]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "duration_minutes",
        "buffer_after_minutes",
        "new_patients",
        "bookable_online",
        "order",
    )
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ("therapist", "kind", "start", "end", "note")
    list_filter = ("kind", "therapist")
    date_hierarchy = "start"


@admin.register(ClinicClosure)
class ClinicClosureAdmin(admin.ModelAdmin):
    list_display = ("name", "date", "location")
    list_filter = ("location",)


@admin.register(InsurancePlan)
class InsurancePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "referral_required", "is_active")
    list_filter = ("referral_required", "is_active")
    prepopulated_fields = {"slug": ("name",)}


def _mark(status: str, description: str) -> Any:
    @admin.action(description=description)
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> None:
        for appointment in queryset:
            try:
                if status == AppointmentStatus.CANCELLED:
                    appointment_cancel(appointment=appointment, by_patient=False)
                else:
                    appointment_mark(appointment=appointment, status=status, by=request.user)  # type: ignore[arg-type]
            except (BookingError, PermissionDenied) as exc:
                modeladmin.message_user(request, f"{appointment}: {exc}", messages.WARNING)

    action.__name__ = f"mark_{status}"
    return action


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Appointments are read here and changed through the booking services only.

    Editing times in a form would bypass the availability check, so every field is read-only;
    the actions run the same services as the booking pages.
    """

    list_display = ("start", "therapist", "appointment_type", "patient", "status", "location")
    list_filter = ("status", "therapist", "appointment_type", "location")
    search_fields = ("patient__email", "patient__first_name", "patient__last_name")
    date_hierarchy = "start"
    list_select_related = ("therapist", "appointment_type", "patient", "location")
    actions = [
        _mark(AppointmentStatus.ARRIVED, "Mark arrived"),
        _mark(AppointmentStatus.COMPLETED, "Mark completed"),
        _mark(AppointmentStatus.NO_SHOW, "Mark no-show"),
        _mark(AppointmentStatus.LATE_CANCELLED, "Mark late cancellation"),
        _mark(AppointmentStatus.CANCELLED, "Cancel (staff)"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
