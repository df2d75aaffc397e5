"""Forms of the patient's pages: a session log, a pain log, a PSFS check-in and reminders.

The forms parse what the browser sends; the services in services/logs.py decide what may be
logged (dates, the program's state, the PSFS rules), and ``service_errors_show`` puts their
refusals next to the fields they concern.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateformat import time_format

from stride.scheduling.forms import RED_FLAG_WORDING, DateInput, MultiLineField
from stride.scheduling.models import RedFlag

from .models import Completion, ProgramItem, PsfsActivity
from .services.logs import BACKDATE_LIMIT, PSFS_MAX

NOTE_MAX_LENGTH = 2000
SCALE_ERROR = "Choose a number from 0 to 10."
NPRS_HELP = "0 = no pain, 10 = worst pain imaginable."
PSFS_HELP = "0 = unable to do it, 10 = able to do it as well as before your problem."
# Every red flag of CLINICAL.md §1 in the booking flow's plain words, emergency signs first.
SYMPTOM_CHOICES = [(flag.value, RED_FLAG_WORDING[flag]) for flag in RedFlag]
EXERCISE_PREFIX = "exercise-"
_EXERCISE_KEY = re.compile(rf"\A{EXERCISE_PREFIX}(.*)\Z")
COMPLETION_CHOICES = [
    (Completion.DONE.value, "I did all of it"),
    (Completion.PARTLY.value, "I did part of it"),
    (Completion.SKIPPED.value, "I skipped it"),
]
ITEM_CHOICES = [
    (Completion.DONE.value, "Done"),
    (Completion.PARTLY.value, "Partly"),
    (Completion.SKIPPED.value, "Skipped"),
]


def _scale_field(label: str, *, required: bool, help_text: str = NPRS_HELP) -> forms.Field:
    """Return a 0-10 scale as radio buttons; an optional one starts with "No answer"."""
    choices: list[tuple[Any, str]] = [(n, str(n)) for n in range(11)]
    if not required:
        choices = [("", "No answer"), *choices]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
        initial="" if not required else None,
        error_messages={"required": SCALE_ERROR, "invalid_choice": SCALE_ERROR},
    )


def _date_field() -> forms.DateField:
    return forms.DateField(
        label="Date",
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        widget=DateInput(format="%Y-%m-%d"),
        help_text=f"Today, or up to {BACKDATE_LIMIT.days} days back.",
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter the date as month/day/year, for example 03/27/2026.",
        },
    )


class _LogForm(forms.Form):
    """What the session and pain logs share: the date, a note and red-flag symptoms."""

    on = _date_field()
    note = MultiLineField(
        label="Anything to tell your therapist?",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your therapist reads it; they do not reply here.",
        error_messages={
            "max_length": "Shorten this to %(limit_value)d characters or fewer "
            "(it has %(show_value)d)."
        },
    )
    symptoms = forms.MultipleChoiceField(
        label="Since your last log, have you had any of these?",
        choices=SYMPTOM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Most people tick none.",
        error_messages={"invalid_choice": "Choose only the signs listed."},
    )

    def __init__(self, *args: Any, today: dt.date, earliest: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = today
        # Hints for the browser's date picker; the services decide what is accepted.
        self.fields["on"].widget.attrs.update(
            {"min": earliest.isoformat(), "max": today.isoformat()}
        )

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        if not dt.date(2000, 1, 1) <= on <= dt.date(2999, 12, 31):
            raise forms.ValidationError("Check the year of the date.")
        return on


class SessionLogForm(_LogForm):
    """One exercise session: how it went as a whole, or exercise by exercise, and the pain."""

    completion = forms.ChoiceField(
        label="How did the session go?",
        choices=COMPLETION_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the answers listed."},
    )
    pain_now = _scale_field("How bad is your pain now?", required=True)
    pain_during = _scale_field("How bad was your pain during the exercises?", required=False)

    field_order = ["on", "completion", "pain_now", "pain_during", "note", "symptoms"]

    def __init__(self, *args: Any, items: Sequence[ProgramItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[self.item_field_name(item)] = forms.ChoiceField(
                label=item.exercise.name,
                choices=ITEM_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose done, partly or skipped."},
            )

    @staticmethod
    def item_field_name(item: ProgramItem) -> str:
        return f"{EXERCISE_PREFIX}{item.pk}"

    def item_fields(self) -> list[forms.BoundField]:
        return [self[self.item_field_name(item)] for item in self.items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        known = {self.item_field_name(item) for item in self.items}
        if any(_EXERCISE_KEY.match(key) and key not in known for key in self.data):
            # A form from before the program changed, or an exercise of someone else's.
            raise forms.ValidationError(
                "The exercises in your program have changed since this form was opened. "
                "Please fill it in again."
            )
        answered = any(cleaned.get(self.item_field_name(item)) for item in self.items)
        if not cleaned.get("completion") and not answered and "completion" not in self.errors:
            # The service says the same; saying it here shows it with the other problems.
            self.add_error("completion", "Say whether you did the session.")
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of ``session_log_create`` (after ``is_valid``)."""
        data = self.cleaned_data
        exercises = {
            item.pk: data[name]
            for item in self.items
            if data.get(name := self.item_field_name(item))
        }
        return {
            "on": data["on"],
            "completion": data["completion"] or None,
            "exercises": exercises,
            "pain_now": data["pain_now"],
            "pain_during": data["pain_during"],
            "note": data["note"],
            "symptoms": data["symptoms"],
        }


