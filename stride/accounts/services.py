"""Writes for accounts: sign-in links for patients, staff two-factor devices.

Patients sign in with single-use emailed links. Staff sign in by password, never receive a
link, and confirm each sign-in with an authenticator app or a one-time recovery code. Emails
go through the outbox (``stride.core.outbox``), leave only after commit and carry no clinical
details: the link, how long it lasts, and the caller's short introduction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import math
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from stride.api.models import ApiToken
from stride.core.outbox import email_queue
from stride.scheduling.selectors import location_get_primary

from .models import SignInLink, User, sign_in_link_token_hash

logger = logging.getLogger(__name__)

DEFAULT_CLINIC_NAME = "Stride Physical Therapy"
SIGN_IN_SUBJECT = "Your sign-in link"
SIGN_IN_INTRO = "Here is the link you asked for to sign in to your patient account."


class SignInLinkInvalid(Exception):
    """The link is unknown, wrong, expired, used, or its account may not use links.

    One error, one message, whatever the reason: the page must not reveal which.
    """

    def __init__(self) -> None:
        super().__init__("This link has expired or was already used.")


@transaction.atomic
def sign_in_link_create(*, user: User, purpose: str) -> tuple[SignInLink, str]:
    """Create a link of ``purpose`` for ``user``; return it with its raw token.

    The token is returned once and never stored (only its SHA-256 is). The link lasts
    ``SignInLink.LIFETIMES[purpose]``.
    """
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        user=user,
        purpose=purpose,
        token_hash=sign_in_link_token_hash(token),
        expires_at=timezone.now() + SignInLink.LIFETIMES[purpose],
    )
    link.full_clean()
    link.save()
    return link, token


def sign_in_link_url(*, link: SignInLink, token: str) -> str:
    """Return the link's path (``/accounts/link/<pk>/<token>/``); prefix SITE_URL for emails."""
    return reverse("accounts:sign_in_link", kwargs={"pk": link.pk, "token": token})


@transaction.atomic
def sign_in_link_redeem(*, pk: int, token: str) -> User:
    """Use up link ``pk`` opened with ``token`` and return its user, who may now sign in.

    Locking: takes the link row with ``SELECT ... FOR UPDATE`` so two requests racing with
    the same link cannot both redeem it (SQLite's IMMEDIATE transactions serialise them).
    Raise ``SignInLinkInvalid`` alike for every failure.
    """
    link = SignInLink.objects.select_for_update().filter(pk=pk).first()
    now = timezone.now()
    if link is None or not link.accepts(token, now=now):
        raise SignInLinkInvalid
    link.used_at = now
    link.save(update_fields=["used_at"])
    return link.user


@transaction.atomic
def sign_in_link_request(*, email: str) -> None:
    """Email a sign-in link to ``email`` if it belongs to an active patient; else do nothing.

    Returns the same either way, so callers cannot learn which addresses have accounts.
    Staff accounts never receive links.
    """
    users = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(users) != 1 or not users[0].may_use_email_links:
        return
    link, token = sign_in_link_create(user=users[0], purpose=SignInLink.Purpose.SIGN_IN)
    _email_queue(link=link, token=token, subject=SIGN_IN_SUBJECT, intro=SIGN_IN_INTRO)


@transaction.atomic
def patient_invite(*, user: User, subject: str, intro: str) -> None:
    """Email ``user`` an invitation link that signs them in once within seven days.

    ``intro`` opens the email (e.g. "Your therapist has prepared a new home exercise program
    for you."); keep clinical details out of it, since email is not a private channel.
    Raise ValueError when ``user`` may not use email links (staff, inactive accounts).
    """
    if not user.may_use_email_links:
        raise ValueError("Only active patients can be sent a sign-in link.")
    link, token = sign_in_link_create(user=user, purpose=SignInLink.Purpose.INVITATION)
    _email_queue(link=link, token=token, subject=subject, intro=intro)


