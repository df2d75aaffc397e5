"""A patient's private manage pages: view, calendar file, cancel and reschedule by token.

"Now" is frozen at the conftest's NOW (Tuesday 2026-12-01 12:00 New York); the visit is on
MONDAY (2026-12-07) at 10:00, so the 24-hour window closes on Sunday at 10:00.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from stride.scheduling.models import Appointment, AppointmentStatus, manage_token_hash
from stride.scheduling.tests.conftest import MONDAY, NOW, NY, Clinic, local
from stride.scheduling.tests.factories import AppointmentFactory, TherapistFactory
from stride.scheduling.views import TAKEN_MESSAGE

pytestmark = pytest.mark.django_db

TAKEN = TAKEN_MESSAGE.replace("'", "&#x27;")


class Clock:
    """The time ``timezone.now()`` answers during a test; move it by setting ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock(NOW.astimezone(dt.UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    cache.clear()
    yield frozen
    cache.clear()


class Booked:
    """An appointment with the token of its manage link."""

    def __init__(self, appointment: Appointment, token: str) -> None:
        self.appointment = appointment
        self.token = token

    @property
    def url(self) -> str:
        return f"/appointments/{self.appointment.pk}/manage/{self.token}/"


@pytest.fixture
def booked(clinic: Clinic) -> Booked:
    token = secrets.token_urlsafe(32)
    appointment = AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        patient=clinic.patient,
        start=local(MONDAY, 10),
        manage_token_hash=manage_token_hash(token),
        reason="Sciatica on the left side",
    )
    return Booked(appointment, token)


def html_of(response: Any) -> str:
    return response.content.decode()


def assert_private(response: Any) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


# --- Viewing -----------------------------------------------------------------------------------


def test_manage_page_shows_the_visit_and_is_private(client: Client, booked: Booked) -> None:
    response = client.get(booked.url)

    html = html_of(response)
    assert response.status_code == 200
    assert_private(response)
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "Monday, December 7, 2026 at 10:00 AM EST" in html
    assert booked.appointment.therapist.display_name in html
    assert booked.appointment.location.address_line in html
    assert f'href="{booked.url}calendar.ics"' in html
    assert f'href="{booked.url}reschedule/"' in html
    assert f'href="{booked.url}cancel/"' in html
    assert "Sunday, December 6, 2026 at 10:00 AM EST" in html  # the online deadline
    assert "Sciatica" not in html
    # The canonical link does not repeat the token.
    assert f'rel="canonical" href="http://127.0.0.1:8000{booked.url}"' not in html


@pytest.mark.parametrize("wrong", ["token", "id", "both"])
def test_a_wrong_token_or_id_is_the_same_404(
    client: Client, booked: Booked, clinic: Clinic, wrong: str
) -> None:
    other = AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 14)
    )
    pk = other.pk if wrong in ("id", "both") else booked.appointment.pk
    token = secrets.token_urlsafe(32) if wrong in ("token", "both") else booked.token
    for suffix in ("", "calendar.ics", "cancel/", "reschedule/"):
        response = client.get(f"/appointments/{pk}/manage/{token}/{suffix}")
        assert response.status_code == 404
        assert "find that page" in html_of(response)
    response = client.post(f"/appointments/{pk}/manage/{token}/cancel/")
    assert response.status_code == 404
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CONFIRMED


def test_calendar_download_is_the_visit_as_icalendar(client: Client, booked: Booked) -> None:
    response = client.get(f"{booked.url}calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="appointment-{booked.appointment.pk}.ics"'
    )
    assert_private(response)
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"appointment-{booked.appointment.pk}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == local(MONDAY, 10)
    assert calendar.walk("VTIMEZONE")
    assert b"Sciatica" not in response.content


# --- Cancelling --------------------------------------------------------------------------------


def test_cancel_asks_first_then_cancels_and_offers_to_book_again(
    client: Client, booked: Booked
) -> None:
    confirm = client.get(f"{booked.url}cancel/")
    html = html_of(confirm)
    assert "Cancel this appointment?" in html
    assert "Yes, cancel my appointment" in html
    assert_private(confirm)
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CONFIRMED

    response = client.post(f"{booked.url}cancel/")

    assert response.status_code == 303
    assert response["Location"] == booked.url
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CANCELLED
    html = html_of(client.get(booked.url))
    assert "Your appointment is cancelled." in html  # the success message
    assert "This appointment was cancelled." in html
    assert "Book again" in html
    assert f'href="/book/therapist/?type={booked.appointment.appointment_type.slug}"' in html
    assert f"{booked.url}cancel/" not in html


def test_inside_the_window_the_page_says_to_call_instead(
    client: Client, booked: Booked, clock: Clock
) -> None:
    clock.now = local(MONDAY - dt.timedelta(days=1), 10, 1)

    html = html_of(client.get(booked.url))
    assert "It is too late to change this appointment online" in html
    assert booked.appointment.location.phone in html
    assert f"{booked.url}cancel/" not in html
    assert f"{booked.url}reschedule/" not in html
    assert client.get(f"{booked.url}cancel/")["Location"] == booked.url

    response = client.post(f"{booked.url}cancel/")
    assert response.status_code == 200
    assert "Please call us at (718) 555-0100." in html_of(response)
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CONFIRMED


