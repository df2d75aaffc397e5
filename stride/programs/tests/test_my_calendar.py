"""The patient's calendar link page at /my/calendar/: who gets in, the link shown once after it is
made, a new link revoking the old one, turning it off, and CSRF on every change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from stride.accounts.models import User
from stride.programs.models import ExerciseProgram
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.models import PatientCalendarFeed, manage_token_hash
from stride.scheduling.tests.factories import StaffUserFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/my/calendar/"
FEED_URL = re.compile(r'value="(https://clinic\.example\.org/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "https://clinic.example.org"


@pytest.fixture
def patient() -> User:
    return UserFactory.create(first_name="Ana")


@pytest.fixture
def patient_client(client: Client, patient: User) -> Client:
    client.force_login(patient)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def make_link(client: Client) -> str:
    """Press "Make a new link" and return the token the next page shows."""
    response = client.post(PAGE, {"action": "rotate"})
    assert (response.status_code, response["Location"]) == (303, PAGE)
    match = FEED_URL.search(html(client.get(PAGE)))
    assert match is not None
    return match.group(2)


def feed_status(token: str) -> int:
    return Client().get(f"/calendar/{token}.ics").status_code


# --- Who gets in -------------------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in_and_back(client: Client) -> None:
    response = client.get(PAGE)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/sign-in/?next={PAGE}")
    response = client.post(PAGE, {"action": "rotate"})
    assert response.status_code == 302
    assert not PatientCalendarFeed.objects.exists()


def test_staff_are_refused(client: Client) -> None:
    for user in (StaffUserFactory.create(), TherapistFactory.create().user):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"action": "rotate"}).status_code == 403
    assert not PatientCalendarFeed.objects.exists()


def test_a_patient_without_a_program_can_use_the_page(patient_client: Client) -> None:
    response = patient_client.get(PAGE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]
    page = html(response)
    assert "You have no calendar link." in page
    assert "Make my calendar link" in page
    assert "Turn off my calendar link" not in page


@pytest.mark.parametrize("with_program", [False, True])
def test_the_home_page_links_to_the_calendar_page(
    client: Client, patient: User, with_program: bool
) -> None:
    if with_program:
        program_prescribe(patient=patient)
    client.force_login(patient)
    page = html(client.get("/my/"))
    assert f'href="{PAGE}"' in page
    assert ExerciseProgram.objects.filter(patient=patient).exists() is with_program


# --- The link ----------------------------------------------------------------------------------


def test_a_new_link_is_shown_once_and_only_its_hash_is_stored(
    patient_client: Client, patient: User
) -> None:
    response = patient_client.post(PAGE, {"action": "rotate"})
    assert response["Cache-Control"] == "no-store, private"
    shown = patient_client.get(PAGE)

    match = FEED_URL.search(html(shown))
    assert match is not None
    token = match.group(2)
    assert shown["Cache-Control"] == "no-store, private"
    assert "Copy it now" in html(shown)
    feed = PatientCalendarFeed.objects.get(user=patient)
    assert feed.token_hash == manage_token_hash(token)
    assert feed_status(token) == 200

    again = html(patient_client.get(PAGE))
    assert token not in again  # shown once only
    assert "Your calendar link is on." in again
    assert "Make a new link" in again
    assert "Turn off my calendar link" in again


def test_a_new_link_revokes_the_old_one(patient_client: Client, patient: User) -> None:
    old = make_link(patient_client)
    new = make_link(patient_client)

    assert new != old
    assert feed_status(old) == 404
    assert feed_status(new) == 200
    assert PatientCalendarFeed.objects.filter(user=patient).count() == 1


def test_turning_the_link_off_revokes_it(patient_client: Client, patient: User) -> None:
    token = make_link(patient_client)

    response = patient_client.post(PAGE, {"action": "revoke"}, follow=True)

    assert feed_status(token) == 404
    assert not PatientCalendarFeed.objects.filter(user=patient).exists()
    page = html(response)
    assert "turned off" in page
    assert "You have no calendar link." in page


def test_turning_off_right_after_making_a_link_never_shows_it_later(
    patient_client: Client,
) -> None:
    patient_client.post(PAGE, {"action": "rotate"})
    patient_client.post(PAGE, {"action": "revoke"})
    assert FEED_URL.search(html(patient_client.get(PAGE))) is None


def test_one_patients_actions_leave_another_patients_link_alone(patient_client: Client) -> None:
    other = UserFactory.create()
    other_client = Client()
    other_client.force_login(other)
    theirs = make_link(other_client)

    make_link(patient_client)
    patient_client.post(PAGE, {"action": "revoke"})

    assert feed_status(theirs) == 200


def test_an_unknown_action_is_a_bad_request(patient_client: Client) -> None:
    assert patient_client.post(PAGE, {"action": "delete-everything"}).status_code == 400
    assert patient_client.post(PAGE).status_code == 400
    assert not PatientCalendarFeed.objects.exists()


def test_other_methods_are_not_allowed(patient_client: Client) -> None:
    assert patient_client.put(PAGE).status_code == 405
    assert patient_client.delete(PAGE).status_code == 405


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_changes_need_the_csrf_token(patient: User, action: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    if action == "revoke":
        PatientCalendarFeed.objects.create(
            user=patient, token_hash=manage_token_hash("x" * 43), created_at=patient.date_joined
        )
    before = list(PatientCalendarFeed.objects.values_list("token_hash", flat=True))

    refused = client.post(PAGE, {"action": action})

    assert refused.status_code == 403
    assert list(PatientCalendarFeed.objects.values_list("token_hash", flat=True)) == before

    token = client.get(PAGE).context["csrf_token"]
    accepted = client.post(
        PAGE,
        {"action": action, "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN="http://testserver",
    )
    assert accepted.status_code == 303
    assert list(PatientCalendarFeed.objects.values_list("token_hash", flat=True)) != before
