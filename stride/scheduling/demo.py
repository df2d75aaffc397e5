"""The demo clinic's location, hours, team and booking setup; safe to load any number of times."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from stride.accounts.models import Role, User

from .models import (
    AppointmentType,
    BookingRules,
    ClinicClosure,
    InsurancePlan,
    Location,
    OpeningHours,
    Therapist,
    Weekday,
    WorkingHours,
)

DEMO_STAFF_PASSWORD = "stride-demo-staff-2026"  # noqa: S105 (documented demo credential)

LOCATION = {
    "name": "Stride Physical Therapy",
    "tagline": "Physical therapy that helps you move, heal and stay well.",
    "street_address": "415 Riverside Avenue, Suite 200",
    "locality": "Brooklyn",
    "region": "NY",
    "postal_code": "11201",
    "country": "US",
    "phone": "(718) 555-0142",
    "email": "hello@stridept.example",
    "timezone": "America/New_York",
    "is_primary": True,
}

OPENING_HOURS = [
    *[(day, dt.time(8, 0), dt.time(18, 0)) for day in range(Weekday.MONDAY, Weekday.FRIDAY + 1)],
    (Weekday.SATURDAY, dt.time(9, 0), dt.time(13, 0)),
]

THERAPISTS = [
    {
        "slug": "maya-chen",
        "email": "maya.chen@stridept.example",
        "first_name": "Maya",
        "last_name": "Chen",
        "display_name": "Dr. Maya Chen",
        "credentials": "PT, DPT, OCS",
        "bio": (
            "Maya is a board-certified orthopaedic clinical specialist. She helps people with "
            "back and neck pain get back to work, sport and sleep, with plans built around "
            "what matters to them."
        ),
    },
    {
        "slug": "daniel-okafor",
        "email": "daniel.okafor@stridept.example",
        "first_name": "Daniel",
        "last_name": "Okafor",
        "display_name": "Dr. Daniel Okafor",
        "credentials": "PT, DPT",
        "bio": (
            "Daniel works with runners, lifters and weekend athletes, and with anyone "
            "recovering from surgery. He believes a good home program is the heart of recovery."
        ),
    },
    {
        "slug": "sofia-alvarez",
        "email": "sofia.alvarez@stridept.example",
        "first_name": "Sofia",
        "last_name": "Alvarez",
        "display_name": "Sofia Alvarez",
        "credentials": "PT, DPT, CSCS",
        "bio": (
            "Sofia focuses on posture, desk-work aches and staying active through every stage "
            "of life, including pregnancy and after."
        ),
    },
]

APPOINTMENT_TYPES = [
    {
        "slug": "initial-evaluation",
        "name": "Initial evaluation",
        "duration_minutes": 60,
        "buffer_after_minutes": 15,  # time to write up the evaluation and plan of care
        "colour": "#2a7f62",
        "new_patients": True,
        "order": 1,
    },
    {
        "slug": "follow-up",
        "name": "Follow-up",
        "duration_minutes": 45,
        "buffer_after_minutes": 0,
        "colour": "#3563a8",
        "new_patients": False,
        "order": 2,
    },
    {
        "slug": "short-follow-up",
        "name": "Short follow-up",
        "duration_minutes": 30,
        "buffer_after_minutes": 0,
        "colour": "#b5651d",
        "new_patients": False,
        "order": 3,
    },
]

# Every therapist: mornings and afternoons with a lunch break, Monday to Friday.
WORKING_HOURS = [
    (day, start, end)
    for day in range(Weekday.MONDAY, Weekday.FRIDAY + 1)
    for start, end in ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0)))
]

BOOKING_RULES = {
    "min_notice_minutes": 120,
    "horizon_days": 60,
    "slot_step_minutes": 15,
    "cancellation_window_hours": 24,
}

# (slug, name, referral required); CLINICAL.md §6: HMO plans and Medicare want a referral.
INSURANCE_PLANS = [
    ("self-pay", "Self-pay", False),
    ("aetna-ppo", "Aetna PPO", False),
    ("blue-cross-hmo", "Blue Cross HMO", True),
    ("medicare", "Medicare", True),
]

CLOSURES = [
    (dt.date(2026, 11, 26), "Thanksgiving"),
    (dt.date(2026, 12, 25), "Christmas Day"),
    (dt.date(2027, 1, 1), "New Year's Day"),
    (dt.date(2027, 5, 31), "Memorial Day"),
    (dt.date(2027, 7, 5), "Independence Day (observed)"),
    (dt.date(2027, 9, 6), "Labor Day"),
    (dt.date(2027, 11, 25), "Thanksgiving"),
]

ADMIN = {"email": "admin@stridept.example", "first_name": "Clinic", "last_name": "Admin"}


def _staff_user(*, email: str, first_name: str, last_name: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            "is_staff": True,
            "is_superuser": role == Role.ADMIN,
        },
    )
    if created:
        user.set_password(DEMO_STAFF_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _booking_setup(location: Location, therapists: list[Therapist]) -> None:
    """Create or update appointment types, working hours, rules, insurance plans, closures."""
    types = [
        AppointmentType.objects.update_or_create(
            slug=data["slug"], defaults={**data, "bookable_online": True}
        )[0]
        for data in APPOINTMENT_TYPES
    ]
    for therapist in therapists:
        therapist.appointment_types.add(*types)
        for weekday, start, end in WORKING_HOURS:
            WorkingHours.objects.update_or_create(
                therapist=therapist, weekday=weekday, start=start, defaults={"end": end}
            )
    BookingRules.objects.update_or_create(location=location, defaults=BOOKING_RULES)
    for slug, name, referral_required in INSURANCE_PLANS:
        InsurancePlan.objects.update_or_create(
            slug=slug, defaults={"name": name, "referral_required": referral_required}
        )
    for date, name in CLOSURES:
        ClinicClosure.objects.update_or_create(
            location=location, date=date, defaults={"name": name}
        )


@transaction.atomic
def load() -> Location:
    """Create or update the demo location, its hours, an admin, three therapists and booking."""
    location, _ = Location.objects.update_or_create(
        slug="stride-physical-therapy", defaults=LOCATION
    )
    for weekday, opens, closes in OPENING_HOURS:
        OpeningHours.objects.update_or_create(
            location=location, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    _staff_user(role=Role.ADMIN, **ADMIN)
    therapists = []
    for data in THERAPISTS:
        user = _staff_user(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=Role.THERAPIST,
        )
        therapist, _ = Therapist.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "user": user,
                "display_name": data["display_name"],
                "credentials": data["credentials"],
                "bio": data["bio"],
                "location": location,
            },
        )
        therapists.append(therapist)
    _booking_setup(location, therapists)
    return location