def test_cancelling_twice_changes_nothing_more(client: Client, booked: Booked) -> None:
    client.post(f"{booked.url}cancel/")
    response = client.post(f"{booked.url}cancel/")
    assert response.status_code == 303
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CANCELLED


# --- Rescheduling ------------------------------------------------------------------------------


def test_reschedule_shows_a_week_confirms_then_moves_the_visit(
    client: Client, booked: Booked
) -> None:
    week = client.get(f"{booked.url}reschedule/", {"week": "2026-12-07"})
    html = html_of(week)
    assert_private(week)
    assert "Choose a new time" in html
    assert "Times are in Eastern Time (America/New_York)." in html
    new = "2026-12-08T14:00-05:00"
    link = (
        f"{booked.url}reschedule/?therapist={booked.appointment.therapist.slug}"
        "&amp;start=2026-12-08T14%3A00-05%3A00"
    )
    assert link in html
    # The visit's own time is not offered again.
    assert "start=2026-12-07T10%3A00-05%3A00" not in html

    confirm = client.get(
        f"{booked.url}reschedule/",
        {"therapist": booked.appointment.therapist.slug, "start": new},
    )
    html = html_of(confirm)
    assert "Move your appointment?" in html
    assert "Tuesday, December 8, 2026 at 2:00 PM EST" in html
    assert f'<input type="hidden" name="start" value="{new}">' in html

    response = client.post(
        f"{booked.url}reschedule/",
        {"therapist": booked.appointment.therapist.slug, "start": new},
    )

    assert response.status_code == 303
    assert response["Location"] == booked.url
    booked.appointment.refresh_from_db()
    assert booked.appointment.start == local(MONDAY + dt.timedelta(days=1), 14)
    html = html_of(client.get(booked.url))  # same id, same token
    assert "Your appointment has moved to Tuesday, December 8, 2026 at 2:00 PM EST." in html


def test_a_taken_time_offers_fresh_times_instead_of_moving(
    client: Client, booked: Booked, clinic: Clinic
) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY + dt.timedelta(days=1), 14),
    )

    for method in (client.get, client.post):
        response = method(
            f"{booked.url}reschedule/",
            {"therapist": clinic.therapist.slug, "start": "2026-12-08T14:00-05:00"},
        )
        html = html_of(response)
        assert response.status_code == 200
        assert TAKEN in html
        assert "Week of Monday, December 7, 2026" in html
        assert "start=2026-12-08T15%3A00-05%3A00" in html
    booked.appointment.refresh_from_db()
    assert booked.appointment.start == local(MONDAY, 10)


def test_reschedule_with_any_therapist_moves_to_whoever_is_free(
    client: Client, booked: Booked, clinic: Clinic
) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY + dt.timedelta(days=1), 14),
    )

    html = html_of(client.get(f"{booked.url}reschedule/", {"therapist": "any"}))
    assert "Showing times with any therapist." in html

    response = client.post(
        f"{booked.url}reschedule/", {"therapist": "any", "start": "2026-12-08T14:00-05:00"}
    )

    assert response.status_code == 303
    booked.appointment.refresh_from_db()
    assert booked.appointment.therapist == other
    assert booked.appointment.start == local(MONDAY + dt.timedelta(days=1), 14)


def test_a_tampered_reschedule_time_moves_nothing(client: Client, booked: Booked) -> None:
    for start in ("2026-12-08T14:07-05:00", "garbage", ""):
        response = client.post(f"{booked.url}reschedule/", {"start": start})
        assert response.status_code == 200
        assert 'role="alert"' in html_of(response)
    booked.appointment.refresh_from_db()
    assert booked.appointment.start == local(MONDAY, 10)


def test_reschedule_inside_the_window_sends_the_patient_to_call(
    client: Client, booked: Booked, clock: Clock
) -> None:
    clock.now = local(MONDAY - dt.timedelta(days=1), 11)

    assert client.get(f"{booked.url}reschedule/")["Location"] == booked.url
    response = client.post(f"{booked.url}reschedule/", {"start": "2026-12-08T14:00-05:00"})
    assert "It is too late to change this appointment online" in html_of(response)
    booked.appointment.refresh_from_db()
    assert booked.appointment.start == local(MONDAY, 10)


def test_a_cancelled_visit_cannot_be_rescheduled(client: Client, booked: Booked) -> None:
    client.post(f"{booked.url}cancel/")
    response = client.post(f"{booked.url}reschedule/", {"start": "2026-12-08T14:00-05:00"})
    assert response.status_code == 303
    booked.appointment.refresh_from_db()
    assert booked.appointment.start == local(MONDAY, 10)


def test_a_past_visit_offers_to_book_another(client: Client, booked: Booked, clock: Clock) -> None:
    clock.now = dt.datetime(2026, 12, 8, 12, tzinfo=NY)
    html = html_of(client.get(booked.url))
    assert "This appointment has passed." in html
    assert "calendar.ics" not in html


def test_manage_posts_need_no_csrf_cookie_because_the_token_is_the_credential(
    booked: Booked,
) -> None:
    # no-referrer makes browsers send "Origin: null" with these forms; the token in the path,
    # which a forging site cannot know, is what authorises the change.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{booked.url}reschedule/",
        {"start": "2026-12-08T14:00-05:00"},
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 303
    response = client.post(f"{booked.url}cancel/", HTTP_ORIGIN="null")
    assert response.status_code == 303
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CANCELLED
