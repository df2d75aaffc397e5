"""The public contact form."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import (
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    MESSAGE_MIN_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    ContactMessage,
)
from .validators import validate_phone_characters, validate_phone_digits, validate_single_line

HONEYPOT_FIELD = "website"


class TelInput(forms.TextInput):
    input_type = "tel"


class MultiLineField(forms.CharField):
    """A text field whose line breaks count as one character, as the browser counts them."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class ContactForm(forms.Form):
    """A visitor's message; ``website`` is a honeypot that people never see or fill."""

    # The server's messages replace the browser's own validation bubbles (``novalidate``).
    name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        validators=[validate_single_line],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text="We only use it to answer you.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        validators=[validate_phone_characters, validate_phone_digits],
        widget=TelInput(attrs={"autocomplete": "tel"}),
        help_text="Optional, unless you would like us to call you.",
    )
    preferred_contact = forms.ChoiceField(
        label="How should we answer?",
        choices=ContactMessage.PreferredContact.choices,
        initial=ContactMessage.PreferredContact.EMAIL,
        required=False,
        widget=forms.RadioSelect,
    )
    message = MultiLineField(
        label="Your message",
        min_length=MESSAGE_MIN_LENGTH,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            f"Up to {MESSAGE_MAX_LENGTH:,} characters. Please keep medical details brief: "
            "your therapist will go through them with you."
        ),
        error_messages={
            "required": "Enter your message.",
            "min_length": "Tell us a little more (at least %(limit_value)d characters).",
            "max_length": (
                "Shorten your message to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def honeypot_filled(self) -> bool:
        """Return True when the hidden field that only bots fill has a value."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def clean_preferred_contact(self) -> str:
        return self.cleaned_data.get("preferred_contact") or ContactMessage.PreferredContact.EMAIL

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_call = cleaned.get("preferred_contact") == ContactMessage.PreferredContact.PHONE
        if wants_call and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone", "Enter a phone number so we can call you, or choose email instead."
            )
        return cleaned

    def message_fields(self) -> dict[str, str]:
        """Return the cleaned values a ContactMessage stores (the honeypot excluded)."""
        return {
            "name": self.cleaned_data["name"],
            "email": self.cleaned_data["email"],
            "phone": self.cleaned_data.get("phone", ""),
            "message": self.cleaned_data["message"],
            "preferred_contact": self.cleaned_data["preferred_contact"],
        }
