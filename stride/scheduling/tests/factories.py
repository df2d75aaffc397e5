"""factory_boy factories for the scheduling app's models."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import factory
from factory.django import DjangoModelFactory

from stride.accounts.models import Role, User
from stride.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Location,
    Therapist,
    TimeOff,
    WorkingHours,
    manage_token_hash,
)

NEW_YORK = "America/New_York"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Ient{n}")
    role = Role.PATIENT
    password = factory.django.Password("correct-horse-battery-staple")


class StaffUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@stridept.example")
    role = Role.FRONT_DESK
    is_staff = True


class LocationFactory(DjangoModelFactory[Location]):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    street_address = "1 Main Street"
    locality = "Brooklyn"
    region = "NY"
    postal_code = "11201"
    phone = "(718) 555-0100"
    email = "clinic@example.com"
    timezone = NEW_YORK


class BookingRulesFactory(DjangoModelFactory[BookingRules]):
    class Meta:
        model = BookingRules

    location = factory.SubFactory(LocationFactory)


class AppointmentTypeFactory(DjangoModelFactory[AppointmentType]):
    class Meta:
        model = AppointmentType

    name = factory.Sequence(lambda n: f"Visit {n}")
    slug = factory.Sequence(lambda n: f"visit-{n}")
    duration_minutes = 60
    buffer_after_minutes = 0
    new_patients = True
    bookable_online = True


def _types_add(therapist: Therapist, create: bool, extracted: Any, **kwargs: Any) -> None:
    if create and extracted:
        therapist.appointment_types.add(*extracted)


def _hours_add(therapist: Therapist, create: bool, extracted: Any, **kwargs: Any) -> None:
    if not create or extracted is False:
        return
    periods = extracted or [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(17))]
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in periods
    )


class TherapistFactory(DjangoModelFactory[Therapist]):
    """A public therapist working Mon-Fri 09:00-12:00 and 13:00-17:00, offering ``types``."""

    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory,
        email=factory.Sequence(lambda n: f"therapist{n}@stridept.example"),
        role=Role.THERAPIST,
        is_staff=True,
    )
    slug = factory.Sequence(lambda n: f"therapist-{n}")
    display_name = factory.Sequence(lambda n: f"Dr. Therapist {n}")
    credentials = "PT, DPT"
    location = factory.SubFactory(LocationFactory)

    types = factory.PostGeneration(_types_add)
    hours = factory.PostGeneration(_hours_add)


class TimeOffFactory(DjangoModelFactory[TimeOff]):
    class Meta:
        model = TimeOff

    therapist = factory.SubFactory(TherapistFactory)
    start = dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC)
    end = dt.datetime(2026, 12, 7, 18, tzinfo=dt.UTC)


class ClinicClosureFactory(DjangoModelFactory[ClinicClosure]):
    class Meta:
        model = ClinicClosure

    location = factory.SubFactory(LocationFactory)
    date = dt.date(2026, 11, 26)
    name = "Thanksgiving"


class InsurancePlanFactory(DjangoModelFactory[InsurancePlan]):
    class Meta:
        model = InsurancePlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")


class AppointmentFactory(DjangoModelFactory[Appointment]):
    """An appointment saved directly, bypassing the booking service (and its checks)."""

    class Meta:
        model = Appointment

    therapist = factory.SubFactory(TherapistFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    location = factory.SelfAttribute("therapist.location")
    patient = factory.SubFactory(UserFactory)
    start = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)
    end = factory.LazyAttribute(lambda o: o.start + o.appointment_type.duration)
    buffer_end = factory.LazyAttribute(lambda o: o.end + o.appointment_type.buffer_after)
    status = AppointmentStatus.CONFIRMED
    manage_token_hash = factory.LazyFunction(lambda: manage_token_hash(secrets.token_urlsafe(32)))
