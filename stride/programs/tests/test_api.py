"""The exercise-program API: the public library, and a patient's own program, logs and progress.

Patients call /me with a personal token here (``stride/api/tests/test_api_auth.py`` covers the
session, CSRF and refusals in depth). Dates are the clinic's local dates (``program_today``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stride.accounts.models import Role
from stride.api.auth import api_token_create
from stride.programs.models import (
    STANDARD_PRECAUTION,
    ExerciseCategory,
    ExerciseLog,
    ExerciseProgram,
    PainScore,
    ProgramItem,
    ProgramStatus,
    SessionLog,
    SymptomReport,
)
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.programs import program_status_set
from stride.programs.tests.factories import BodyRegionFactory, ExerciseFactory, program_prescribe
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Patient:
    """A patient with a program and a client that calls the API with their personal token."""

    def __init__(self, program: ExerciseProgram) -> None:
        self.program = program
        self.client = Client(
            HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=program.patient)[1]}"
        )

    @property
    def today(self) -> dt.date:
        return program_today(self.program)

    @property
    def items(self) -> list[ProgramItem]:
        return list(version_current(program=self.program).items.all())

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}")

    def log(self, body: Any, **fields: Any) -> Any:
        if isinstance(body, dict):
            body = json.dumps({"on": self.today.isoformat(), **body, **fields})
        return self.client.post(f"{API}/me/logs", data=body, content_type="application/json")


@pytest.fixture
def pat() -> Patient:
    return Patient(program_prescribe(exercises=3))


def invalid_fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "invalid"
    return body["fields"]


# --- The public library --------------------------------------------------------------------------


def test_exercise_list_is_public_paginated_and_filtered(client: Client) -> None:
    back = BodyRegionFactory.create(name="Lower back", slug="lower-back")
    ExerciseFactory.create(name="Bird-dog", category=ExerciseCategory.MOTOR_CONTROL, regions=[back])
    ExerciseFactory.create(name="Cat-camel", category=ExerciseCategory.MOBILITY, regions=[back])
    ExerciseFactory.create(name="Hamstring stretch")
    ExerciseFactory.create(name="Draft", is_published=False)

    everything = client.get(f"{API}/exercises").json()
    assert everything["count"] == 3 and everything["limit"] == 50
    assert [e["name"] for e in everything["items"]] == [
        "Bird-dog",
        "Cat-camel",
        "Hamstring stretch",
    ]
    bird = everything["items"][0]
    assert bird["slug"] and bird["category"] == "motor_control"
    assert bird["regions"] == [{"slug": "lower-back", "name": "Lower back"}]
    assert bird["dose"]["reps"] == 10 and bird["dose_display"] == "10 reps, hold 5 seconds"
    assert bird["url"].endswith(f"/exercises/{bird['slug']}/")

    mobility = client.get(f"{API}/exercises?category=mobility").json()
    assert [e["name"] for e in mobility["items"]] == ["Cat-camel"]
    in_back = client.get(f"{API}/exercises?region=lower-back").json()
    assert in_back["count"] == 2
    assert client.get(f"{API}/exercises?region=knee").json() == {
        "count": 0,
        "limit": 50,
        "offset": 0,
        "items": [],
    }
    second = client.get(f"{API}/exercises?limit=1&offset=1").json()
    assert second["count"] == 3 and [e["name"] for e in second["items"]] == ["Cat-camel"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=yoga", "category"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("limit=many", "limit"),
        ("region=" + "x" * 101, "region"),
    ],
)
def test_exercise_list_refuses_bad_filters_by_name(client: Client, query: str, field: str) -> None:
    assert set(invalid_fields(client.get(f"{API}/exercises?{query}"))) == {field}


def test_exercise_list_queries_do_not_grow_with_the_library(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    regions = BodyRegionFactory.create_batch(2)
    ExerciseFactory.create_batch(12, regions=regions)
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{API}/exercises").json()["items"]) == 12


def test_exercise_detail_has_steps_and_the_standard_precaution_first(client: Client) -> None:
    exercise = ExerciseFactory.create(
        steps=["Kneel on all fours.", "Reach one arm forward."], precautions="Keep your back flat."
    )
    body = client.get(f"{API}/exercises/{exercise.slug}").json()
    assert body["steps"] == ["Kneel on all fours.", "Reach one arm forward."]
    assert body["precautions"] == [STANDARD_PRECAUTION, "Keep your back flat."]
    assert body["cues"] == ["Move slowly.", "Breathe normally."]
    assert body["video_url"] is None and body["illustration"] is None


@pytest.mark.parametrize("slug", ["missing", "draft", "bad%20slug", "x" * 200])
def test_unknown_or_unpublished_exercises_are_404(client: Client, slug: str) -> None:
    ExerciseFactory.create(slug="draft", is_published=False)
    response = client.get(f"{API}/exercises/{slug}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# --- My program ----------------------------------------------------------------------------------


def test_my_program_lists_the_current_versions_exercises(pat: Patient) -> None:
    program = pat.program
    body = pat.get("/me/program").json()

    assert body["title"] == program.title
    assert (body["status"], body["status_display"]) == ("active", "Active")
    assert body["therapist"]["name"] == program.therapist.display_name
    assert body["start_date"] == program.start_date.isoformat()
    assert body["review_date"] == program.review_date.isoformat()
    assert body["sessions_per_week"] == 7 and body["version"] == 1
    assert body["today"] == pat.today.isoformat()
    assert body["timezone"] == "America/New_York"
    items = pat.items
    assert [i["id"] for i in body["items"]] == [item.pk for item in items]
    first = body["items"][0]
    assert first["exercise"]["name"] == items[0].exercise.name
    assert first["exercise"]["slug"] == items[0].exercise.slug
    assert first["dose"]["reps"] == 10 and first["dose"]["hold_seconds"] == 5
    assert first["dose_display"] == items[0].dose_display
    assert first["steps"] == ["Lie on your back.", "Move gently."]
    assert first["precautions"][0] == STANDARD_PRECAUTION


def test_a_paused_program_is_shown_as_paused(pat: Patient) -> None:
    program_status_set(program=pat.program, status=ProgramStatus.SUSPENDED)
    body = pat.get("/me/program").json()
    assert (body["status"], body["status_display"]) == ("suspended", "Paused")


@pytest.mark.parametrize("path", ["/me/program", "/me/progress"])
def test_no_open_program_is_404(pat: Patient, path: str) -> None:
    program_status_set(program=pat.program, status=ProgramStatus.ENDED)
    response = pat.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": "no_program",
        "detail": "You have no open exercise program.",
    }
    assert pat.log({"kind": "pain", "pain_now": 3}).status_code == 404


# --- Logging -------------------------------------------------------------------------------------


def test_session_log_by_exercise_is_created(pat: Patient) -> None:
    first, second, _ = pat.items
    response = pat.log(
        {
            "kind": "session",
            "exercises": {str(first.pk): "done", str(second.pk): "skipped"},
            "pain_now": 3,
            "pain_during": 2,
            "note": "Felt stiff.",
        }
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    session = SessionLog.objects.get()
    assert body["kind"] == "session" and body["id"] == session.pk
    assert body["on"] == pat.today.isoformat()
    assert body["completion"] == "partly" == session.completion
    assert body["exercises"] == {str(first.pk): "done", str(second.pk): "skipped"}
    assert (body["pain_now"], body["pain_during"], body["note"]) == (3, 2, "Felt stiff.")
    assert isinstance(body["alerts"], list)
    assert ExerciseLog.objects.filter(session=session).count() == 2
    assert PainScore.objects.get(session=session).nprs == 3


def test_pain_log_is_created(pat: Patient) -> None:
    response = pat.log({"kind": "pain", "pain_now": 4, "note": "After work."})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["completion"], body["pain_now"]) == ("pain", None, 4)
    score = PainScore.objects.get()
    assert (score.nprs, score.note, score.session) == (4, "After work.", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"on": "2026-13-45"}, "on"),
        ({"on": "yesterday"}, "on"),
        ({"on": None}, "on"),
        ({"on": "1900-01-01"}, "on"),
        ({"kind": "stretch"}, "kind"),
        ({"completion": "maybe"}, "completion"),
        ({"completion": 1}, "completion"),
        ({"pain_now": 11}, "pain_now"),
        ({"pain_now": -1}, "pain_now"),
        ({"pain_now": "5"}, "pain_now"),
        ({"pain_now": 4.5}, "pain_now"),
        ({"pain_now": True}, "pain_now"),
        ({"pain_during": 11}, "pain_during"),
        ({"exercises": {"999999999": "done"}}, "exercises"),
        ({"exercises": {"abc": "done"}}, "exercises"),
        ({"exercises": {"1": None}}, "exercises"),
        ({"exercises": ["done"]}, "exercises"),
        ({"exercises": {str(n): "done" for n in range(1, 14)}}, "exercises"),
        ({"symptoms": ["sore"]}, "symptoms"),
        ({"symptoms": "fever"}, "symptoms"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "nul\x00"}, "note"),
        ({"note": 5}, "note"),
    ],
)
def test_bad_session_input_is_422_naming_the_field(
    pat: Patient, fields: dict[str, Any], field: str
) -> None:
    body = {"kind": "session", "completion": "done", **fields}
    assert field in invalid_fields(pat.log(body))
    assert not SessionLog.objects.exists()


def test_service_refusals_name_the_field(pat: Patient) -> None:
    item = pat.items[0]
    today = pat.today
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"on": (today + dt.timedelta(days=1)).isoformat()}, "on", "future"),
        ({"on": (pat.program.start_date - dt.timedelta(days=1)).isoformat()}, "on", "started"),
        ({"completion": None}, "completion", "did the session"),
        (
            {"completion": "skipped", "pain_during": 4},
            "pain_during",
            "skipped session",
        ),
        ({"exercises": {str(item.pk): "maybe"}}, "exercises", "done, partly or skipped"),
    ]
    for fields, field, words in cases:
        response = pat.log({"kind": "session", "completion": "done", **fields})
        message = invalid_fields(response)[field]
        assert words in message, (fields, message)
    assert not SessionLog.objects.exists()


def test_logs_older_than_fourteen_days_are_refused_on_the_date() -> None:
    pat = Patient(program_prescribe(start=timezone.localdate() - dt.timedelta(days=40)))
    old = (pat.today - dt.timedelta(days=15)).isoformat()
    fields = invalid_fields(pat.log({"kind": "pain", "pain_now": 2, "on": old}))
    assert fields == {"on": "Logs can go back at most 14 days."}


def test_an_item_of_another_patients_program_is_refused(pat: Patient) -> None:
    other = program_prescribe(exercises=1)
    foreign = version_current(program=other).items.get()
    response = pat.log({"kind": "session", "exercises": {str(foreign.pk): "done"}})
    assert "exercises" in invalid_fields(response)
    assert not ExerciseLog.objects.exists()


def test_a_pain_log_refuses_session_fields_and_needs_the_pain(pat: Patient) -> None:
    assert set(invalid_fields(pat.log({"kind": "pain"}))) == {"pain_now"}
    fields = invalid_fields(
        pat.log({"kind": "pain", "pain_now": 3, "completion": "done", "pain_during": 0})
    )
    assert set(fields) == {"completion", "pain_during"}
    assert not PainScore.objects.exists()


@pytest.mark.parametrize(
    "raw", ["{not json", "", "[1, 2]", '"text"', "null", b"\xff\xfe", '{"kind": "session"'], ids=str
)
def test_malformed_bodies_are_json_4xx(pat: Patient, raw: Any) -> None:
    response = pat.log(raw)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "session", "on": "2026-01-01", "exercises": {"1": {"x": 1}}},
        {"kind": "session", "on": ["2026-01-01"], "completion": "done"},
        {"kind": "pain", "on": "2026-01-01", "pain_now": 10**30},
        {"kind": "pain", "on": "9999-12-31", "pain_now": 1},
        {"kind": "session", "on": "2026-01-01", "exercises": {"0": "done"}},
        {"kind": "session", "on": "2026-01-01", "symptoms": [None, 1]},
        {"kind": {"nested": True}},
        {},
    ],
    ids=str,
)
def test_odd_bodies_never_cause_a_server_error(pat: Patient, body: dict[str, Any]) -> None:
    response = pat.log(json.dumps(body))
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["error"]


def test_a_paused_program_takes_pain_but_not_sessions(pat: Patient) -> None:
    program_status_set(program=pat.program, status=ProgramStatus.SUSPENDED)

    refused = pat.log({"kind": "session", "completion": "done"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "program_paused"
    assert "paused" in refused.json()["detail"]
    assert pat.log({"kind": "pain", "pain_now": 5}).status_code == 201
    assert not SessionLog.objects.exists()


def test_an_emergency_symptom_pauses_the_program_and_says_so(pat: Patient) -> None:
    response = pat.log({"kind": "pain", "pain_now": 6, "symptoms": ["saddle_numbness", "fever"]})

    assert response.status_code == 201
    body = response.json()
    assert body["symptoms"] == ["saddle_numbness", "fever"]
    assert [a["kind"] for a in body["alerts"]] == ["red_flag_emergency"]
    assert body["alerts"][0]["suggest_booking"] is False
    assert set(SymptomReport.objects.values_list("code", flat=True)) == {"saddle_numbness", "fever"}
    pat.program.refresh_from_db()
    assert pat.program.status == ProgramStatus.SUSPENDED
    assert pat.get("/me/program").json()["status"] == "suspended"


# --- Progress ------------------------------------------------------------------------------------


def test_my_progress_shows_adherence_pain_and_alerts(pat: Patient) -> None:
    today = pat.today
    pat.log({"kind": "pain", "pain_now": 6, "on": (today - dt.timedelta(days=2)).isoformat()})
    pat.log({"kind": "session", "completion": "done", "pain_now": 3})

    body = pat.get("/me/progress").json()

    assert body["today"] == today.isoformat()
    assert body["streak"] == 1
    week = body["this_week"]
    assert week["logged"] == 1 and week["prescribed"] >= 1
    assert week["percent"] == round(100 * week["logged"] / week["prescribed"])
    assert week == body["weeks"][-1] and len(body["weeks"]) == 3
    assert [p["nprs"] for p in body["pains"]] == [6, 3]
    assert (body["baseline_nprs"], body["latest_nprs"], body["pain_trend"]) == (6, 3, "improved")
    assert body["psfs"] == [] and body["psfs_trend"] is None and body["psfs_due"] is True
    assert body["last_log"] == today.isoformat()
    # Two weeks without a session before today: the low-adherence rule has spoken.
    kinds = {a["kind"] for a in body["alerts"]}
    assert "low_adherence" in kinds
    for alert in body["alerts"]:
        assert set(alert) == {"kind", "severity", "message_key", "suggest_booking", "since"}


# --- Only one's own data -------------------------------------------------------------------------


def test_each_patient_sees_and_logs_only_their_own_program() -> None:
    alice = Patient(program_prescribe(title="Alice's program", exercises=1))
    bob = Patient(program_prescribe(title="Bob's program", exercises=1))

    assert alice.get("/me/program").json()["title"] == "Alice's program"
    assert bob.get("/me/program").json()["title"] == "Bob's program"
    assert alice.log({"kind": "pain", "pain_now": 7}).status_code == 201

    assert PainScore.objects.get().program == alice.program
    assert bob.get("/me/progress").json()["pains"] == []
    assert alice.get("/me/progress").json()["pains"][0]["nprs"] == 7


def test_session_of_one_patient_never_shows_another(client: Client) -> None:
    alice = program_prescribe(title="Alice's program", exercises=1)
    program_prescribe(title="Bob's program", exercises=1)
    client.force_login(alice.patient)
    assert client.get(f"{API}/me/program").json()["title"] == "Alice's program"


def test_no_endpoint_takes_a_patient_or_program_id(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if path.startswith(f"{API}/me/"):
            assert "{" not in path
            for operation in operations.values():
                assert operation["parameters"] == []


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.FRONT_DESK, Role.ADMIN])
def test_staff_cannot_use_the_patient_endpoints(client: Client, role: str) -> None:
    program_prescribe(exercises=1)
    client.force_login(StaffUserFactory.create(role=role))
    for path in ("/me/program", "/me/progress"):
        assert client.get(f"{API}{path}").status_code == 403
    response = client.post(f"{API}/me/logs", data={"kind": "pain"}, content_type="application/json")
    assert response.status_code == 403


def test_anonymous_callers_are_401(client: Client) -> None:
    for path in ("/me/program", "/me/progress"):
        assert client.get(f"{API}{path}").status_code == 401
    response = client.post(f"{API}/me/logs", data={}, content_type="application/json")
    assert response.status_code == 401


def test_a_patient_without_a_program_gets_404(client: Client) -> None:
    client.force_login(UserFactory.create())
    assert client.get(f"{API}/me/program").status_code == 404


# --- Schema --------------------------------------------------------------------------------------


def test_openapi_lists_the_program_endpoints(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/exercises", "get"),
        ("/api/v1/exercises/{slug}", "get"),
        ("/api/v1/me/program", "get"),
        ("/api/v1/me/logs", "post"),
        ("/api/v1/me/progress", "get"),
    }
    for path, method in expected:
        assert path in paths and method in paths[path], path
        assert paths[path][method]["tags"] == ["exercise programs"]
    logs = paths["/api/v1/me/logs"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(logs["responses"])
    assert {name for s in logs["security"] for name in s} == {"PersonalToken", "SessionCookie"}
    assert "security" not in paths["/api/v1/exercises"]["get"]
    log_in = schema["components"]["schemas"]["LogIn"]
    assert log_in["properties"]["kind"]["enum"] == ["session", "pain"]
