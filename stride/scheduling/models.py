"""The clinic's places and people: locations, their opening hours, and therapists."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from stride.core.models import TimeStampedModel


def validate_timezone(value: str) -> None:
    """Reject names that are not IANA time zones."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


class Location(TimeStampedModel):
    """A clinic site patients visit; its time zone governs every time shown for it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    street_address = models.CharField(max_length=200)
    locality = models.CharField("city", max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 country code.")
    phone = models.CharField(max_length=30)
    email = models.EmailField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    is_primary = models.BooleanField(
        default=False, help_text="The location whose details the public site shows."
    )

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_primary"],
                condition=models.Q(is_primary=True),
                name="location_single_primary",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def address_line(self) -> str:
        parts = [self.street_address, self.locality, f"{self.region} {self.postal_code}".strip()]
        return ", ".join(p for p in parts if p)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """When a location's doors are open on one weekday (local time)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Therapist(TimeStampedModel):
    """A clinician's public profile, linked to the staff user who signs in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist"
    )
    slug = models.SlugField(unique=True)
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=120, help_text="e.g. PT, DPT, OCS")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="therapists/", blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="therapists")
    is_public = models.BooleanField(default=True, help_text="Shown on the public site.")

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"
