"""The HTTP API at /api/v1/: each app contributes a router from its own ``api.py``."""

from __future__ import annotations

from ninja import NinjaAPI

from stride.programs.api import router as programs_router
from stride.scheduling.api import router as scheduling_router

from .errors import install_error_handlers

api = NinjaAPI(
    title="Stride API",
    version="1",
    description=(
        "Booking, exercise programs and clinic data for Stride. Times are ISO 8601 with a UTC "
        "offset. Errors: 422 `{error: invalid, fields: {name: message}}`, other 4xx "
        "`{error, detail}`."
    ),
    urls_namespace="api_v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", scheduling_router, tags=["booking"])
api.add_router("/", programs_router, tags=["exercise programs"])
