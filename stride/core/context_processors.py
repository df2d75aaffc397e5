"""Template context every page needs: the clinic's public details."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from stride.scheduling.selectors import location_get_primary


def clinic(request: HttpRequest) -> dict[str, Any]:
    """Expose the primary location as ``clinic`` and the public base URL as ``site_url``."""
    return {"clinic": location_get_primary(), "site_url": settings.SITE_URL}
