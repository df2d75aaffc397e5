"""Public booking pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .selectors import therapist_list_public


@require_safe
def book(request: HttpRequest) -> HttpResponse:
    """Explain how to book an appointment and how to reach the clinic meanwhile."""
    return render(request, "scheduling/book.html", {"therapists": therapist_list_public()})
