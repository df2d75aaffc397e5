"""Forms of the staff pages; local dates and times are read in the therapist's location zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from stride.accounts.models import Role
from stride.contact.validators import validate_phone_characters, validate_phone_digits

from .models import AppointmentType, Therapist, TimeOffKind
from .selectors_staff import patient_find_by_email

VIEWS = (("day", "Day"), ("week", "Week"))


class NonexistentLocalTime(ValueError):
    """A wall-clock time the zone skips (the hour clocks spring forward)."""


def local_to_aware(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Return the naive local ``value`` as an aware time in ``tz``.

    An ambiguous time (the repeated hour when clocks fall back) is read as the first of the
    two; a time the zone skips raises NonexistentLocalTime.
    """
    aware = value.replace(tzinfo=tz, fold=0)
    if aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != value.replace(fold=0):
        raise NonexistentLocalTime(value)
    return aware


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input kept naive: its zone is the therapist's, known only in clean()."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed.tzinfo is not None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Therapist) -> str:
        return f"{obj.display_name} ({obj.location.name})"


class CalendarQueryForm(forms.Form):
    """The calendar's query string; unknown ids are checked against the loaded lists."""

    view = forms.ChoiceField(choices=VIEWS, required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    therapist = forms.IntegerField(required=False, min_value=1)
    location = forms.IntegerField(required=False, min_value=1)


def _today_or_later(day: dt.date, tz: zoneinfo.ZoneInfo, now: dt.datetime | None) -> bool:
    now = now if now is not None else timezone.now()
    return day >= now.astimezone(tz).date()


def _zone_help(field: forms.Field, therapists: QuerySet[Therapist]) -> None:
    """Name the time zone in the help text when every therapist offered shares one."""
    zones = {t.location.timezone for t in therapists}
    if len(zones) == 1:
        field.help_text = f"In the clinic's time zone ({zones.pop()})."


def _start_clean(form: forms.Form, now: dt.datetime | None) -> None:
    """Read ``date`` and ``time`` in the chosen therapist's zone into ``cleaned_data["start"]``."""
    therapist = form.cleaned_data.get("therapist")
    day, clock = form.cleaned_data.get("date"), form.cleaned_data.get("time")
    if therapist is None or day is None or clock is None:
        return
    tz = therapist.location.tzinfo
    try:
        start = local_to_aware(dt.datetime.combine(day, clock), tz)
    except NonexistentLocalTime:
        form.add_error(
            "time", f"{clock:%H:%M} does not exist on that day in {tz.key} (clocks go forward)."
        )
        return
    if not _today_or_later(day, tz, now):
        form.add_error("date", "Choose today or a later date.")
        return
    form.cleaned_data["start"] = start


class StaffBookingForm(forms.Form):
    """Book a visit for a patient, existing (found by email) or new."""

    therapist = TherapistChoiceField(queryset=Therapist.objects.none())
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.all(), label="Visit type"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="In the therapist's clinic time zone.",
    )
    email = forms.EmailField(
        label="Patient's email",
        help_text="A returning patient is found by email; their details are kept as they are.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label="Patient's full name",
        max_length=150,
        required=False,
        help_text="Needed for a new patient.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Patient's phone",
        max_length=30,
        required=False,
        # The same rules as the patient's own booking form and the API.
        validators=[validate_phone_characters, validate_phone_digits],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label="Patient's date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: Any, therapists: QuerySet[Therapist], now: dt.datetime | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.now = now
        field = cast(forms.ModelChoiceField, self.fields["therapist"])
        field.queryset = therapists
        if len(therapists) == 1:
            field.initial = therapists[0].pk
        _zone_help(self.fields["time"], therapists)

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _start_clean(self, self.now)
        email = cleaned.get("email")
        if email:
            existing = patient_find_by_email(email=email)
            cleaned["existing_patient"] = existing
            if existing is not None and existing.role != Role.PATIENT:
                self.add_error(
                    "email", "This email belongs to a staff account; use the patient's own."
                )
            elif existing is None and not " ".join(cleaned.get("name", "").split()):
                self.add_error("name", "Enter the patient's name: no patient has this email yet.")
        return cleaned


class AppointmentMoveForm(forms.Form):
    """Move a visit to another time, and optionally to another therapist."""

    therapist = TherapistChoiceField(queryset=Therapist.objects.none())
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="In the therapist's clinic time zone.",
    )

    def __init__(
        self, *args: Any, therapists: QuerySet[Therapist], now: dt.datetime | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.now = now
        field = cast(forms.ModelChoiceField, self.fields["therapist"])
        field.queryset = therapists
        _zone_help(self.fields["time"], therapists)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _start_clean(self, self.now)
        return cleaned


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, statuses: tuple[str, ...], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [(s, s) for s in statuses]


class TimeOffForm(forms.Form):
    """Time off from one local date and time to another, in the therapist's zone."""

    therapist = TherapistChoiceField(queryset=Therapist.objects.none())
    start = LocalDateTimeField(label="From", help_text="Local date and time.")
    end = LocalDateTimeField(label="Until", help_text="Local date and time.")
    kind = forms.ChoiceField(choices=TimeOffKind.choices, initial=TimeOffKind.VACATION)
    note = forms.CharField(
        max_length=200,
        required=False,
        help_text="Seen only by you, the front desk and clinic admins.",
    )

    def __init__(self, *args: Any, therapists: QuerySet[Therapist], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField, self.fields["therapist"])
        field.queryset = therapists
        if len(therapists) == 1:
            field.initial = therapists[0].pk
        for name in ("start", "end"):
            _zone_help(self.fields[name], therapists)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        therapist, start, end = cleaned.get("therapist"), cleaned.get("start"), cleaned.get("end")
        if therapist is None or start is None or end is None:
            return cleaned
        tz = therapist.location.tzinfo
        for name, value in (("start", start), ("end", end)):
            try:
                cleaned[name] = local_to_aware(value, tz)
            except NonexistentLocalTime:
                self.add_error(
                    name,
                    f"{value:%H:%M} does not exist on that day in {tz.key} (clocks go forward).",
                )
                return cleaned
        if cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "Time off must end after it starts.")
        return cleaned
