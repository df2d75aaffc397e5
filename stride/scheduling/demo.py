"""The demo clinic's location, opening hours and team; safe to load any number of times."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from stride.accounts.models import Role, User

from .models import Location, OpeningHours, Therapist, Weekday

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


@transaction.atomic
def load() -> Location:
    """Create or update the demo location, its hours, an admin and three therapists."""
    location, _ = Location.objects.update_or_create(
        slug="stride-physical-therapy", defaults=LOCATION
    )
    for weekday, opens, closes in OPENING_HOURS:
        OpeningHours.objects.update_or_create(
            location=location, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    _staff_user(role=Role.ADMIN, **ADMIN)
    for data in THERAPISTS:
        user = _staff_user(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=Role.THERAPIST,
        )
        Therapist.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "user": user,
                "display_name": data["display_name"],
                "credentials": data["credentials"],
                "bio": data["bio"],
                "location": location,
            },
        )
    return location
