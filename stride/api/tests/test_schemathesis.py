"""Fuzz /api/v1/ from its own OpenAPI schema with Schemathesis, calling as patient A.

Every operation gets up to ``MAX_EXAMPLES`` generated requests, valid and invalid, drawn
deterministically and sent to the Django WSGI app on whichever database the suite runs. Every
answer must not be a 5xx and must match the schema: a declared status code and content type, and
a body of the declared shape. Hooks steer part of the requests at rows that exist (a free slot,
patient A's booking and program items), so the fuzzing reaches past "unknown id" into the
services. A state machine books, then reads, cancels or moves each booking with the manage token
its answer carried (through OpenAPI links this module adds to a copy of the schema).

Patient B has a booking and a program too. A calls with A's tokens only, and with B's booking id
and program item ids among the values drawn: nothing of B's may ever appear in an answer, and
nothing A sends may change B's data.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from config.wsgi import application
from stride.api.auth import api_token_create
from stride.core.models import RateLimitCounter
from stride.programs.models import (
    ExerciseProgram,
    PainScore,
    ProgramAlert,
    ProgramStatus,
    SessionLog,
)
from stride.programs.selectors.programs import version_current
from stride.programs.tests.factories import ExerciseFactory, program_prescribe
from stride.scheduling.models import Appointment, AppointmentStatus, manage_token_hash
from stride.scheduling.selectors import slot_list_available
from stride.scheduling.tests.conftest import (  # noqa: F401 (``clinic``: the fixture, reused)
    MONDAY,
    NOW,
    Clinic,
    clinic,
    local,
)
from stride.scheduling.tests.factories import AppointmentFactory

API = "/api/v1"
MAX_EXAMPLES = 25
# B's data is recognisable in any answer by these.
B_PROGRAM_TITLE = "Patient B's private program"
B_EMAIL = "patient-b@example.org"

schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application)
# Credentials are A's, set on each call (``Seed.headers_for``); the ``ignored_auth`` check sends
# requests without them and with wrong ones.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], with_security_parameters=False
)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # The fixtures hold the seeded rows, reset for each example by ``Seed.reset``.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@dataclass
class Seed:
    """The rows a test seeds: patients A and B, each with a booking, a program and a token."""

    clinic: Clinic
    a_token: str
    a_booking: Appointment
    a_manage_token: str
    a_program: ExerciseProgram
    a_items: list[int]
    b_token: str
    b_booking: Appointment
    b_manage_token: str
    b_program: ExerciseProgram
    b_items: list[int]
    slot_starts: list[str]
    exercise_slug: str

    def reset(self) -> None:
        """Undo what the previous example did to A's booking and forget rate-limit counts."""
        cache.clear()
        RateLimitCounter.objects.all().delete()
        program = self.a_program
        for model in (SessionLog, PainScore, ProgramAlert):
            model.objects.filter(program=program).delete()
        ExerciseProgram.objects.filter(pk=program.pk).update(status=ProgramStatus.ACTIVE)
        booking = self.a_booking
        Appointment.objects.filter(pk=booking.pk).update(
            status=AppointmentStatus.CONFIRMED,
            therapist=booking.therapist,
            start=booking.start,
            end=booking.end,
            buffer_end=booking.buffer_end,
        )

    def headers_for(self, path: str) -> dict[str, str]:
        """Return A's credentials for the operation at ``path`` (below /api/v1)."""
        if path.startswith("/me/"):
            return {"Authorization": f"Bearer {self.a_token}"}
        if path.startswith("/bookings/"):
            return {"Authorization": f"Bearer {self.a_manage_token}"}
        return {}

    def changes_for(self, path: str) -> list[dict[str, Any]]:
        """Return edits that aim a valid request at ``path`` at rows that exist."""
        today = NOW.date().isoformat()
        if path.startswith("/bookings/"):
            # A's own booking (the token opens it) and B's (the token must not open it).
            changes: list[dict[str, Any]] = [
                {"path_parameters": {"booking_id": pk}}
                for pk in (self.a_booking.pk, self.b_booking.pk)
            ]
            if path.endswith("/reschedule"):
                changes += [
                    {
                        "path_parameters": {"booking_id": self.a_booking.pk},
                        "body": {"start": start, "therapist": None},
                    }
                    for start in self.slot_starts
                ]
            return changes
        if path == "/bookings":
            bookable = {
                "appointment_type": self.clinic.evaluation.pk,
                "therapist": self.clinic.therapist.pk,
                "patient": {
                    "name": "Fuzz Patient",
                    "email": "fuzz@example.org",
                    "phone": "555-0100",
                },
                "insurance_plan": None,
                "red_flags": [],
            }
            return [{"body": {**bookable, "start": start}} for start in self.slot_starts]
        if path == "/availability":
            week = {
                "appointment_type": self.clinic.evaluation.pk,
                "start": MONDAY.isoformat(),
                "end": (MONDAY + dt.timedelta(days=6)).isoformat(),
            }
            return [{"query": week}, {"query": {**week, "therapist": self.clinic.therapist.pk}}]
        if path == "/exercises/{slug}":
            return [{"path_parameters": {"slug": self.exercise_slug}}]
        if path == "/me/logs":
            session = {"kind": "session", "on": today, "completion": None, "pain_now": None}
            bodies: list[dict[str, Any]] = [
                {"on": today},
                {**session, "completion": "done", "exercises": None},
                {**session, "exercises": dict.fromkeys(map(str, self.a_items), "done")},
                {**session, "exercises": dict.fromkeys(map(str, self.b_items), "done")},
                {"kind": "pain", "on": today, "pain_now": 3, "completion": None}
                | {"exercises": None, "pain_during": None},
            ]
            return [{"body": body} for body in bodies]
        return []

    def assert_b_untouched(self, response_text: str) -> None:
        """Fail if B's data is in ``response_text`` or anything of B's changed."""
        for marker in (B_PROGRAM_TITLE, B_EMAIL, self.b_token, self.b_manage_token):
            assert marker not in response_text, "patient B's data in an answer to patient A"
        booking = Appointment.objects.get(pk=self.b_booking.pk)
        assert (booking.status, booking.start) == (AppointmentStatus.CONFIRMED, local(MONDAY, 14))
        program = self.b_program
        assert not SessionLog.objects.filter(program=program).exists()
        assert not PainScore.objects.filter(program=program).exists()
        assert not ProgramAlert.objects.filter(program=program).exists()