def sign_in_link_email_build(
    *, link: SignInLink, token: str, subject: str, intro: str
) -> EmailMultiAlternatives:
    """Build the plain-text email, with an HTML alternative, that carries ``link``."""
    location = location_get_primary()
    context = {
        "first_name": link.user.first_name,
        "intro": intro,
        "url": f"{settings.SITE_URL}{sign_in_link_url(link=link, token=token)}",
        "lifetime": _lifetime_text(SignInLink.LIFETIMES[link.purpose]),
        "clinic_name": location.name if location is not None else DEFAULT_CLINIC_NAME,
    }
    email = EmailMultiAlternatives(
        # Header values cannot hold line breaks; a caller's subject is folded onto one line.
        subject=" ".join(subject.split()),
        body=render_to_string("accounts/email/sign_in_link.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[link.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(
        render_to_string("accounts/email/sign_in_link.html", context), "text/html"
    )
    return email


def _lifetime_text(lifetime: dt.timedelta) -> str:
    if lifetime >= dt.timedelta(days=1):
        days = lifetime.days
        return f"{days} day{'s' if days != 1 else ''}"
    minutes = int(lifetime.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _email_queue(*, link: SignInLink, token: str, subject: str, intro: str) -> None:
    # Queued with the link, in its transaction; it leaves once that commits. The email holds a
    # working link: never sent after the link expires, its content erased once it is sent or
    # expired. A failure is logged with the link's id only (no address, no token) and never
    # reaches the visitor, who sees the same page.
    try:
        email_queue(
            message=sign_in_link_email_build(link=link, token=token, subject=subject, intro=intro),
            kind=f"accounts.{link.purpose}",
            expires_at=link.expires_at,
            secret=True,
        )
    except Exception as exc:  # a broken template; the link stands, another can be asked for.
        logger.exception("sign-in link %s: email not queued (%s)", link.pk, type(exc).__name__)


def password_reset_email_context() -> dict[str, Any]:
    """Return what the password reset email adds to Django's context: site, clinic, lifetime.

    Links are built on SITE_URL, never on the request's Host header, which a client chooses.
    """
    location = location_get_primary()
    return {
        "site_url": settings.SITE_URL,
        "clinic_name": location.name if location is not None else DEFAULT_CLINIC_NAME,
        "lifetime": _lifetime_text(dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)),
    }


# --- Staff two-factor authentication ------------------------------------------------------------

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# 10 random bytes (80 bits), shown as 16 base32 characters in four groups: xxxx-xxxx-xxxx-xxxx.
RECOVERY_CODE_BYTES = 10
TOTP_CODE = re.compile(r"[0-9]{6}")


class TwoFactorThrottled(Exception):
    """The device refuses codes for ``retry_after`` more seconds after recent wrong ones."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many wrong codes; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def recovery_code_hash(code: str) -> str:
    """Return what is stored for a recovery code: 96 bits of its SHA-256, in 16 characters.

    Spaces, dashes and letter case do not matter. The code itself is never stored; django-otp's
    token column holds 16 characters, which base64 fills with 12 bytes of the digest.
    """
    compact = re.sub(r"[^0-9a-z]", "", code.lower())
    digest = hashlib.sha256(compact.encode()).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode()


def _recovery_code_new() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _raise_if_throttled(device: TOTPDevice | StaticDevice) -> None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    locked_until = (details or {}).get("locked_until")
    seconds = (locked_until - timezone.now()).total_seconds() if locked_until else 1
    raise TwoFactorThrottled(max(1, math.ceil(seconds)))


@transaction.atomic
def totp_device_get_or_create_unconfirmed(*, user: User) -> TOTPDevice:
    """Return ``user``'s authenticator awaiting confirmation, creating it the first time.

    Reloading the setup page therefore shows the same key and QR code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Give ``user`` ten new one-time recovery codes, dropping any old ones; return them.

    The codes are returned once, to be shown once; only their hashes are stored.
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_hash(code)) for code in codes
    )
    return codes


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``user``'s new authenticator with a ``code`` it shows; return recovery codes.

    Locking: takes the device row with ``SELECT ... FOR UPDATE``, so one code confirms once.
    Return None for a wrong code; raise ``TwoFactorThrottled`` after too many. Other
    authenticators of ``user`` are removed: one per person.
    """
    locked = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device.pk, user=user, confirmed=False)
        .first()
    )
    if locked is None:
        return None
    _raise_if_throttled(locked)
    if not TOTP_CODE.fullmatch(code) or not locked.verify_token(code):
        return None
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
    device.confirmed = True
    return recovery_codes_replace(user=user)


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> Device | None:
    """Return the device of ``user`` that accepts ``code``, or None.

    Six digits go to the authenticator (each code works once: django-otp remembers the last
    time step used); anything else is tried as a recovery code, which is then used up.
    Locking: the device row is taken ``FOR UPDATE``, so racing requests cannot both use one
    code. Raise ``TwoFactorThrottled`` while the device refuses codes after wrong ones.
    """
    compact = "".join(code.split())
    device: TOTPDevice | StaticDevice | None
    if TOTP_CODE.fullmatch(compact):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        token = compact
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        token = recovery_code_hash(compact)
    if device is None:
        return None
    _raise_if_throttled(device)
    return device if device.verify_token(token) else None


@transaction.atomic
def two_factor_reset(*, user: User) -> int:
    """Remove ``user``'s authenticator and recovery codes; return how many devices went.

    Sessions confirmed with them stop counting as confirmed at their next request, and the
    next sign-in asks ``user`` to set up an authenticator again. Their API tokens, made with
    the lost authenticator, are revoked.
    """
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    return removed
