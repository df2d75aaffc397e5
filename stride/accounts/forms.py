"""Forms for signing in and resetting a password."""

from __future__ import annotations

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
