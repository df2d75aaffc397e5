"""Forms of the public booking flow: the visit, the therapist, and the patient's details.

The flow carries its choices (visit type, therapist, start) in the querystring and in hidden
fields; every form here re-validates them, so nothing a browser sends back is trusted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from stride.contact.validators import (
    validate_phone_characters,
    validate_phone_digits,
    validate_single_line,
)

from .models import EMERGENCY_RED_FLAGS, AppointmentType, RedFlag, Therapist
from .selectors import appointment_type_list_online, insurance_plan_list_active

ANY_THERAPIST = "any"
# Dates outside these bounds are refused as input, so no date arithmetic downstream overflows.
EARLIEST_START = dt.date(2000, 1, 1)
LATEST_START = dt.date(2999, 12, 31)
NAME_MAX_LENGTH = 120
PHONE_MAX_LENGTH = 30
REASON_MAX_LENGTH = 1000

# CLINICAL.md §1, in the patient's words; the codes are RedFlag's.
RED_FLAG_WORDING = {
    RedFlag.BOTH_LEGS: (
        "Numbness, tingling or weakness in both legs, or weakness in a leg that is getting worse"
    ),
    RedFlag.SADDLE_NUMBNESS: "Numbness around your genitals, buttocks or inner thighs",
    RedFlag.BLADDER_BOWEL: (
        "New difficulty passing urine, or losing control of your bladder or bowels"
    ),
    RedFlag.SEXUAL_DYSFUNCTION: "New problems with sexual function, together with back pain",
    RedFlag.MAJOR_TRAUMA: "Back pain that started after a serious accident or fall",
    RedFlag.CHEST_PAIN: "Chest pain",
    RedFlag.FEVER: "A fever, or feeling hot and shivery, with back pain",
    RedFlag.WEIGHT_LOSS: "Weight loss you cannot explain",
    RedFlag.LUMP: "A lump or swelling in your back, or a change in its shape",
    RedFlag.NIGHT_PAIN: "Pain that does not ease when you rest, or is worse at night",
    RedFlag.RISK_HISTORY: (
        "New back pain and a history of cancer, a weakened immune system, or injecting drugs"
    ),
    RedFlag.MINOR_FALL_FRAGILE: (
        "A minor fall or injury, and you have osteoporosis or take steroids long term"
    ),
}
EMERGENCY_CHOICES = [(f.value, RED_FLAG_WORDING[f]) for f in RedFlag if f in EMERGENCY_RED_FLAGS]
URGENT_CHOICES = [(f.value, RED_FLAG_WORDING[f]) for f in RedFlag if f not in EMERGENCY_RED_FLAGS]

# The form hands this out once per render; a resubmission carries it back (see BookingDetailsForm).
validate_idempotency_key = RegexValidator(
    r"\A[0-9a-f]{32}\Z", "This form has expired. Please check your details and send it again."
)


def start_parse(value: Any) -> dt.datetime | None:
    """Return the aware datetime an ISO 8601 ``start`` names, or None when it is not one."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        start = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if start.tzinfo is None or start.utcoffset() is None:
        return None
    if not EARLIEST_START <= start.date() <= LATEST_START:
        return None
    return start


def start_format(value: dt.datetime, tz: dt.tzinfo) -> str:
    """Return ``value`` as the flow carries it: ISO 8601 in the location's zone, to the minute."""
    return value.astimezone(tz).isoformat(timespec="minutes")


class StartField(forms.CharField):
    """An appointment start as ISO 8601 with its UTC offset; cleaned to an aware datetime."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("error_messages", {"required": "Choose a time."})
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.datetime:
        text = super().clean(value)
        start = start_parse(text)
        if start is None:
            raise forms.ValidationError(
                "Appointments start on the times shown; please pick one of them.", code="invalid"
            )
        return start


class AppointmentTypeForm(forms.Form):
    """Step 1: the kind of visit."""

    type = forms.ModelChoiceField(
        label="Which visit would you like?",
        queryset=appointment_type_list_online(),
        to_field_name="slug",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of visit.",
            "invalid_choice": "Choose one of the visits listed.",
        },
    )


class TherapistForm(forms.Form):
    """Step 2: a therapist who offers the visit, or any of them."""

    therapist = forms.ChoiceField(
        label="Who would you like to see?",
        widget=forms.RadioSelect,
        initial=ANY_THERAPIST,
        error_messages={
            "required": "Choose a therapist, or any therapist.",
            "invalid_choice": "Choose one of the therapists listed.",
        },
    )

    def __init__(self, *args: Any, therapists: list[Therapist], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.therapists = {t.slug: t for t in therapists}
        field = cast(forms.ChoiceField, self.fields["therapist"])
        field.choices = [(ANY_THERAPIST, "Any therapist")] + [
            (t.slug, f"{t.display_name}, {t.credentials}") for t in therapists
        ]

    def chosen(self) -> Therapist | None:
        """Return the chosen therapist, or None for any therapist (after ``is_valid``)."""
        return self.therapists.get(self.cleaned_data["therapist"])


class MultiLineField(forms.CharField):
    """A text field whose line breaks count as one character, as the browser counts them."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class TelInput(forms.TextInput):
    input_type = "tel"


