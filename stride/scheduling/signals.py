"""Cache invalidation: bump the generation behind cached public pages."""

from stride.core.generations import CONTENT, generation_bump_on_change

from .models import Location, OpeningHours, Therapist


def connect() -> None:
    """Connect the receivers (from ``SchedulingConfig.ready()``)."""
    # Public pages show the clinic, its opening hours and the team.
    generation_bump_on_change(CONTENT, models=[Location, OpeningHours, Therapist])
