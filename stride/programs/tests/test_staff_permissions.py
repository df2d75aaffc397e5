"""Who may open the therapist's pages: every URL against every role.

Therapists see their own patients, admins everyone; front desk and patients get 403, visitors
the sign-in page, and another therapist's patient, program or alert is a 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from stride.programs import rules
from stride.programs.models import ExerciseProgram, ProgramAlert, ProgramStatus

from .test_staff_support import People, alert_add, people_build, signed_in

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: Callable[[People, bool], str]  # (people, of the other therapist?) -> path
    data: dict[str, str]


def _alert_path(people: People, other: bool) -> str:
    program = people.other_program if other else people.program
    alert = ProgramAlert.objects.filter(program=program).first() or alert_add(
        program, rules.AlertKind.GETTING_WORSE
    )
    return f"/staff/alerts/{alert.pk}/acknowledge/"


def _patient(people: People, other: bool) -> int:
    return (people.other_patient if other else people.patient).pk


def _program(people: People, other: bool) -> int:
    return (people.other_program if other else people.program).pk


PAGES = [
    Page("list", "get", lambda p, o: "/staff/patients/", {}),
    Page("detail", "get", lambda p, o: f"/staff/patients/{_patient(p, o)}/", {}),
    Page("new", "get", lambda p, o: f"/staff/patients/{_patient(p, o)}/programs/new/", {}),
    Page(
        "new_form",
        "get",
        lambda p, o: f"/staff/patients/{_patient(p, o)}/programs/new/?template=",
        {},
    ),
    Page("new_post", "post", lambda p, o: f"/staff/patients/{_patient(p, o)}/programs/new/", {}),
    Page("edit", "get", lambda p, o: f"/staff/programs/{_program(p, o)}/edit/", {}),
    Page("edit_post", "post", lambda p, o: f"/staff/programs/{_program(p, o)}/edit/", {}),
    Page(
        "status",
        "post",
        lambda p, o: f"/staff/programs/{_program(p, o)}/status/",
        {"action": "pause"},
    ),
    Page(
        "symptoms",
        "post",
        lambda p, o: f"/staff/programs/{_program(p, o)}/symptoms/resolve/",
        {},
    ),
    Page("acknowledge", "post", _alert_path, {}),
]
IDS = [page.name for page in PAGES]


@pytest.fixture
def people() -> People:
    return people_build()


def _request(client: Client, page: Page, people: People, *, other: bool = False):
    return getattr(client, page.method)(page.path(people, other), page.data)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, people: People, page: Page):
    response = _request(client, page, people)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


@pytest.mark.parametrize("page", PAGES, ids=IDS)
@pytest.mark.parametrize("role", ["patient", "front_desk"])
def test_patients_and_front_desk_are_refused(client: Client, people: People, page: Page, role: str):
    response = _request(signed_in(client, getattr(people, role)), page, people)
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_therapist_opens_pages_of_their_own_patients(client: Client, people: People, page: Page):
    response = _request(signed_in(client, people.therapist.user), page, people)
    assert response.status_code in (200, 302, 400)  # 400: a form posted empty


@pytest.mark.parametrize("page", PAGES[1:], ids=IDS[1:])
def test_another_therapists_patient_is_not_found(client: Client, people: People, page: Page):
    response = _request(signed_in(client, people.therapist.user), page, people, other=True)
    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_admin_opens_every_patients_pages(client: Client, people: People, page: Page):
    response = _request(signed_in(client, people.admin), page, people, other=True)
    assert response.status_code in (200, 302, 400)


def test_refused_posts_change_nothing(client: Client, people: People) -> None:
    alert = alert_add(people.other_program, rules.AlertKind.GETTING_WORSE)
    client = signed_in(client, people.therapist.user)
    client.post(f"/staff/programs/{people.other_program.pk}/status/", {"action": "end"})
    client.post(f"/staff/alerts/{alert.pk}/acknowledge/")
    signed_in(client, people.front_desk).post(
        f"/staff/programs/{people.program.pk}/status/", {"action": "end"}
    )

    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    statuses = ExerciseProgram.objects.values_list("status", flat=True)
    assert set(statuses) == {ProgramStatus.ACTIVE}


def test_a_patient_of_nobody_is_not_found_for_a_therapist(client: Client, people: People):
    client = signed_in(client, people.therapist.user)
    assert client.get(f"/staff/patients/{people.stranger.pk}/").status_code == 404
    assert client.get(f"/staff/patients/{people.stranger.pk}/programs/new/").status_code == 404
    # Staff are not patients, whatever their id.
    assert client.get(f"/staff/patients/{people.admin.pk}/").status_code == 404


def test_missing_rows_are_not_found(client: Client, people: People):
    client = signed_in(client, people.admin)
    assert client.get("/staff/patients/999999/").status_code == 404
    assert client.get("/staff/programs/999999/edit/").status_code == 404
    assert client.post("/staff/alerts/999999/acknowledge/").status_code == 404
    assert (
        client.get(f"/staff/patients/{people.patient.pk}/?program={people.other_program.pk}")
    ).status_code == 404
    assert client.get(f"/staff/patients/{people.patient.pk}/?program=x").status_code == 404


def test_staff_nav_shows_patients_to_clinical_staff_only(client: Client, people: People):
    page = signed_in(client, people.therapist.user).get("/staff/time-off/").content.decode()
    assert 'href="/staff/patients/"' in page
    page = signed_in(client, people.front_desk).get("/staff/time-off/").content.decode()
    assert 'href="/staff/patients/"' not in page


def test_clinical_pages_are_never_cached(client: Client, people: People):
    client = signed_in(client, people.therapist.user)
    for path in ("/staff/patients/", f"/staff/patients/{people.patient.pk}/"):
        assert "no-store" in client.get(path)["Cache-Control"]