class PainLogForm(_LogForm):
    """The usual pain on a day without exercise (CLINICAL.md §2, NPRS)."""

    nprs = _scale_field("How bad is your pain now?", required=True)

    field_order = ["on", "nprs", "note", "symptoms"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "on": data["on"],
            "nprs": data["nprs"],
            "note": data["note"],
            "symptoms": data["symptoms"],
        }


def _rating_field(label: str, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        required=required,
        # The page explains the scale once, in #rating-help.
        widget=forms.NumberInput(
            attrs={
                "inputmode": "numeric",
                "class": "rating-input",
                "aria-describedby": "rating-help",
            }
        ),
        error_messages={
            "required": "Rate this activity from 0 to 10.",
            "invalid": "Rate this activity from 0 to 10.",
            "min_value": "Rate this activity from 0 to 10.",
            "max_value": "Rate this activity from 0 to 10.",
        },
    )


class PsfsFirstForm(forms.Form):
    """The first PSFS check-in (CLINICAL.md §2): name 3-5 hard activities and rate each."""

    ROWS = PSFS_MAX

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, self.ROWS + 1):
            self.fields[f"activity_{row}"] = forms.CharField(
                label=f"Activity {row}",
                max_length=120,
                required=False,
                error_messages={"max_length": "Keep each activity under 120 characters."},
            )
            self.fields[f"rating_{row}"] = _rating_field(
                f"How well can you do activity {row} now?", required=False
            )

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"activity_{row}"], self[f"rating_{row}"]) for row in range(1, self.ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for row in range(1, self.ROWS + 1):
            name = (cleaned.get(f"activity_{row}") or "").strip()
            rating = cleaned.get(f"rating_{row}")
            if name and rating is None and f"rating_{row}" not in self.errors:
                self.add_error(f"rating_{row}", "Rate this activity from 0 to 10.")
            if not name and rating is not None:
                self.add_error(f"activity_{row}", "Name the activity, or clear its rating.")
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        pairs = [
            (name, self.cleaned_data[f"rating_{row}"])
            for row in range(1, self.ROWS + 1)
            if (name := self.cleaned_data[f"activity_{row}"].strip())
        ]
        return {"activities": [n for n, _ in pairs], "ratings": [r for _, r in pairs]}


class PsfsRatingForm(forms.Form):
    """A later PSFS check-in: the same activities, rated again."""

    def __init__(self, *args: Any, activities: Iterable[PsfsActivity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"rating_{activity.position}"] = _rating_field(activity.name, required=True)

    def service_arguments(self) -> dict[str, Any]:
        return {
            "ratings": [self.cleaned_data[f"rating_{a.position}"] for a in self.activities],
        }


def _reminder_times() -> list[dt.time]:
    return [dt.time(hour, minute) for hour in range(6, 23) for minute in (0, 30)][:-1]


class ReminderForm(forms.Form):
    """A daily exercise reminder at a local time, or none."""

    at = forms.TypedChoiceField(
        label="Send me a reminder each day at",
        required=False,
        coerce=dt.time.fromisoformat,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the times listed."},
    )

    def __init__(
        self, *args: Any, current: dt.time | None = None, zone: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        times = _reminder_times()
        if current is not None and current not in times:
            times = sorted([*times, current])  # a time set elsewhere stays selectable
        field = cast(forms.TypedChoiceField, self.fields["at"])
        field.choices = [
            ("", "No reminders"),
            *((t.strftime("%H:%M"), time_format(t, "g:i A")) for t in times),
        ]
        field.initial = current.strftime("%H:%M") if current is not None else ""
        field.help_text = f"Times are in {zone}." if zone else ""


def service_errors_show(
    form: forms.Form, error: ValidationError, aliases: Mapping[str, str | None] | None = None
) -> None:
    """Put a service's refusal on ``form``: each message by its field, others at the top.

    ``aliases`` maps a service's field name to the form's (None for the top of the form).
    """
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        target = aliases.get(name, name)
        if target is not None and target not in form.fields:
            target = None
        for each in errors:
            form.add_error(target, each.messages)
