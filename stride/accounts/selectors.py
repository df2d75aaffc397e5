"""Reads for accounts."""

from __future__ import annotations

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SignInLink, User


def sign_in_link_get_usable(*, pk: int, token: str) -> SignInLink | None:
    """Return link ``pk`` if ``token`` would redeem it now; None alike for every failure.

    Reads without a lock: the answer decides only which page to show, and
    ``sign_in_link_redeem`` checks again under its lock.
    """
    link = SignInLink.objects.select_related("user").filter(pk=pk).first()
    if link is None or not link.accepts(token, now=timezone.now()):
        return None
    return link


def totp_device_confirmed_exists(*, user: User) -> bool:
    """Return whether ``user`` has set up an authenticator app (a confirmed TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_remaining(*, user: User) -> int:
    """Return how many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
