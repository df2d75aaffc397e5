"""Forms of the therapist's pages: the patient search and the program builder.

The builder is a plain form (title, dates, weekly sessions) and a formset of exercises that
works without JavaScript: rows are ordered by their position numbers, removed with a checkbox,
and added with an "Add an exercise" button that re-displays the form with one more empty row.
Each row checks its dose with the model's validation, so all rows' problems show at once; the
services still decide what a valid prescription is, and ``errors_apply`` puts what they say
next to the field or row it is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import BaseFormSet, formset_factory

from stride.scheduling.models import Therapist

from .models import DOSE_FIELDS, MAX_ITEMS, Exercise, ProgramItem, ProgramTemplate
from .services.programs import ItemInput

# Empty rows a new, empty program starts with (CLINICAL.md §4: 2-4 exercises work best).
EMPTY_ROWS = 3


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Name or email", required=False, max_length=100)
    attention = forms.BooleanField(label="Only patients needing attention", required=False)


class TemplateStartForm(forms.Form):
    """The template a new program starts from, by slug; empty to start from nothing."""

    template = forms.SlugField(required=False, max_length=120)


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Therapist) -> str:
        return f"{obj.display_name} ({obj.location.name})"


class ProgramForm(forms.Form):
    """What a program (or one new version of it) prescribes, apart from its exercises."""

    title = forms.CharField(
        max_length=120,
        help_text='What the patient sees, e.g. "Low back pain — early phase".',
    )
    therapist = TherapistChoiceField(
        queryset=Therapist.objects.none(), help_text="The therapist whose patient this is."
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    review_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When you plan to review the program with the patient.",
    )
    sessions_per_week = forms.IntegerField(
        min_value=1,
        max_value=14,
        help_text="Sessions the patient should log each week; adherence is measured against it.",
    )
    change_note = forms.CharField(
        label="What changed and why",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the program's history.",
    )
    template = forms.ModelChoiceField(
        queryset=ProgramTemplate.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self,
        *args: Any,
        therapists: Iterable[Therapist] | None = None,
        revising: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if therapists is None:
            # The signed-in therapist prescribes; no choice to make.
            del self.fields["therapist"]
        else:
            field = cast(forms.ModelChoiceField, self.fields["therapist"])
            field.queryset = Therapist.objects.filter(
                pk__in=[t.pk for t in therapists]
            ).select_related("location")
        if revising:
            del self.fields["title"], self.fields["template"]
            if "therapist" in self.fields:
                del self.fields["therapist"]
        else:
            del self.fields["change_note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, review = data.get("start_date"), data.get("review_date")
        if start and review and review < start:
            self.add_error("review_date", "The review date cannot be before the start date.")
        return data


def _dose_field(name: str) -> forms.IntegerField:
    """Return a form field with the model field's label and limits (e.g. reps 1 to 100)."""
    model_field = cast(models.Field, ProgramItem._meta.get_field(name))
    validators = model_field.validators
    label = {"hold_seconds": "Hold (s)", "times_per_day": "Times a day"}.get(
        name, str(model_field.verbose_name).capitalize()
    )
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=max(v.limit_value for v in validators if isinstance(v, MinValueValidator)),
        max_value=min(v.limit_value for v in validators if isinstance(v, MaxValueValidator)),
    )


class ExerciseChoiceField(forms.ChoiceField):
    """A choice among exercises loaded once for every row, so rows cost no query each."""

    def __init__(self, *, exercises: Mapping[int, Exercise], **kwargs: Any) -> None:
        self.exercises = exercises
        super().__init__(
            choices=[("", "Choose an exercise")] + [(pk, e.name) for pk, e in exercises.items()],
            **kwargs,
        )

    def clean(self, value: Any) -> Exercise | None:
        value = super().clean(value)
        return self.exercises[int(value)] if value else None

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and int(value) in self.exercises