_seed: Seed | None = None


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Freeze "now" at the booking tests' NOW (Tuesday 2026-12-01 12:00 New York)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


@pytest.fixture(autouse=True)
def connection_kept() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test Client does.

    The WSGI handler closes the connection at the end of each request; in a test that would
    end the transaction holding the seeded rows (and, on PostgreSQL, break the connection).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seed(clinic: Clinic) -> Iterator[Seed]:  # noqa: F811 (``clinic`` is the imported fixture)
    """Seed patients A and B and make them visible to the hooks, which run inside the test."""
    global _seed
    patient_a = clinic.patient
    patient_b = clinic.returning
    patient_b.email = B_EMAIL
    patient_b.save(update_fields=["email"])
    program_a = program_prescribe(patient=patient_a, therapist=clinic.therapist, exercises=2)
    program_b = program_prescribe(
        patient=patient_b, therapist=clinic.therapist, exercises=2, title=B_PROGRAM_TITLE
    )
    a_manage, b_manage = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    booking = {"therapist": clinic.therapist, "appointment_type": clinic.evaluation}
    a_booking = AppointmentFactory.create(
        **booking,
        patient=patient_a,
        start=local(MONDAY, 10),
        manage_token_hash=manage_token_hash(a_manage),
    )
    b_booking = AppointmentFactory.create(
        **booking,
        patient=patient_b,
        start=local(MONDAY, 14),
        manage_token_hash=manage_token_hash(b_manage),
    )
    slots = slot_list_available(
        appointment_type=clinic.evaluation,
        first_day=MONDAY + dt.timedelta(days=1),
        last_day=MONDAY + dt.timedelta(days=4),
    )
    _seed = Seed(
        clinic=clinic,
        a_token=api_token_create(user=patient_a)[1],
        a_booking=a_booking,
        a_manage_token=a_manage,
        a_program=program_a,
        a_items=[item.pk for item in version_current(program=program_a).items.all()],
        b_token=api_token_create(user=patient_b)[1],
        b_booking=b_booking,
        b_manage_token=b_manage,
        b_program=program_b,
        b_items=[item.pk for item in version_current(program=program_b).items.all()],
        # A handful of free slots spread over the week after A's and B's bookings.
        slot_starts=[slot.start.isoformat() for slot in slots[:: max(1, len(slots) // 4)]],
        exercise_slug=ExerciseFactory.create(slug="cat-camel").slug,
    )
    yield _seed
    _seed = None


def _current() -> Seed:
    assert _seed is not None, "only a test using the seed fixture may call this"
    return _seed


def _variants(case: Any, changes: list[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """Draw ``case`` itself or a copy with one of ``changes`` made to its body, query or path."""
    cases = [case]
    for change in changes:
        variant = case.derive(keep_auth=True)
        for container, values in change.items():
            current = getattr(variant, container)
            if not isinstance(current, dict):
                break  # a body that is not an object stays as drawn
            setattr(variant, container, {**copy.deepcopy(current), **values})
        else:
            cases.append(variant)
    return st.sampled_from(cases)


# --- Hook: steer some of the valid requests at rows that exist ----------------------------------


@schema.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    seed = _seed
    # The schema's explicit examples are drawn while collecting, before any seed exists; invalid
    # requests stay as drawn, so that each still breaks the schema the way it was made to.
    if seed is None or case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    return _variants(case, seed.changes_for(str(case.path).removeprefix(API)))


# --- Checks --------------------------------------------------------------------------------------


def patient_b_never_reached(ctx: Any, response: Any, case: Any) -> None:
    """Fail when A's request reads or changes anything of patient B's."""
    seed = _current()
    if (case.path_parameters or {}).get("booking_id") == seed.b_booking.pk:
        # 404, or 422 for a body that fails the schema whichever booking the path names.
        assert response.status_code in (404, 422), "A's manage token opened B's booking"
    seed.assert_b_untouched(response.text)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    patient_b_never_reached,
]


# --- Tests ---------------------------------------------------------------------------------------


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_answers_match_the_schema(case: Any, seed: Seed) -> None:
    seed.reset()
    path = case.path.removeprefix(API)
    # /me takes A's personal token; ``ignored_auth`` checks that none, or a wrong one, is 401.
    checks = [*CHECKS, ignored_auth] if path.startswith("/me/") else CHECKS
    case.call_and_validate(headers=seed.headers_for(path), checks=checks)


# --- Stateful: a booking's manage token carried from step to step -------------------------------


def _with_booking_links(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the schema with links from a new booking to the operations its token opens.

    OpenAPI links let the state machine send a booking's id and ``manage_token`` (from the 201
    answer) to the operations that read, cancel and move it.
    """
    raw = copy.deepcopy(raw)
    by_token = {
        "path.booking_id": "$response.body#/id",
        "header.Authorization": "Bearer {$response.body#/manage_token}",
    }
    raw["paths"][f"{API}/bookings"]["post"]["responses"]["201"]["links"] = {
        name: {"operationId": f"stride_scheduling_api_{operation}", "parameters": by_token}
        for name, operation in [
            ("ReadBooking", "booking_detail"),
            ("CancelBooking", "booking_cancel"),
            ("RescheduleBooking", "booking_reschedule"),
        ]
    }
    return raw


stateful_schema = schemathesis.openapi.from_dict(_with_booking_links(schema.raw_schema)).include(
    path_regex="/bookings"
)
stateful_schema.app = application
stateful_schema.config.generation.update(with_security_parameters=False)


@stateful_schema.hook("flatmap_case")
def _steer_bodies_only(context: Any, case: Any) -> st.SearchStrategy[Any]:
    # A step's booking id and token come from the link; only bodies are steered (a free slot).
    seed = _seed
    if seed is None or case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    changes = seed.changes_for(str(case.path).removeprefix(API))
    return _variants(case, [c for c in changes if "path_parameters" not in c])


class BookingWorkflow(stateful_schema.as_state_machine()):  # type: ignore[misc]
    """Book, then read, cancel or move the booking with the token its answer carried."""

    def before_call(self, case: Any) -> None:
        _current().reset()

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(
            response,
            checks=CHECKS,
            transport_kwargs=kwargs or None,
            recorder=getattr(self, "recorder", None),
        )


def test_booking_workflow_through_links(seed: Seed) -> None:
    BookingWorkflow.run(settings=settings(FUZZ_SETTINGS, max_examples=15, stateful_step_count=6))


# --- Patient A's credentials against patient B's data, case by case -----------------------------


def _get(path: str, token: str) -> Any:
    return Client().get(f"{API}{path}", headers={"Authorization": f"Bearer {token}"})


def _post(path: str, token: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"{API}{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_each_personal_token_reads_its_own_patients_program(seed: Seed) -> None:
    a_program, b_program = _get("/me/program", seed.a_token), _get("/me/program", seed.b_token)

    assert a_program.status_code == b_program.status_code == 200
    assert a_program.json()["title"] == seed.a_program.title
    assert b_program.json()["title"] == B_PROGRAM_TITLE
    assert {item["id"] for item in a_program.json()["items"]} == set(seed.a_items)


def test_a_cannot_log_against_b_program_items(seed: Seed) -> None:
    body = {
        "kind": "session",
        "on": NOW.date().isoformat(),
        "exercises": dict.fromkeys(map(str, seed.b_items), "done"),
    }

    response = _post("/me/logs", seed.a_token, body)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"exercises"}
    seed.assert_b_untouched(response.content.decode())
    assert not SessionLog.objects.filter(program=seed.a_program).exists()


def test_b_logs_never_show_in_a_progress(seed: Seed) -> None:
    pain = {"kind": "pain", "on": NOW.date().isoformat(), "pain_now": 7}
    assert _post("/me/logs", seed.b_token, pain).status_code == 201

    progress = _get("/me/progress", seed.a_token)

    assert progress.status_code == 200
    assert progress.json()["pains"] == []
    assert progress.json()["last_log"] is None


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("post", "/cancel", {}),
        ("post", "/reschedule", {"start": local(MONDAY + dt.timedelta(days=1), 9).isoformat()}),
    ],
)
def test_a_manage_token_never_opens_b_booking(
    seed: Seed, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    path = f"{API}/bookings/{seed.b_booking.pk}{suffix}"
    headers = {"Authorization": f"Bearer {seed.a_manage_token}"}
    client = Client()
    if body is None:
        response = client.get(path, headers=headers)
    else:
        response = client.post(
            path, data=json.dumps(body), content_type="application/json", headers=headers
        )

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}
    seed.assert_b_untouched(response.content.decode())


def test_personal_and_manage_tokens_do_not_stand_in_for_each_other(seed: Seed) -> None:
    assert _get(f"/bookings/{seed.a_booking.pk}", seed.a_token).status_code == 404
    assert _get("/me/program", seed.a_manage_token).status_code == 401
