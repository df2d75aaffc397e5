"""Absolute links to an appointment, shared by pages, emails and the API."""

from django.conf import settings

from .models import Appointment


def appointment_manage_path(appointment: Appointment, token: str) -> str:
    """Return the private manage page's path (``/appointments/<id>/manage/<token>/``)."""
    return f"/appointments/{appointment.pk}/manage/{token}/"


def appointment_manage_url(appointment: Appointment, token: str) -> str:
    """Return the private manage page's absolute URL, for emails and API answers."""
    return f"{settings.SITE_URL}{appointment_manage_path(appointment, token)}"
