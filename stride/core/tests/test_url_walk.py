"""Walk every URL of the URLconf as every kind of caller, against an explicit allow-table.

Callers: a visitor, the patient (Zelda), another patient, Zelda's therapist, another therapist,
front desk and a clinic admin. Each route of the URLconf must have a row in ``TABLE`` saying who
may open it; a route without a row fails the test, so a new page cannot ship unlisted. For every
caller the test asserts the status the table expects, that answers to signed-in callers and
private paths carry ``Cache-Control: no-store``, and that nothing leaks: Zelda's name never
reaches a patient or a visitor who is not Zelda, and her clinical record (program title, session
note, visit reason) reaches only Zelda, her therapist and the admin. Unsafe methods are sent by
every caller who may not use the page, and must change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.core.middleware import PRIVATE_PREFIXES
from stride.programs.models import ExerciseProgram, ProgramAlert, SessionLog
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.models import Appointment, TimeOff
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    BookingRulesFactory,
    LocationFactory,
    StaffUserFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Quimby"  # Zelda's surname: identity
CLINICAL = ("SECRET-TITLE", "SECRET-NOTE", "SECRET-REASON")  # Zelda's clinical record

ROLES = (
    "anonymous",
    "patient",
    "other_patient",
    "therapist",
    "other_therapist",
    "front_desk",
    "admin",
)
STAFF = ("therapist", "other_therapist", "front_desk", "admin")
PATIENTS = ("patient", "other_patient")
# Who may see Zelda's identity and her clinical record when a page shows them.
SEES_NAME = frozenset({"patient", *STAFF})
SEES_CLINICAL = frozenset({"patient", "therapist", "admin"})


@dataclass
class World:
    patient: User
    program: ExerciseProgram
    appointment: Appointment
    time_off: TimeOff
    alert: ProgramAlert
    users: dict[str, User | None]


@pytest.fixture
def world() -> World:
    location = LocationFactory.create(is_primary=True)
    BookingRulesFactory.create(location=location)
    therapist = TherapistFactory.create(location=location)
    other_therapist = TherapistFactory.create(location=location)
    patient = UserFactory.create(first_name="Zelda", last_name=NAME)
    other_patient = UserFactory.create(first_name="Olive", last_name="Other")
    program = program_prescribe(patient=patient, therapist=therapist, title="SECRET-TITLE")
    program_prescribe(patient=other_patient, therapist=other_therapist, title="Other's program")
    SessionLog.objects.create(
        program=program,
        version=version_current(program=program),
        on=program_today(program),
        completion="done",
        note="SECRET-NOTE",
    )
    alert = ProgramAlert.objects.create(
        program=program,
        kind="not_improving",
        severity="moderate",
        episode_key="walk",
        message_key="escalation.not_improving",
        since=program_today(program),
        flag_therapist=True,
        suggest_booking=True,
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    appointment = AppointmentFactory.create(
        therapist=therapist, patient=patient, start=start, reason="SECRET-REASON"
    )
    time_off = TimeOffFactory.create(therapist=therapist)
    users: dict[str, User | None] = {
        "anonymous": None,
        "patient": patient,
        "other_patient": other_patient,
        "therapist": therapist.user,
        "other_therapist": other_therapist.user,
        "front_desk": StaffUserFactory.create(role=Role.FRONT_DESK),
        "admin": UserFactory.create(role=Role.ADMIN, is_staff=True, email="admin@stridept.example"),
    }
    return World(patient, program, appointment, time_off, alert, users)


# --- The allow-table --------------------------------------------------------------------------

OK = frozenset({200})
GONE = frozenset({404})
REDIRECT = frozenset({301, 302, 303})
LOGIN = "login"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Row:
    """Who may open a route: the GET status per caller, and how to build its path."""

    path: Callable[[World], str]
    statuses: dict[str, frozenset[int] | str]
    unsafe: bool = False  # POST changes state: callers without 2xx/3xx on GET must be refused
    post_only: bool = False
    # POST statuses of the callers kept out, when GET cannot tell (a POST-only route answers
    # GET with 405 before it checks who asks); by default, those GET refuses or sends to sign-in.
    refuse: dict[str, frozenset[int] | str] | None = None
    skip_leak_check: frozenset[str] = field(default_factory=frozenset)


def _all(status: frozenset[int] | str) -> dict[str, frozenset[int] | str]:
    return dict.fromkeys(ROLES, status)


def public(path: str) -> Row:
    return Row(lambda w: path, _all(frozenset({200, 302})))


def patient_only(path: str, *, api: bool = False, unsafe: bool = False) -> Row:
    statuses: dict[str, frozenset[int] | str] = {role: frozenset({403}) for role in STAFF}
    statuses |= dict.fromkeys(PATIENTS, OK)
    statuses["anonymous"] = frozenset({401}) if api else LOGIN
    return Row(lambda w: path, statuses, unsafe=unsafe)


def _staff_statuses() -> dict[str, frozenset[int] | str]:
    statuses: dict[str, frozenset[int] | str] = dict.fromkeys(STAFF, OK)
    statuses |= dict.fromkeys(PATIENTS, frozenset({403}))
    statuses["anonymous"] = LOGIN
    return statuses


def staff_only(path: Callable[[World], str], *, unsafe: bool = False) -> Row:
    return Row(path, _staff_statuses(), unsafe=unsafe)


def clinical(path: Callable[[World], str], *, unsafe: bool = False, own: bool = True) -> Row:
    """A therapist's clinical page: their own patients only; front desk and patients refused."""
    statuses: dict[str, frozenset[int] | str] = {
        "therapist": OK,
        "admin": OK,
        "other_therapist": GONE if own else OK,
        "front_desk": frozenset({403}),
        "patient": frozenset({403}),
        "other_patient": frozenset({403}),
        "anonymous": LOGIN,
    }
    return Row(path, statuses, unsafe=unsafe)


