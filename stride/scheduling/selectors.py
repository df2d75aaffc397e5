"""Reads of locations and therapists for the public site."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Location, Therapist

PRIMARY_LOCATION_CACHE_KEY = "scheduling:primary-location"


def location_get_primary() -> Location | None:
    """Return the location the public site presents, with its opening hours, cached."""
    location: Location | None = cache.get(PRIMARY_LOCATION_CACHE_KEY)
    if location is None:
        location = Location.objects.prefetch_related("opening_hours").first()
        if location is not None:
            # Evaluate the prefetch now so the cached object carries its hours.
            list(location.opening_hours.all())
            cache.set(PRIMARY_LOCATION_CACHE_KEY, location, timeout=300)
    return location


def location_cache_clear() -> None:
    """Forget the cached primary location (called when a location or its hours change)."""
    cache.delete(PRIMARY_LOCATION_CACHE_KEY)


def therapist_list_public() -> QuerySet[Therapist]:
    """Return the therapists shown on the public site."""
    return Therapist.objects.filter(is_public=True, user__is_active=True).select_related("location")
