"""The bench clinic's places and people: the demo clinic grown to three locations and ten therapists.

The demo loaders (``load_demo``) provide the first location, its three therapists, the visit
types, insurance plans, closures, the demo articles, FAQ and resources, and the exercise library
with its program templates. This module adds the other locations and therapists and gives every
therapist the same working week, so each therapist-day has the same capacity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import ModuleType

from django.utils.text import slugify

from stride.accounts.models import Role, User
from stride.programs.models import ProgramTemplate
from stride.scheduling import demo as scheduling_demo
from stride.scheduling.models import (
    AppointmentType,
    BookingRules,
    ClinicClosure,
    Location,
    OpeningHours,
    Therapist,
    Weekday,
    WorkingHours,
)

# Staff sign in by password and a second factor; the bench signs them in with prepared sessions
# (bench/sessions.py), so their passwords are unusable.
UNUSABLE_PASSWORD = "!bench-unusable-password"  # noqa: S105 (Django's unusable-password prefix "!")

# Monday to Friday, 08:00-12:00 and 13:00-18:00 local time: nine hours a day.
WORKING_PERIODS = ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(18)))
WORKING_DAYS = range(Weekday.MONDAY, Weekday.FRIDAY + 1)

EXTRA_LOCATIONS = [
    {
        "slug": "stride-manhattan",
        "name": "Stride Physical Therapy Manhattan",
        "street_address": "250 West 34th Street, Floor 6",
        "locality": "New York",
        "postal_code": "10119",
        "phone": "(212) 555-0176",
        "email": "manhattan@stridept.example",
    },
    {
        "slug": "stride-queens",
        "name": "Stride Physical Therapy Queens",
        "street_address": "37-10 Main Street",
        "locality": "Flushing",
        "postal_code": "11354",
        "phone": "(718) 555-0190",
        "email": "queens@stridept.example",
    },
]

# The seven therapists added to the demo's three (first name, last name, credentials).
EXTRA_THERAPISTS = [
    ("Priya", "Raman", "PT, DPT, OCS"),
    ("Marcus", "Bell", "PT, DPT"),
    ("Hannah", "Kowalski", "PT, DPT, SCS"),
    ("Jamal", "Reyes", "PT, DPT"),
    ("Elena", "Petrova", "PT, DPT, WCS"),
    ("Tomás", "Ibarra", "PT, DPT, CSCS"),
    ("Grace", "Whitfield", "PT, DPT, GCS"),
]


@dataclass(frozen=True)
class Clinic:
    locations: list[Location]
    therapists: list[Therapist]
    types: list[AppointmentType]
    templates: list[ProgramTemplate]


def _library_only(module: ModuleType) -> ModuleType:
    """Return the programs demo data without its demo patient (the bench makes its own)."""
    library = ModuleType("stride_bench_library")
    for name in ("REGIONS", "EQUIPMENT", "EXERCISES", "PROGRAM_TEMPLATES"):
        setattr(library, name, getattr(module, name, []))
    return library


def _location(row: dict[str, str], primary: Location) -> Location:
    values = {
        **row,
        "tagline": primary.tagline,
        "region": "NY",
        "country": "US",
        "timezone": primary.timezone,
        "is_primary": False,
    }
    location = Location(**values)
    location.full_clean()
    location.save()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            location=location, weekday=hours.weekday, opens=hours.opens, closes=hours.closes
        )
        for hours in primary.opening_hours.all()
    )
    BookingRules.objects.create(location=location, **scheduling_demo.BOOKING_RULES)
    ClinicClosure.objects.bulk_create(
        ClinicClosure(location=location, date=closure.date, name=closure.name)
        for closure in primary.closures.all()
    )
    return location


def _therapist(first: str, last: str, credentials: str, location: Location) -> Therapist:
    slug = slugify(f"{first} {last}")
    user = User.objects.create(
        email=f"{slug.replace('-', '.')}@stridept.example",
        first_name=first,
        last_name=last,
        role=Role.THERAPIST,
        is_staff=True,
        password=UNUSABLE_PASSWORD,
    )
    return Therapist.objects.create(
        user=user,
        slug=slug,
        display_name=f"{first} {last}",
        credentials=credentials,
        bio=f"{first} treats people with back, neck and joint pain at our {location.locality} clinic.",
        location=location,
    )


def clinic_build() -> Clinic:
    """Load the demo clinic, then add two locations, seven therapists and the bench's hours."""
    from stride.content import demo as content_demo
    from stride.programs import demo as programs_demo
    from stride.programs import demo_data as programs_demo_data

    primary = scheduling_demo.load()
    content_demo.load()
    programs_demo.load(_library_only(programs_demo_data))

    locations = [primary] + [_location(row, primary) for row in EXTRA_LOCATIONS]
    therapists = list(Therapist.objects.filter(location=primary).order_by("pk"))
    for index, (first, last, credentials) in enumerate(EXTRA_THERAPISTS):
        # 4 at the first location, 3 at each of the others.
        location = locations[(index + 2) // 3 if index else 0]
        therapists.append(_therapist(first, last, credentials, location))
    types = list(AppointmentType.objects.order_by("order", "pk"))
    for therapist in therapists:
        therapist.appointment_types.set(types)
    WorkingHours.objects.filter(therapist__in=therapists).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=day, start=start, end=end)
        for therapist in therapists
        for day in WORKING_DAYS
        for start, end in WORKING_PERIODS
    )
    return Clinic(
        locations=locations,
        therapists=therapists,
        types=types,
        templates=list(ProgramTemplate.objects.filter(is_active=True).order_by("pk")),
    )
