"""Input to the public content pages."""

from __future__ import annotations

from django import forms

SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    """The site search box: up to 200 characters, no control characters."""

    q = forms.CharField(
        label="Search articles and FAQ",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": "Please use at most %(limit_value)d characters (you used %(show_value)d)."
        },
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"]
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise forms.ValidationError("Please remove the control characters from your search.")
        return value
