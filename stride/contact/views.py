"""The public contact form and its thank-you page."""

from __future__ import annotations

import ipaddress
import logging

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from stride.core.ratelimit import client_ip, rate_limit

from .forms import ContactForm
from .services import contact_message_create

logger = logging.getLogger(__name__)


def _client_ip_or_none(request: HttpRequest) -> str | None:
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _see_thanks() -> HttpResponse:
    # 303: the browser fetches the thank-you page with GET, so reloading it posts nothing.
    return HttpResponseRedirect(reverse("contact:thanks"), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("contact", "STRIDE_RATE_LIMIT_CONTACT")
def contact_form(request: HttpRequest) -> HttpResponse:
    """Show the contact form; store a valid message and redirect to the thank-you page."""
    if request.method != "POST":
        return render(request, "contact/form.html", {"form": ContactForm()})

    form = ContactForm(request.POST)
    if form.honeypot_filled():
        # Looks like success to the bot; nothing is stored or sent, nothing it typed logged.
        logger.info("contact form: honeypot filled; submission discarded")
        return _see_thanks()
    if form.is_valid():
        try:
            contact_message_create(
                **form.message_fields(),
                client_ip=_client_ip_or_none(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as exc:  # The model's checks caught what the form let through.
            for field, errors in exc.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _see_thanks()
    return render(request, "contact/form.html", {"form": form})


@require_safe
def contact_thanks(request: HttpRequest) -> HttpResponse:
    """Confirm the message arrived and say when and how the clinic answers."""
    return render(request, "contact/thanks.html")
