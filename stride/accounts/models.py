"""The clinic's users: patients and staff; staff sign in by password, patients by emailed link."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from stride.core.models import TimeStampedModel


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    THERAPIST = "therapist", "Therapist"
    FRONT_DESK = "front_desk", "Front desk"
    ADMIN = "admin", "Clinic admin"


STAFF_ROLES = frozenset({Role.THERAPIST, Role.FRONT_DESK, Role.ADMIN})


class StrideUserManager(UserManager["User"]):
    """Create users keyed by email; the username field is not used."""

    use_in_migrations = True

    def _create_user_object(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in to Stride; ``role`` decides what they may see."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[StrideUserManager] = StrideUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_staff_access(self) -> bool:
        """Return whether this account reaches staff pages or the admin.

        A staff role, Django's ``is_staff`` or ``is_superuser`` each count: such accounts
        confirm their sign-in with a second factor and are signed out when idle.
        """
        return self.is_clinic_staff or self.is_staff or self.is_superuser

    @property
    def may_use_email_links(self) -> bool:
        """Return whether emailed sign-in links may open this account: active patients only.

        Staff, and any account with admin powers, sign in by password.
        """
        return (
            self.is_active
            and self.role == Role.PATIENT
            and not self.is_staff
            and not self.is_superuser
        )


class PatientProfile(TimeStampedModel):
    """The details a patient gives when booking, kept so they need not type them again."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient_profile")
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"Patient profile of {self.user}"

    def clean(self) -> None:
        if self.date_of_birth is not None and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})


SIGN_IN_LINK_LIFETIME = dt.timedelta(minutes=30)
INVITATION_LINK_LIFETIME = dt.timedelta(days=7)


def sign_in_link_token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a sign-in link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


class SignInLink(models.Model):
    """A single-use link, emailed to a patient, that signs them in without a password.

    Only the SHA-256 of the link's random token is stored; the token itself travels in the
    email and nowhere else.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign in"
        INVITATION = "invitation", "Invitation"

    LIFETIMES: ClassVar[dict[str, dt.timedelta]] = {
        Purpose.SIGN_IN: SIGN_IN_LINK_LIFETIME,
        Purpose.INVITATION: INVITATION_LINK_LIFETIME,
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link {self.pk} for {self.user_id}"

    def accepts(self, token: str, *, now: dt.datetime) -> bool:
        """Return whether ``token`` opens this link at ``now``: right token, unused, unexpired.

        The account must still be one that email links may open (``may_use_email_links``).
        """
        return (
            hmac.compare_digest(self.token_hash, sign_in_link_token_hash(token))
            and self.used_at is None
            and now < self.expires_at
            and self.user.may_use_email_links
        )
