"""Reads for accounts."""

from __future__ import annotations

from django.utils import timezone

from .models import SignInLink


def sign_in_link_get_usable(*, pk: int, token: str) -> SignInLink | None:
    """Return link ``pk`` if ``token`` would redeem it now; None alike for every failure.

    Reads without a lock: the answer decides only which page to show, and
    ``sign_in_link_redeem`` checks again under its lock.
    """
    link = SignInLink.objects.select_related("user").filter(pk=pk).first()
    if link is None or not link.accepts(token, now=timezone.now()):
        return None
    return link
