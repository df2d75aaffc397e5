"""Top-level URLs: each app mounts its own; site-wide endpoints live here."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from stride.content.sitemaps import SITEMAPS as CONTENT_SITEMAPS
from stride.core import views as core_views
from stride.core.ratelimit import rate_limit
from stride.programs.sitemaps import ExerciseSitemap

admin.site.site_header = "Stride administration"
admin.site.site_title = "Stride"

SITEMAPS = {**CONTENT_SITEMAPS, "exercises": ExerciseSitemap}

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cache_page(300)(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # Sign-in attempts are limited per client IP before Django's admin sees them.
    path("admin/login/", rate_limit("login", "STRIDE_RATE_LIMIT_LOGIN")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("", include("stride.api.urls")),
    path("fhir/", include("stride.fhir.urls")),
    path("", include("stride.accounts.urls")),
    path("staff/audit/", include("stride.audit.urls")),
    path("staff/", include("stride.scheduling.urls_staff")),
    path("staff/", include("stride.programs.urls_staff")),
    path("my/", include("stride.programs.urls_patient")),
    path("", include("stride.scheduling.urls")),
    path("", include("stride.contact.urls")),
    path("", include("stride.programs.urls")),
    path("", include("stride.content.urls")),
]

if settings.STRIDE_SERVE_MEDIA:
    # Uploaded images and handouts; behind nginx, set STRIDE_SERVE_MEDIA=false and let it serve them.
    urlpatterns += [
        re_path(r"^media/(?P<path>.+)$", core_views.media),
    ]

handler403 = "stride.audit.views.permission_denied"
handler404 = "stride.core.views.page_not_found"
handler500 = "stride.core.views.server_error"
