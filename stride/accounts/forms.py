"""Forms for signing in."""

from __future__ import annotations

from django import forms


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