class DateInput(forms.DateInput):
    input_type = "date"


class BookingDetailsForm(forms.Form):
    """Step 4: who is coming, the screening questions and the cancellation policy.

    ``type``, ``therapist`` and ``start`` come back from hidden fields (or, after a clash, from
    the fresh times offered as radio buttons) and are checked again by the view and the
    booking service. ``idempotency_key`` is generated when the form is first shown, so a
    double-clicked submit books once.
    """

    type = forms.SlugField(widget=forms.HiddenInput, max_length=50)
    therapist = forms.SlugField(widget=forms.HiddenInput, max_length=50)
    start = StartField()
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=32, validators=[validate_idempotency_key]
    )
    urgent_acknowledged = forms.BooleanField(required=False, widget=forms.HiddenInput)

    name = forms.CharField(
        label="Full name",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name."},
    )
    email = forms.EmailField(
        label="Email address",
        validators=[validate_single_line],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text="We send your confirmation and a link to change or cancel the visit here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=PHONE_MAX_LENGTH,
        validators=[validate_phone_characters, validate_phone_digits],
        widget=TelInput(attrs={"autocomplete": "tel"}),
        help_text="In case we need to reach you about the visit.",
        error_messages={"required": "Enter a phone number we can call."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        widget=DateInput(attrs={"autocomplete": "bday"}, format="%Y-%m-%d"),
        help_text="For example, 03/27/1980. It helps us find your records.",
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter your date of birth as month/day/year, for example 03/27/1980.",
        },
    )
    reason = MultiLineField(
        label="What would you like help with?",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"A sentence or two is plenty (up to {REASON_MAX_LENGTH:,} characters); your "
            "therapist will go through it with you."
        ),
        error_messages={
            "max_length": (
                "Shorten this to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    insurance_plan = forms.ModelChoiceField(
        label="Insurance plan",
        queryset=insurance_plan_list_active(),
        to_field_name="slug",
        required=False,
        help_text="Some plans need a referral from your doctor; we will tell you if yours does.",
        error_messages={"invalid_choice": "Choose one of the plans listed."},
    )
    has_referral = forms.BooleanField(
        label="I have a referral from my doctor for physical therapy", required=False
    )
    emergency_flags = forms.MultipleChoiceField(
        label="Signs that need emergency care",
        choices=EMERGENCY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent_flags = forms.MultipleChoiceField(
        label="Signs that need a doctor soon",
        choices=URGENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        error_messages={"required": "Tick the box to agree to the cancellation policy."},
    )

    def __init__(self, *args: Any, cancellation_window_hours: int = 24, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = cast(forms.ModelChoiceField, self.fields["insurance_plan"])
        has_self_pay = any(p.slug == "self-pay" for p in plan.queryset or ())
        plan.empty_label = "None, or not sure" if has_self_pay else "Self-pay (no insurance)"
        self.fields[
            "consent"
        ].label = f"I agree to the clinic's {cancellation_window_hours}-hour cancellation policy"
        self.fields["consent"].help_text = (
            f"If you cannot come, please cancel or reschedule at least "
            f"{cancellation_window_hours} hours before your visit."
        )

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born < dt.date(1900, 1, 1):
            raise forms.ValidationError("Check the year of your date of birth.")
        return born

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        return " ".join(self.cleaned_data["phone"].split())

    def has_emergency(self) -> bool:
        """Return whether an emergency sign was ticked (CLINICAL.md §1: no booking online).

        Reads the submitted codes directly, so an emergency answer is honoured even when other
        fields are still wrong.
        """
        value = self.data.get(self.add_prefix("emergency_flags"), [])
        getlist = getattr(self.data, "getlist", None)
        ticked = set(getlist(self.add_prefix("emergency_flags")) if getlist else value)
        return bool(ticked & {str(flag) for flag in EMERGENCY_RED_FLAGS})

    def red_flags(self) -> list[str]:
        """Return every sign ticked, as RedFlag codes (after ``is_valid``)."""
        return [*self.cleaned_data["emergency_flags"], *self.cleaned_data["urgent_flags"]]

    def needs_urgent_notice(self) -> bool:
        """Return whether to show the urgent-care advice before booking (after ``is_valid``)."""
        return bool(self.cleaned_data["urgent_flags"]) and not self.cleaned_data.get(
            "urgent_acknowledged"
        )


def appointment_type_label(appointment_type: AppointmentType) -> str:
    """Return "Initial evaluation (60 minutes)"."""
    return f"{appointment_type.name} ({appointment_type.duration_minutes} minutes)"
