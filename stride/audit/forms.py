"""The audit log page's filters, read from its query string."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import AuditAction


class AuditFilterForm(forms.Form):
    """Filter events by local date range, action, and actor or patient email."""

    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    actor = forms.CharField(
        label="Who", max_length=254, required=False, help_text="Part of their email address."
    )
    patient = forms.CharField(
        label="Patient", max_length=254, required=False, help_text="Part of their email address."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def used(self) -> dict[str, str]:
        """Return the filters given, as text (for links and for the export's own audit event)."""
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and str(value).strip()
        }
