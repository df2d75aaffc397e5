"""The clinic's places, people and calendar: locations, therapists, their hours and appointments."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from stride.core.models import TimeStampedModel


def validate_timezone(value: str) -> None:
    """Reject names that are not IANA time zones."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


class Location(TimeStampedModel):
    """A clinic site patients visit; its time zone governs every time shown for it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    street_address = models.CharField(max_length=200)
    locality = models.CharField("city", max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 country code.")
    phone = models.CharField(max_length=30)
    email = models.EmailField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    is_primary = models.BooleanField(
        default=False, help_text="The location whose details the public site shows."
    )

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_primary"],
                condition=models.Q(is_primary=True),
                name="location_single_primary",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def address_line(self) -> str:
        parts = [self.street_address, self.locality, f"{self.region} {self.postal_code}".strip()]
        return ", ".join(p for p in parts if p)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """When a location's doors are open on one weekday (local time)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Therapist(TimeStampedModel):
    """A clinician's public profile, linked to the staff user who signs in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist"
    )
    slug = models.SlugField(unique=True)
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=120, help_text="e.g. PT, DPT, OCS")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="therapists/", blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="therapists")
    is_public = models.BooleanField(default=True, help_text="Shown on the public site.")
    appointment_types: models.ManyToManyField[AppointmentType, Any] = models.ManyToManyField(
        "AppointmentType", blank=True, related_name="therapists", help_text="The visits they offer."
    )
    # SHA-256 of the secret in the therapist's private calendar feed URL; null when no feed.
    calendar_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"


# --- Booking -----------------------------------------------------------------------------------

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb, e.g. #2a7f62.")


# The longest a visit and its buffer may last (AppointmentType's constraint): availability reads
# only appointments that start at most this long before a range.
MAX_VISIT_SPAN = dt.timedelta(hours=24)


class AppointmentType(models.Model):
    """A kind of visit the clinic offers, e.g. an initial evaluation or a follow-up."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Time the therapist keeps free after the visit (notes, cleaning)."
    )
    colour = models.CharField(max_length=7, default="#2a7f62", validators=[HEX_COLOUR])
    new_patients = models.BooleanField(
        default=False, help_text="Whether new patients may book it (an initial evaluation)."
    )
    bookable_online = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0),
                name="appointment_type_duration_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_after_minutes__gte=0),
                name="appointment_type_buffer_not_negative",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    models.F("duration_minutes") + models.F("buffer_after_minutes"),
                    MAX_VISIT_SPAN // dt.timedelta(minutes=1),
                ),
                name="appointment_type_span_at_most_a_day",
                violation_error_message="A visit and its buffer last at most 24 hours.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def buffer_after(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_after_minutes)


class WorkingHours(models.Model):
    """One period a therapist works on one weekday (local time); a break is a gap between rows."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["therapist", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="working_hours_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["therapist", "weekday", "start"], name="working_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is None or self.end is None or self.therapist_id is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": "The period must end after it starts."})
        overlapping = (
            WorkingHours.objects.filter(
                therapist_id=self.therapist_id,
                weekday=self.weekday,
                start__lt=self.end,
                end__gt=self.start,
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError(f"This period overlaps {overlapping}.")


class TimeOffKind(models.TextChoices):
    VACATION = "vacation", "Vacation"
    SICK = "sick", "Sick leave"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class TimeOff(TimeStampedModel):
    """A stretch of time a therapist is away and takes no appointments."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=TimeOffKind.choices, default=TimeOffKind.OTHER)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="time_off_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["therapist", "start"], name="time_off_therapist_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.start:%Y-%m-%d %H:%M}-{self.end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": "Time off must end after it starts."})


class ClinicClosure(models.Model):
    """A whole day a location is closed, such as a public holiday (the location's local date)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    name = models.CharField(max_length=100, help_text="e.g. Thanksgiving")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["location", "date"], name="clinic_closure_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class BookingRules(models.Model):
    """How far ahead, how late and on which grid a location's patients may book and cancel.

    A location without a row uses the field defaults (see ``booking_rules_get``).
    """

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="booking_rules"
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=120, help_text="How long before a visit online booking closes."
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=60, help_text="How many days ahead patients may book."
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Visits start on this grid, counted from the start of each period."
    )
    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Patients cancel or reschedule online up to this long before a visit."
    )

    class Meta:
        verbose_name_plural = "booking rules"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1), name="booking_rules_horizon_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_step_minutes__gte=5, slot_step_minutes__lte=240),
                name="booking_rules_step_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking rules for {self.location}"

    @property
    def cancellation_window(self) -> dt.timedelta:
        return dt.timedelta(hours=self.cancellation_window_hours)


class InsurancePlan(models.Model):
    """A payer the clinic accepts; some require a physician's referral (CLINICAL.md §6)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    referral_required = models.BooleanField(
        default=False, help_text="Patients must bring a physician's referral (e.g. HMO, Medicare)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppointmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    LATE_CANCELLED = "late_cancelled", "Late cancellation"