def admin_only(path: str) -> Row:
    statuses: dict[str, frozenset[int] | str] = dict.fromkeys(
        ("therapist", "other_therapist", "front_desk", *PATIENTS), frozenset({403})
    )
    statuses |= {"admin": OK, "anonymous": LOGIN}
    return Row(lambda w: path, statuses)


def post_only(path: Callable[[World], str], refuse: dict[str, frozenset[int] | str]) -> Row:
    """A route that takes only POST: GET is 405 for everyone; ``refuse`` says who POST refuses."""
    return Row(path, _all(frozenset({405})), unsafe=True, post_only=True, refuse=refuse)


STAFF_POST_REFUSED: dict[str, frozenset[int] | str] = {
    **dict.fromkeys(PATIENTS, frozenset({403})),
    "anonymous": LOGIN,
}
CLINICAL_POST_REFUSED: dict[str, frozenset[int] | str] = {
    **STAFF_POST_REFUSED,
    "front_desk": frozenset({403}),
    "other_therapist": GONE,
}


def token(path: Callable[[World], str], status: frozenset[int]) -> Row:
    """A page whose secret token is the credential: a wrong token gets nothing, for anyone."""
    return Row(path, _all(status))


TABLE: dict[str, Row] = {
    # Site-wide and public content.
    "healthz": public("/healthz"),
    "robots.txt": public("/robots.txt"),
    "sitemap.xml": public("/sitemap.xml"),
    "": public("/"),
    "articles/": public("/articles/"),
    "articles/feed/": public("/articles/feed/"),
    "articles/<slug:slug>/": Row(lambda w: "/articles/no-such-article/", _all(GONE)),
    "faq/": public("/faq/"),
    "resources/": public("/resources/"),
    "search/": public("/search/?q=back"),
    "exercises/": public("/exercises/"),
    "exercises/<slug:slug>/": Row(lambda w: "/exercises/no-such-exercise/", _all(GONE)),
    "contact/": public("/contact/"),
    "contact/thanks/": public("/contact/thanks/"),
    r"^media/(?P<path>.+)$": Row(lambda w: "/media/exercises/none.png", _all(GONE)),
    # Booking (public) and the private manage links.
    "book/": public("/book/"),
    "book/therapist/": public("/book/therapist/"),
    "book/time/": public("/book/time/"),
    "book/details/": public("/book/details/"),
    "book/confirmed/": public("/book/confirmed/"),
    "appointments/<int:pk>/manage/<str:token>/": token(
        lambda w: f"/appointments/{w.appointment.pk}/manage/wrong-token/", GONE
    ),
    "appointments/<int:pk>/manage/<str:token>/calendar.ics": token(
        lambda w: f"/appointments/{w.appointment.pk}/manage/wrong-token/calendar.ics", GONE
    ),
    "appointments/<int:pk>/manage/<str:token>/cancel/": token(
        lambda w: f"/appointments/{w.appointment.pk}/manage/wrong-token/cancel/", GONE
    ),
    "appointments/<int:pk>/manage/<str:token>/reschedule/": token(
        lambda w: f"/appointments/{w.appointment.pk}/manage/wrong-token/reschedule/", GONE
    ),
    # Accounts.
    "accounts/sign-in/": public("/accounts/sign-in/"),
    "accounts/sign-in/email/": public("/accounts/sign-in/email/"),
    "accounts/sign-in/email/sent/": public("/accounts/sign-in/email/sent/"),
    "accounts/sign-out/": Row(
        lambda w: "/accounts/sign-out/", _all(frozenset({405})), post_only=True
    ),
    "accounts/link/<int:pk>/sign-in/": token(
        lambda w: "/accounts/link/999999/sign-in/", frozenset({410})
    ),
    "accounts/link/<int:pk>/<str:token>/": token(
        lambda w: "/accounts/link/999999/wrong-token/", frozenset({302, 410})
    ),
    "accounts/password/": Row(
        lambda w: "/accounts/password/",
        {**dict.fromkeys((*PATIENTS, *STAFF), OK), "anonymous": LOGIN},
    ),
    "accounts/password/done/": Row(
        lambda w: "/accounts/password/done/",
        {**dict.fromkeys((*PATIENTS, *STAFF), OK), "anonymous": LOGIN},
    ),
    "accounts/my-data/": patient_only("/accounts/my-data/"),
    "accounts/password-reset/": public("/accounts/password-reset/"),
    "accounts/password-reset/sent/": public("/accounts/password-reset/sent/"),
    "accounts/reset/done/": public("/accounts/reset/done/"),
    "accounts/reset/<uidb64>/<token>/": token(
        lambda w: "/accounts/reset/MQ/wrong-token/", frozenset({200})
    ),
    "accounts/two-factor/verify/": Row(
        lambda w: "/accounts/two-factor/verify/",
        {
            **dict.fromkeys(STAFF, frozenset({200, 302})),
            **dict.fromkeys(PATIENTS, frozenset({302, 403})),
            "anonymous": LOGIN,
        },
    ),
    "accounts/two-factor/setup/": Row(
        lambda w: "/accounts/two-factor/setup/",
        {
            **dict.fromkeys(STAFF, frozenset({200, 302})),
            **dict.fromkeys(PATIENTS, frozenset({302, 403})),
            "anonymous": LOGIN,
        },
    ),
    # The patient's own pages and API: no ids in the path, so no one else's rows to reach.
    "my/": patient_only("/my/"),
    "my/log/": patient_only("/my/log/", unsafe=True),
    "my/pain/": patient_only("/my/pain/", unsafe=True),
    "my/check-in/": patient_only("/my/check-in/", unsafe=True),
    "my/reminders/": patient_only("/my/reminders/", unsafe=True),
    "my/calendar/": patient_only("/my/calendar/", unsafe=True),
    r"^calendar/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$": token(
        lambda w: "/calendar/wrong-token-0123456789.ics", GONE
    ),
    "my/handout.pdf": Row(
        lambda w: "/my/handout.pdf",
        {
            **dict.fromkeys(STAFF, frozenset({403})),
            "patient": OK,
            "other_patient": OK,
            "anonymous": LOGIN,
        },
        skip_leak_check=frozenset({"patient", "other_patient"}),  # a PDF: checked in test_pdf
    ),
    "api/v1/me/program": patient_only("/api/v1/me/program", api=True),
    "api/v1/me/progress": patient_only("/api/v1/me/progress", api=True),
    "api/v1/me/logs": post_only(
        lambda w: "/api/v1/me/logs",
        {**dict.fromkeys(STAFF, frozenset({403})), "anonymous": frozenset({401})},
    ),
    # Public API.
    "api/v1/openapi.json": public("/api/v1/openapi.json"),
    "api/v1/docs": public("/api/v1/docs"),
    "api/v1/": Row(lambda w: "/api/v1/", _all(GONE)),
    "api/v1/appointment-types": public("/api/v1/appointment-types"),
    "api/v1/therapists": public("/api/v1/therapists"),
    "api/v1/availability": Row(lambda w: "/api/v1/availability", _all(frozenset({422}))),
    "api/v1/exercises": public("/api/v1/exercises"),
    "api/v1/exercises/<slug>": Row(lambda w: "/api/v1/exercises/none", _all(GONE)),
    "api/v1/bookings": Row(lambda w: "/api/v1/bookings", _all(frozenset({405})), post_only=True),
    "api/v1/bookings/<int:booking_id>": Row(
        lambda w: f"/api/v1/bookings/{w.appointment.pk}", _all(frozenset({401, 404}))
    ),
    "api/v1/bookings/<int:booking_id>/cancel": post_only(
        lambda w: f"/api/v1/bookings/{w.appointment.pk}/cancel",
        dict.fromkeys(ROLES, frozenset({401, 404})),  # only the booking's manage token may
    ),
    "api/v1/bookings/<int:booking_id>/reschedule": post_only(
        lambda w: f"/api/v1/bookings/{w.appointment.pk}/reschedule",
        dict.fromkeys(ROLES, frozenset({401, 404})),
    ),
    # FHIR: public directory resources; appointments need a signed-in caller.
    "fhir/metadata": public("/fhir/metadata"),
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/?$": Row(
        lambda w: "/fhir/Appointment",
        {**dict.fromkeys((*PATIENTS, *STAFF), OK), "anonymous": frozenset({401})},
    ),
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/_search/?$": Row(
        lambda w: "/fhir/Appointment/_search", _all(frozenset({405})), post_only=True
    ),
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/(?P<resource_id>[A-Za-z0-9.-]{1,64})/?$": Row(
        lambda w: f"/fhir/Appointment/{w.appointment.pk}",
        {
            **dict.fromkeys(STAFF, OK),
            "patient": OK,
            "other_patient": GONE,
            "anonymous": frozenset({401}),
        },
        # FHIR staff views show the patient reference, never the reason (stride/fhir tests).
    ),
    r"fhir/^(?P<path>[\s\S]*)$": Row(lambda w: "/fhir/NoSuchThing/1/2", _all(GONE)),
    # Staff: the clinic's calendar and bookings (front desk included).
    "staff/": Row(
        lambda w: "/staff/",
        {**_staff_statuses(), **dict.fromkeys(STAFF, REDIRECT)},
    ),
    "staff/calendar/": staff_only(lambda w: "/staff/calendar/"),
    "staff/appointments/new/": staff_only(lambda w: "/staff/appointments/new/", unsafe=True),
    # A therapist handles their own visits; front desk and the admin everyone's.
    "staff/appointments/<int:pk>/move/": Row(
        lambda w: f"/staff/appointments/{w.appointment.pk}/move/",
        {**_staff_statuses(), "other_therapist": GONE},
        unsafe=True,
    ),
    "staff/appointments/<int:pk>/cancel/": Row(
        lambda w: f"/staff/appointments/{w.appointment.pk}/cancel/",
        {**_staff_statuses(), "other_therapist": GONE},
        unsafe=True,
    ),
    "staff/appointments/<int:pk>/mark/": post_only(
        lambda w: f"/staff/appointments/{w.appointment.pk}/mark/",
        {**STAFF_POST_REFUSED, "other_therapist": GONE},
    ),
    "staff/time-off/": staff_only(lambda w: "/staff/time-off/", unsafe=True),
    "staff/time-off/<int:pk>/delete/": post_only(
        lambda w: f"/staff/time-off/{w.time_off.pk}/delete/",
        {**STAFF_POST_REFUSED, "other_therapist": frozenset({403, 404})},
    ),
    "staff/calendar-feed/": staff_only(lambda w: "/staff/calendar-feed/", unsafe=True),
    r"staff/^feeds/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$": token(
        lambda w: "/staff/feeds/wrong-token-0123456789.ics", GONE
    ),
    # Staff: clinical records (therapists their own patients, the admin all).
    "staff/patients/": clinical(lambda w: "/staff/patients/", own=False),
    "staff/patients/<int:pk>/": clinical(lambda w: f"/staff/patients/{w.patient.pk}/"),
    "staff/patients/<int:pk>/programs/new/": clinical(
        lambda w: f"/staff/patients/{w.patient.pk}/programs/new/", unsafe=True
    ),
    "staff/programs/<int:pk>/edit/": clinical(
        lambda w: f"/staff/programs/{w.program.pk}/edit/", unsafe=True
    ),
    "staff/programs/<int:pk>/status/": post_only(
        lambda w: f"/staff/programs/{w.program.pk}/status/", CLINICAL_POST_REFUSED
    ),
    "staff/programs/<int:pk>/symptoms/resolve/": post_only(
        lambda w: f"/staff/programs/{w.program.pk}/symptoms/resolve/", CLINICAL_POST_REFUSED
    ),
    "staff/alerts/<int:pk>/acknowledge/": post_only(
        lambda w: f"/staff/alerts/{w.alert.pk}/acknowledge/", CLINICAL_POST_REFUSED
    ),
    # Staff: the audit log is for the clinic admin.
    "staff/audit/": admin_only("/staff/audit/"),
    "staff/audit/export.csv": admin_only("/staff/audit/export.csv"),
}


