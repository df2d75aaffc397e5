"""Patients as booking knows them: recognised by email, created on their first booking."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from stride.accounts.models import PatientProfile, Role, User

from .errors import BookingInvalid, full_clean_or_invalid


def patient_get_or_create(
    *, email: str, name: str, phone: str, date_of_birth: dt.date | None = None
) -> User:
    """Return the patient with this email (any case), creating them on first booking.

    A new patient gets the patient role and an unusable password. For a returning patient only
    blank details are filled in: this runs for visitors who are not signed in, so it never
    overwrites what the clinic already holds.

    Locks: none. Two concurrent first bookings with one email race on the unique email; the
    loser reads the winner's row.
    """
    email = email.strip()
    name = " ".join(name.split())
    try:
        validate_email(email)
    except ValidationError as exc:
        raise BookingInvalid("email", "Enter a valid email address.") from exc
    if not name:
        raise BookingInvalid("name", "Enter your name.")
    email = User.objects.normalize_email(email).lower()
    first_name, _, last_name = name.rpartition(" ")
    if not first_name:
        first_name, last_name = last_name, ""

    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, first_name=first_name, last_name=last_name, role=Role.PATIENT)
            user.set_unusable_password()
            full_clean_or_invalid(user)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                user = User.objects.get(email__iexact=email)
        elif not (user.first_name or user.last_name):
            user.first_name, user.last_name = first_name, last_name
            full_clean_or_invalid(user)
            user.save(update_fields=["first_name", "last_name"])

        profile, _ = PatientProfile.objects.get_or_create(user=user)
        if phone.strip() and not profile.phone:
            profile.phone = phone.strip()
        if date_of_birth is not None and profile.date_of_birth is None:
            profile.date_of_birth = date_of_birth
        full_clean_or_invalid(profile)
        profile.save()
    return user
