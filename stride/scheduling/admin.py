from django.contrib import admin

from .models import Location, OpeningHours, Therapist


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "locality", "phone", "email", "timezone", "is_primary")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OpeningHoursInline]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "location", "is_public")
    list_filter = ("location", "is_public")
    search_fields = ("display_name", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    autocomplete_fields = ("user",)