def _routes(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.urlconf_name is admin.site.urls[0] or str(pattern.pattern) == "admin/":
                continue  # Django's admin: its own permission system, tested in test_admin_*
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if not route.startswith("admin/"):
                yield route


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


def test_every_route_of_the_urlconf_is_in_the_allow_table() -> None:
    missing = [route for route in ROUTES if route not in TABLE]
    stale = [route for route in TABLE if route not in ROUTES]
    assert missing == [], f"add these routes to TABLE in {__file__}"
    assert stale == [], "these TABLE rows name routes that no longer exist"


def _client(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _assert_status(response, expected: frozenset[int] | str, where: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith("/accounts/sign-in/"), where
    else:
        assert response.status_code in expected, f"{where}: got {response.status_code}"


def _assert_no_leak(body: str, role: str, where: str) -> None:
    if role not in SEES_NAME:
        assert NAME not in body, f"{where} shows Zelda's name"
    if role not in SEES_CLINICAL:
        for secret in CLINICAL:
            assert secret not in body, f"{where} shows {secret}"


@pytest.mark.parametrize("route", sorted(TABLE))
def test_route_answers_each_caller_as_the_table_says(world: World, route: str) -> None:
    row = TABLE[route]
    path = row.path(world)
    for role in ROLES:
        where = f"GET {path} as {role}"
        response = _client(world, role).get(path)
        _assert_status(response, row.statuses[role], where)
        if role != "anonymous" or path.startswith(PRIVATE_PREFIXES):
            # Patient, staff and API answers never enter a cache, whatever their status.
            assert "no-store" in response.get("Cache-Control", ""), f"{where}: cacheable"
        if role not in row.skip_leak_check:
            _assert_no_leak(_body(response), role, where)


def _state(world: World) -> tuple:
    world.program.refresh_from_db()
    world.appointment.refresh_from_db()
    return (
        world.program.status,
        world.program.versions.count(),
        world.appointment.status,
        world.appointment.start,
        TimeOff.objects.filter(pk=world.time_off.pk).exists(),
        ProgramAlert.objects.get(pk=world.alert.pk).acknowledged_at,
        SessionLog.objects.count(),
        Appointment.objects.count(),
        ExerciseProgram.objects.count(),
    )


REFUSED = frozenset({401, 403, 404, 405})


@pytest.mark.parametrize("route", sorted(r for r, row in TABLE.items() if row.unsafe))
def test_unsafe_route_refuses_callers_the_table_keeps_out(world: World, route: str) -> None:
    row = TABLE[route]
    path = row.path(world)
    before = _state(world)
    refuse = row.refuse or {
        role: status
        for role, status in row.statuses.items()
        if status == LOGIN or (isinstance(status, frozenset) and status <= REFUSED - {405})
    }
    assert refuse, "an unsafe route that lets everyone in needs no refusal check"
    for role, expected in refuse.items():
        response = _client(world, role).post(
            path, {"action": "end", "completion": "done", "start": "2030-01-01T10:00"}
        )
        where = f"POST {path} as {role}"
        _assert_status(response, expected, where)
        _assert_no_leak(_body(response), role, where)
    assert _state(world) == before
