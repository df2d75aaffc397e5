"""Cache invalidation when the clinic's details change."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Location, OpeningHours
from .selectors import location_cache_clear


@receiver([post_save, post_delete], sender=Location)
@receiver([post_save, post_delete], sender=OpeningHours)
def _clear_location_cache(**kwargs: Any) -> None:
    location_cache_clear()
