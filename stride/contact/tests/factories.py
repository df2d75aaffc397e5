"""factory_boy factories for the contact inbox's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from stride.contact.models import ContactMessage
from stride.scheduling.models import Location


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    email = factory.Sequence(lambda n: f"staff{n}@clinic.example")
    first_name = "Sam"
    last_name = "Staff"
    is_staff = True
    password = factory.django.Password("correct horse battery")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = "Stride Physical Therapy Downtown"
    slug = factory.Sequence(lambda n: f"downtown-{n}")
    street_address = "100 Main Street"
    locality = "Springfield"
    region = "IL"
    postal_code = "62701"
    phone = "(217) 555-0100"
    email = "hello@stridept.example"
    timezone = "America/Chicago"
    is_primary = True


class ContactMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMessage

    name = factory.Sequence(lambda n: f"Pat Patient {n}")
    email = factory.Sequence(lambda n: f"pat{n}@example.com")
    phone = "+1 (217) 555-0199"
    message = "My knee hurts after running. Can I book an evaluation next week?"
    preferred_contact = ContactMessage.PreferredContact.EMAIL
    client_ip = "203.0.113.7"
    user_agent = "pytest"