# These statuses hold the therapist's time; the overlap guard in migration 0003 lists the same
# values in SQL, so change both together.
ACTIVE_STATUSES = frozenset(
    {
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.COMPLETED,
        AppointmentStatus.NO_SHOW,
    }
)
# The name of the PostgreSQL exclusion constraint and the message of the SQLite triggers.
OVERLAP_GUARD = "appointment_no_overlap"


class RedFlag(models.TextChoices):
    """Screening answers at booking (CLINICAL.md §1); emergency ones mean no booking online."""

    BOTH_LEGS = "both_legs", "Numbness, tingling or weakness in both legs, or worsening weakness"
    SADDLE_NUMBNESS = "saddle_numbness", "Numbness around the genitals, buttocks or inner thighs"
    BLADDER_BOWEL = "bladder_bowel", "New trouble passing urine or controlling bladder or bowels"
    SEXUAL_DYSFUNCTION = "sexual_dysfunction", "New sexual dysfunction with back pain"
    MAJOR_TRAUMA = "major_trauma", "Back pain after a serious accident or fall"
    CHEST_PAIN = "chest_pain", "Chest pain"
    FEVER = "fever", "Fever or feeling hot and shivery"
    WEIGHT_LOSS = "weight_loss", "Unexplained weight loss"
    LUMP = "lump", "A lump or swelling in the back, or a change in its shape"
    NIGHT_PAIN = "night_pain", "Pain that does not ease with rest, or is worse at night"
    RISK_HISTORY = "risk_history", "History of cancer, weakened immunity or injected drug use"
    MINOR_FALL_FRAGILE = "minor_fall_fragile", "Minor fall with osteoporosis or long-term steroids"


EMERGENCY_RED_FLAGS = frozenset(
    {
        RedFlag.BOTH_LEGS,
        RedFlag.SADDLE_NUMBNESS,
        RedFlag.BLADDER_BOWEL,
        RedFlag.SEXUAL_DYSFUNCTION,
        RedFlag.MAJOR_TRAUMA,
        RedFlag.CHEST_PAIN,
    }
)


def manage_token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a manage token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Appointment(TimeStampedModel):
    """A patient's visit with a therapist, stored in UTC.

    ``end`` is start plus the type's duration; ``buffer_end`` adds the type's buffer as it was at
    booking time, so later changes to the type never move booked visits. The database refuses two
    active appointments of one therapist whose [start, end) ranges overlap (migration 0003).

    ``manage_token_hash`` is the SHA-256 of a random token that lets a patient without an account
    cancel or reschedule; the token itself is shown once, on the instance ``appointment_book``
    returns (``manage_token``), and never stored.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    buffer_end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.CONFIRMED
    )
    reason = models.CharField(
        max_length=1000, blank=True, help_text="What the patient would like help with."
    )
    insurance_plan = models.ForeignKey(
        InsurancePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    has_referral = models.BooleanField(default=False)
    red_flags = models.JSONField(default=list, blank=True, help_text="RedFlag codes answered.")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments_booked",
        help_text="The staff member who booked on the patient's behalf.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # A reminder worker's claim on this row while it sends (services/reminders.py).
    reminder_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_claim_id = models.UUIDField(null=True, blank=True, editable=False)

    # Set only on the instance appointment_book returns for a new booking; never stored.
    manage_token: str | None = None

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_end__gte=models.F("end")),
                name="appointment_buffer_end_after_end",
            ),
            models.UniqueConstraint(
                fields=["patient", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="appointment_patient_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["therapist", "start"], name="appointment_therapist_start"),
            models.Index(fields=["patient", "start"], name="appointment_patient_start"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type.name} with {self.therapist.display_name}, {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("start", "end", "buffer_end"):
            value = getattr(self, name)
            if value is not None and timezone.is_naive(value):
                errors[name] = "Give a time with its time zone."
        if errors:
            raise ValidationError(errors)
        if self.start is not None and self.end is not None and self.end <= self.start:
            errors["end"] = "The appointment must end after it starts."
        if self.end is not None and self.buffer_end is not None and self.buffer_end < self.end:
            errors["buffer_end"] = "The buffer cannot end before the appointment."
        flags = self.red_flags
        if not isinstance(flags, list) or not all(f in RedFlag.values for f in flags):
            errors["red_flags"] = "Red flags must be a list of known codes."
        if errors:
            raise ValidationError(errors)


class PatientCalendarFeed(models.Model):
    """A patient's private iCalendar feed of their own appointments; no row means no feed.

    ``token_hash`` is the SHA-256 of the secret in the feed's URL (``/calendar/<token>.ics``);
    the token itself is shown once, when issued, and never stored. Deleting the row revokes it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(help_text="When the current token was issued.")

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
