"""Forms for signing in, resetting a password and confirming a sign-in with a code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm


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
