"""Site-wide endpoints: health check, robots.txt, uploads in development and error pages."""

import errno

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Serve robots.txt pointing crawlers at the sitemap and away from private areas."""
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """Serve an upload from MEDIA_ROOT (mounted only while STRIDE_SERVE_MEDIA is on).

    A path longer than the filesystem allows names a file that cannot exist: 404, not the 500
    of the OSError it raises.
    """
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        raise Http404("No such file.") from None


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 404 as JSON under /api/ and /fhir/, and with the site's page elsewhere."""
    if request.path.startswith(("/api/", "/fhir/")):
        return JsonResponse({"error": "not_found", "detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 500 as JSON under /api/; elsewhere with a static page that needs no database."""
    if request.path.startswith(("/api/", "/fhir/")):
        return JsonResponse(
            {"error": "server_error", "detail": "Something went wrong."}, status=500
        )
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
