"""Who may call the /me endpoints: a patient by session (CSRF on POST) or by personal token.

Tokens come from ``manage.py api_token_create``; only their SHA-256 is stored. Staff are 403,
anonymous callers and unknown, revoked or inactive users' tokens 401.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.api.auth import api_token_create, api_token_revoke, api_token_user
from stride.api.models import ApiToken, api_token_hash
from stride.programs.models import ExerciseProgram, SessionLog
from stride.programs.selectors.programs import program_today
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
ME = ["/me/program", "/me/progress"]
CSRF_SECRET = "a" * 32  # a CSRF cookie value Django accepts; the header must repeat it


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_body(program: ExerciseProgram) -> dict[str, Any]:
    return {"kind": "session", "on": program_today(program).isoformat(), "completion": "done"}


def post_log(client: Client, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        f"{API}/me/logs", data=json.dumps(body), content_type="application/json", headers=headers
    )


def create_token(email: str, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token_create", email, *args, stdout=out, stderr=err)
    assert "shown only once" in err.getvalue()
    return out.getvalue().strip()


@pytest.fixture
def program() -> ExerciseProgram:
    return program_prescribe(patient=UserFactory.create(email="pat@example.org"), exercises=2)


# --- The command and the token row -----------------------------------------------------------------


def test_command_prints_a_token_that_opens_the_patients_program(program: ExerciseProgram) -> None:
    token = create_token("PAT@example.org", "--name", "Phone app")

    response = Client().get(f"{API}/me/program", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["title"] == program.title
    row = ApiToken.objects.get()
    assert (row.user, row.name) == (program.patient, "Phone app")
    assert row.token_hash == api_token_hash(token) and token not in row.token_hash
    assert row.last_used_at is not None


def test_command_refuses_unknown_and_inactive_users() -> None:
    UserFactory.create(email="gone@example.org", is_active=False)
    with pytest.raises(CommandError, match="No user"):
        create_token("nobody@example.org")
    with pytest.raises(CommandError, match="active"):
        create_token("gone@example.org")
    assert not ApiToken.objects.exists()


def test_tokens_are_random_and_only_their_hash_is_kept() -> None:
    user = UserFactory.create()
    (first, a), (second, b) = api_token_create(user=user), api_token_create(user=user)
    assert a != b and len(a) >= 43
    assert {first.token_hash, second.token_hash} == {api_token_hash(a), api_token_hash(b)}
    assert not ApiToken.objects.filter(token_hash__in=[a, b]).exists()


def test_use_is_recorded_at_most_once_a_minute() -> None:
    row, token = api_token_create(user=UserFactory.create())
    now = timezone.now()
    api_token_user(token=token, now=now)
    api_token_user(token=token, now=now + dt.timedelta(seconds=30))
    row.refresh_from_db()
    assert row.last_used_at == now


# --- Refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ME)
def test_anonymous_is_401(client: Client, path: str) -> None:
    response = client.get(f"{API}{path}")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_anonymous_post_is_401_not_a_csrf_error(program: ExerciseProgram) -> None:
    response = post_log(Client(enforce_csrf_checks=True), session_body(program))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "token", ["wrong", "", "x" * 5000, "Bearer", "a b c"], ids=["wrong", "empty", "huge", "b", "sp"]
)
def test_unknown_tokens_are_401(program: ExerciseProgram, token: str) -> None:
    response = Client().get(f"{API}/me/program", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_revoked_token_is_401_even_with_a_session(client: Client, program: ExerciseProgram) -> None:
    row, token = api_token_create(user=program.patient)
    assert client.get(f"{API}/me/program", headers=bearer(token)).status_code == 200

    api_token_revoke(token=row)
    client.force_login(program.patient)

    response = client.get(f"{API}/me/program", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["detail"] == "The API token is unknown or revoked."
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_token_of_a_deactivated_patient_is_401(program: ExerciseProgram) -> None:
    _, token = api_token_create(user=program.patient)
    User.objects.filter(pk=program.patient.pk).update(is_active=False)
    assert Client().get(f"{API}/me/program", headers=bearer(token)).status_code == 401


def test_session_of_a_deactivated_patient_is_401(client: Client, program: ExerciseProgram) -> None:
    client.force_login(program.patient)
    User.objects.filter(pk=program.patient.pk).update(is_active=False)
    assert client.get(f"{API}/me/program").status_code == 401


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.FRONT_DESK, Role.ADMIN])
@pytest.mark.parametrize("path", ME)
def test_staff_tokens_and_sessions_are_403(
    client: Client, program: ExerciseProgram, role: str, path: str
) -> None:
    staff = StaffUserFactory.create(role=role, is_superuser=role == Role.ADMIN)
    _, token = api_token_create(user=staff)

    by_token = Client().get(f"{API}{path}", headers=bearer(token))
    client.force_login(staff)
    by_session = client.get(f"{API}{path}")

    for response in (by_token, by_session):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"


def test_therapist_of_the_patient_cannot_post_logs_for_them(program: ExerciseProgram) -> None:
    _, token = api_token_create(user=program.therapist.user)
    response = post_log(Client(), session_body(program), headers=bearer(token))
    assert response.status_code == 403
    assert not SessionLog.objects.exists()


# --- CSRF with the session ---------------------------------------------------------------------


def test_session_post_without_csrf_token_is_refused(program: ExerciseProgram) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.patient)

    response = post_log(client, session_body(program))

    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert not SessionLog.objects.exists()


def test_session_post_with_a_wrong_csrf_token_is_refused(program: ExerciseProgram) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.patient)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = post_log(client, session_body(program), headers={"X-CSRFToken": "b" * 32})

    assert response.status_code == 403
    assert not SessionLog.objects.exists()


def test_session_post_with_the_csrf_token_is_accepted(program: ExerciseProgram) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.patient)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = post_log(client, session_body(program), headers={"X-CSRFToken": CSRF_SECRET})

    assert response.status_code == 201, response.json()
    assert SessionLog.objects.filter(program=program).count() == 1


def test_session_get_needs_no_csrf_token(program: ExerciseProgram) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.patient)
    assert client.get(f"{API}/me/program").status_code == 200


def test_token_post_needs_no_csrf_token(program: ExerciseProgram) -> None:
    _, token = api_token_create(user=program.patient)
    response = post_log(
        Client(enforce_csrf_checks=True), session_body(program), headers=bearer(token)
    )
    assert response.status_code == 201


# --- Admin ----------------------------------------------------------------------------------------


def test_admin_lists_tokens_read_only_and_revokes_them(client: Client) -> None:
    admin_user = StaffUserFactory.create(role=Role.ADMIN, is_superuser=True)
    row, _ = api_token_create(user=UserFactory.create(), name="Phone app")
    client.force_login(admin_user)

    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    assert "Phone app" in listing.content.decode()
    assert row.token_hash not in listing.content.decode()
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    detail = client.get(f"/admin/api/apitoken/{row.pk}/change/")
    assert detail.status_code == 200 and row.token_hash not in detail.content.decode()

    client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )
    row.refresh_from_db()
    assert row.revoked_at is not None