class ProgramItemForm(forms.Form):
    """One exercise of the prescription with its dose."""

    position = forms.IntegerField(
        label="Order", min_value=1, max_value=99, required=False, widget=forms.NumberInput
    )
    sets = _dose_field("sets")
    reps = _dose_field("reps")
    hold_seconds = _dose_field("hold_seconds")
    minutes = _dose_field("minutes")
    times_per_day = _dose_field("times_per_day")
    days_per_week = _dose_field("days_per_week")
    per_side = forms.BooleanField(label="Each side", required=False)
    notes = forms.CharField(
        label="Notes to the patient",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, exercises: Mapping[int, Exercise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exercise"] = ExerciseChoiceField(
            exercises=exercises,
            error_messages={
                "required": "Choose the exercise, or tick Remove.",
                "invalid_choice": "Choose one of the exercises listed.",
            },
        )
        self.order_fields(["position", "exercise"])

    def clean(self) -> dict[str, Any]:
        """Check the dose with the model's own rules, so every row's problem shows at once."""
        data = super().clean() or {}
        if any(name in self.errors for name in DOSE_FIELDS):
            return data
        item = ProgramItem(
            per_side=bool(data.get("per_side")), **{name: data.get(name) for name in DOSE_FIELDS}
        )
        try:
            item.full_clean(exclude=["version", "exercise", "position", "notes"])
        except ValidationError as error:
            self.add_error(None, error.messages)
        return data

    def item(self) -> ItemInput:
        """Return the row as the service's input (after ``is_valid``)."""
        data = self.cleaned_data
        return ItemInput(
            exercise=data["exercise"],
            per_side=bool(data.get("per_side")),
            notes=data.get("notes", ""),
            **{name: data.get(name) for name in DOSE_FIELDS},
        )


class BaseItemFormSet(BaseFormSet):
    """Exercise rows; every row counts as extra, so a row left blank is simply ignored."""

    def initial_form_count(self) -> int:
        return 0

    def kept_forms(self) -> list[ProgramItemForm]:
        """Return the rows to prescribe, in the order of their numbers (after ``is_valid``).

        Rows left blank or ticked for removal are dropped; rows without a number come after the
        numbered ones, in the order shown.
        """
        kept = [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda pair: (pair[1].cleaned_data.get("position") or 100, pair[0]))
        return [cast(ProgramItemForm, form) for _, form in kept]

    def clean(self) -> None:
        if any(self.errors):
            return
        rows = self.kept_forms()
        if not rows:
            raise ValidationError("Add at least one exercise.")
        if len(rows) > MAX_ITEMS:
            raise ValidationError(f"A program holds at most {MAX_ITEMS} exercises; 2-4 work best.")


# Rows a form may carry: the most a program holds, plus a few blank or removed ones.
MAX_ROWS = MAX_ITEMS + 4


def item_formset(
    *,
    data: Mapping[str, Any] | None,
    exercises: Mapping[int, Exercise],
    initial: list[dict[str, Any]] | None = None,
    blank: int = 0,
) -> BaseItemFormSet:
    """Return the exercise rows, bound to ``data`` or showing ``initial`` plus ``blank`` rows."""
    initial = initial or []
    formset_class = formset_factory(
        ProgramItemForm,
        formset=BaseItemFormSet,
        extra=min(len(initial) + blank, MAX_ROWS),
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )
    return cast(
        BaseItemFormSet,
        formset_class(
            data=data, initial=initial, prefix="items", form_kwargs={"exercises": exercises}
        ),
    )


def formset_with_blank_row(
    *, data: Mapping[str, Any], exercises: Mapping[int, Exercise]
) -> BaseItemFormSet:
    """Return the submitted rows as they were, unbound, plus one blank row (no JavaScript)."""
    bound = item_formset(data=data, exercises=exercises)
    rows = [
        {name: form[name].value() for name in form.fields if name != "DELETE"}
        for form in bound.forms
        if form.has_changed() and not form["DELETE"].value()
    ]
    return item_formset(data=None, exercises=exercises, initial=rows, blank=1)


def item_initial(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Return formset initial rows for prescribed items (template or program version items)."""
    return [
        {
            "position": position,
            "exercise": item.exercise_id,
            "per_side": item.per_side,
            "notes": item.notes,
            **{name: getattr(item, name) for name in DOSE_FIELDS},
        }
        for position, item in enumerate(items, start=1)
    ]


def errors_apply(
    error: ValidationError, *, form: forms.Form, rows: list[ProgramItemForm]
) -> list[str]:
    """Show a service's ValidationError on the form: fields, exercise rows, or the whole list.

    ``rows`` are the forms in the order their items were given to the service, so the
    service's ``items.<n>`` (1-based) is ``rows[n - 1]``. Returns the messages about the list
    of exercises as a whole ("items").
    """
    items_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return items_errors
    for key, errors in error.error_dict.items():
        messages = [m for e in errors for m in e.messages]
        if key.startswith("items."):
            index = int(key.removeprefix("items.")) - 1
            if 0 <= index < len(rows):
                rows[index].add_error(None, messages)
            else:
                items_errors.extend(messages)
        elif key == "items":
            items_errors.extend(messages)
        elif key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, messages)
    return items_errors


def default_dates(today: dt.date, weeks: int = 4) -> dict[str, dt.date]:
    return {"start_date": today, "review_date": today + dt.timedelta(weeks=weeks)}
