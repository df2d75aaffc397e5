"""Forms for signing in, resetting a password and confirming a sign-in with a code."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from stride.core.outbox import email_queue

logger = logging.getLogger(__name__)


class SignInLinkRequestForm(forms.Form):
    """The address a patient wants a sign-in link sent to."""

    # The server's messages replace the browser's own validation bubbles (``novalidate``).
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, asking for the address the way the sign-in link form does.

    Django emails only active accounts with a usable password, and answers the same either way.
    The email goes through the outbox: sent at once, retried while the mail server is down,
    never after the link expires (``PASSWORD_RESET_TIMEOUT``), its content erased once sent.
    """

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the reset email as Django would have sent it; log a failure, never raise."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string(email_template_name, context), from_email, [to_email]
        )
        if html_email_template_name is not None:
            message.attach_alternative(
                render_to_string(html_email_template_name, context), "text/html"
            )
        try:
            email_queue(
                message=message,
                kind="accounts.password_reset",
                expires_at=timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
                secret=True,
                # The token depends on nothing uncommitted: no need to wait for a commit.
                after_commit=False,
            )
        except Exception:  # the same page either way; Django logs its own failures alike.
            logger.exception("user %s: password reset email not queued", context["user"].pk)


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app or, on the sign-in check, a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
        ),
        error_messages={"required": "Enter the code."},
    )

    def __init__(self, *args: Any, totp_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if totp_only:
            field = self.fields["code"]
            field.label = "6-digit code"
            field.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split())
