"""Staff two-factor pages: set up an authenticator app once, then confirm each sign-in.

A staff member who has signed in with a password but not yet confirmed the session reaches
no staff page (``middleware.StaffTwoFactorMiddleware``). ``/accounts/two-factor/verify/``
takes a code from the authenticator app or a one-time recovery code; without an
authenticator it sends them to ``/accounts/two-factor/setup/``, which shows a QR code and the
key, confirms the app with one code, and then shows ten recovery codes once.

Wrong codes are slowed twice over: django-otp refuses codes for a growing delay after each
wrong one on the device, and the pages count posts per client IP like the sign-in page.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from stride.core.ratelimit import rate_limit

from .forms import TwoFactorCodeForm
from .models import User
from .selectors import recovery_codes_remaining, totp_device_confirmed_exists
from .services import (
    TwoFactorThrottled,
    totp_device_confirm,
    totp_device_get_or_create_unconfirmed,
    two_factor_verify,
)

WRONG_CODE = (
    "That code didn't work. Enter the newest code your authenticator app shows "
    "(check your phone's clock is right), or one of your recovery codes."
)
WRONG_SETUP_CODE = (
    "That code didn't work. Enter the 6-digit code your authenticator app shows now "
    "for this account (check your phone's clock is right)."
)


def _throttled_message(exc: TwoFactorThrottled) -> str:
    seconds = exc.retry_after
    return (
        f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''}, then try again."
    )


def _next_url(request: HttpRequest) -> str:
    """Return the safe ``next`` of the request, else where staff land after signing in."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(path: str, next_url: str) -> str:
    return f"{path}?{urlencode({'next': next_url})}"


def _confirm_session(request: HttpRequest, device: Device) -> None:
    """Mark the session as confirmed by ``device`` and move it to a new key."""
    otp_login(request, device)
    # A session that gains privileges gets a new id, as at sign-in.
    request.session.cycle_key()


def _staff_user(request: HttpRequest) -> User | None:
    user = request.user
    if user.is_authenticated and isinstance(user, User) and user.has_staff_access:
        return user
    return None


def _is_verified(user: User) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """Return the device's ``otpauth://`` address as an inline SVG QR code.

    The SVG holds only paths and a white background: no scripts and no style attributes, so
    the strict Content-Security-Policy allows it.
    """
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=15
    )
    svg = image.to_string(encoding="unicode")
    # Our own markup, made from a URL that is drawn as modules, never written out as text.
    # nosemgrep: stride-mark-safe -- qrcode's SVG paths; no text of the URL is in it
    return mark_safe(svg)  # noqa: S308 (qrcode's own SVG, see above)


def totp_key_text(device: TOTPDevice) -> str:
    """Return the device's key in base32, in groups of four, for typing into an app."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limit("two_factor", "STRIDE_RATE_LIMIT_LOGIN")
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """Confirm a staff sign-in with an authenticator code or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    user = _staff_user(request)
    if user is None or _is_verified(user):
        return HttpResponseRedirect(next_url)
    if not totp_device_confirmed_exists(user=user):
        return HttpResponseRedirect(_with_next(reverse("accounts:two_factor_setup"), next_url))
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = two_factor_verify(user=user, code=form.cleaned_data["code"])
        except TwoFactorThrottled as exc:
            form.add_error("code", _throttled_message(exc))
        else:
            if device is None:
                form.add_error("code", WRONG_CODE)
            else:
                _confirm_session(request, device)
                if isinstance(device, StaticDevice):
                    left = recovery_codes_remaining(user=user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; it can't be used again. "
                        f"{left} recovery code{'s' if left != 1 else ''} left.",
                    )
                return HttpResponseRedirect(next_url, status=303)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limit("two_factor", "STRIDE_RATE_LIMIT_LOGIN")
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and key, one code to confirm, recovery codes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    user = _staff_user(request)
    if user is None:
        return HttpResponseRedirect(next_url)
    if totp_device_confirmed_exists(user=user):
        # Replacing an authenticator is a clinic admin's job (manage.py staff_2fa_reset).
        return HttpResponseRedirect(_with_next(reverse("accounts:two_factor_verify"), next_url))
    device = totp_device_get_or_create_unconfirmed(user=user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None, totp_only=True)
    if form.is_valid():
        try:
            codes = totp_device_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except TwoFactorThrottled as exc:
            form.add_error("code", _throttled_message(exc))
        else:
            if codes is None:
                form.add_error("code", WRONG_SETUP_CODE)
            else:
                _confirm_session(request, device)
                # Shown in this response only: the codes are stored nowhere but as hashes.
                return render(
                    request,
                    "accounts/two_factor_recovery_codes.html",
                    {"codes": codes, "next": next_url},
                )
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "qr_svg": totp_qr_svg(device),
        "key": totp_key_text(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)
