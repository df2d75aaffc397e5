"""The cases of the bad-input test: how to reach and fill every form, query and JSON body.

``test_bad_input`` runs them. ``FORMS`` and ``GET_FORMS`` hold a case per route with a form (by
POST, and by GET for searches and filters), ``QUERIES`` a probe per route of the URLconf, and
``JSON_CASES`` and ``FHIR_POSTS`` the API's and FHIR's JSON bodies. Each case names a caller the
URL walk's allow-table lets in and the valid values that the hostile ones then replace.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django import forms as django_forms
from django.test import Client
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from stride.accounts.models import User
from stride.accounts.services import sign_in_link_create
from stride.core.tests.bad_input import (
    CRLF_VALUE,
    EMPTY,
    HUGE_INT,
    NO_SUCH_DATE,
    Form,
    Hostile,
    context_forms,
    hostile_for,
)
from stride.core.tests.test_url_walk import World, _client
from stride.programs.models import SymptomReport
from stride.programs.selectors.programs import program_today
from stride.scheduling.models import Appointment, manage_token_hash
from stride.scheduling.tests.factories import AppointmentFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # the factories' password
# Bookkeeping that a refused request may still write: sessions, the audit log (which records
# refusals), rate-limit counters and django-axes's sign-in attempts.
BOOKKEEPING = frozenset(
    {
        "django_session",
        "audit_auditevent",
        "core_ratelimitcounter",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
)
# Read by no view; the test client does not check CSRF.
NOT_READ = frozenset({"csrfmiddlewaretoken"})
# Context variables in which pages tell what was wrong with a submission outside any form.
PAGE_MESSAGES = ("problem", "template_error")


# --- The world ----------------------------------------------------------------------------------


@dataclass
class Bad:
    """The URL walk's world plus what forms need: a bookable visit, tokens, a second patient."""

    world: World
    manage_token: str
    newcomer: User  # a patient of the therapist without a program
    picked: dict[str, str] = field(default_factory=dict)  # values a page offered, by name

    @property
    def appointment(self) -> Appointment:
        return self.world.appointment

    def therapist(self) -> Any:
        return self.world.appointment.therapist

    def local_date(self, days: int) -> dt.date:
        """Return the first weekday at least ``days`` days from today in the clinic's zone on
        which the therapist works (not the day of the world's time off)."""
        tz = self.therapist().location.tzinfo
        away = self.world.time_off.start.astimezone(tz).date()
        day = timezone.now().astimezone(tz).date() + dt.timedelta(days=days)
        while day.weekday() >= 5 or day == away:
            day += dt.timedelta(days=1)
        return day


def bad_world(world: World) -> Bad:
    """Add to the URL walk's world a visit type its therapist offers online, a manage token for
    Zelda's visit and a newcomer (a patient of the therapist without a program)."""
    appointment = world.appointment
    appointment.therapist.appointment_types.add(appointment.appointment_type)
    token = secrets.token_urlsafe(32)
    Appointment.objects.filter(pk=appointment.pk).update(manage_token_hash=manage_token_hash(token))
    appointment.refresh_from_db()
    newcomer = UserFactory.create(first_name="Nina", last_name="Newcomer")
    AppointmentFactory.create(
        therapist=appointment.therapist,
        appointment_type=appointment.appointment_type,
        patient=newcomer,
        start=appointment.start + dt.timedelta(days=2),
    )
    return Bad(world=world, manage_token=token, newcomer=newcomer)


def _first_link(client: Client, page: str, prefix: str) -> str:
    """Return the first link on ``page`` that starts with ``prefix`` (a free time's link)."""
    body = client.get(page).content.decode()
    match = re.search(rf'href="({re.escape(prefix)}[^"]*start=[^"]*)"', body)
    assert match, f"no link to {prefix} on {page}"
    return html.unescape(match.group(1))


def caller(bad: Bad, role: str) -> Client:
    """Return a client signed in as one of the walk's callers, or as the newcomer."""
    if role != "newcomer":
        return _client(bad.world, role)
    client = Client()
    client.force_login(bad.newcomer)
    return client


def manage_path(bad: Bad, suffix: str = "") -> str:
    return f"/appointments/{bad.appointment.pk}/manage/{bad.manage_token}/{suffix}"


# --- Field kinds ----------------------------------------------------------------------------------

TEXT, BOOL, TYPED, ANY = "text", "bool", "typed", "any"


@dataclass(frozen=True)
class Kind:
    """What a field takes: free ``text``, a ``bool`` (any value is "on"), a ``typed`` value
    (a number, date, choice, address...) or ``any`` (a value the view ignores when wrong).

    ``wrong`` is the field's own wrong type: a number too large for any column, a date that
    does not exist.
    """

    name: str
    required: bool = False
    wrong: Hostile | None = HUGE_INT

    def must_refuse(self, value: Hostile) -> bool:
        """Return whether ``value`` is wrong for the field, so a submission must be refused."""
        if value is EMPTY:
            return self.required
        if self.name == TEXT:
            return value.kind in ("oversized", "nul")
        return self.name == TYPED

    def values(self, index: int) -> tuple[Hostile, ...]:
        """Return the hostile values to send the field (``index``: its place in the form)."""
        return hostile_for(self.name, self.wrong, index)


_DATE_FIELDS = (
    django_forms.DateField,
    django_forms.DateTimeField,
    django_forms.TimeField,
)


def kind_of(formfield: django_forms.Field) -> Kind:
    """Return what a Django form field takes.

    CharField itself and its multi-line variant take free text; its subclasses (email, slug,
    the booking's start, the sign-in username) and every other field take typed values.
    """
    if isinstance(formfield, django_forms.BooleanField):
        return Kind(BOOL, formfield.required)
    if type(formfield) is django_forms.CharField or type(formfield).__name__ == "MultiLineField":
        return Kind(TEXT, formfield.required, wrong=None)
    if isinstance(formfield, django_forms.EmailField):
        return Kind(TYPED, formfield.required, wrong=CRLF_VALUE)  # a header's break
    dated = isinstance(formfield, _DATE_FIELDS) or type(formfield).__name__ == "StartField"
    return Kind(TYPED, formfield.required, wrong=NO_SUCH_DATE if dated else HUGE_INT)


def field_kinds(response: Any) -> dict[str, Kind]:
    """Return the kind of every field of the forms a page was rendered with, by HTML name."""
    kinds: dict[str, Kind] = {}
    for form in context_forms(response):
        for name, formfield in form.fields.items():
            kinds.setdefault(form.add_prefix(name), kind_of(formfield))
    return kinds


# --- Form cases -----------------------------------------------------------------------------------

Values = dict[str, str | list[str]]


@dataclass(frozen=True)
class FormCase:
    """How to reach a route's form, fill it validly, and what the route answers.

    ``page`` returns the path of the page showing the form (it may open other pages first, as
    the route's users do; ``setup`` adds rows the page needs); ``valid`` the values that, over
    the page's own, make a valid submission; ``action`` where the form sends, when not to its
    page. A valid submission answers one of ``ok``; a refused one one of ``refused``, with its
    messages where ``shown`` says: ``form`` (on the form shown again, by the field at fault,
    or the page's own message of ``PAGE_MESSAGES``), ``text`` (a plain-text answer) or
    ``flash`` (a redirect with an error message). ``message`` replaces them all on a page that
    says the same whatever was wrong (the sign-in page, which must not tell which).
    ``shows`` names the pages that show what the form stores, opened when markup is accepted.
    """

    role: str
    page: Callable[[Bad, Client], str]
    valid: Callable[[Bad, Form], Values] = lambda bad, form: {}
    action: Callable[[Bad], str] | None = None
    ok: frozenset[int] = frozenset({302, 303})
    refused: frozenset[int] = frozenset({400})
    shown: str = "form"
    message: str = ""  # the one message every refusal shows, when the page names no field
    kinds: dict[str, Kind] = field(default_factory=dict)  # fields no Django form describes
    skip: str = r"\A\Z"  # a regex of field names not fuzzed (repeats of a fuzzed row)
    one_of: str = r"\A\Z"  # a regex of fields of which only the first is fuzzed
    may_change: frozenset[str] = frozenset()  # tables a refusal may still write
    shows: tuple[tuple[str, Callable[[Bad], str]], ...] = ()  # (role, page) showing the values
    setup: Callable[[Bad], object] | None = None
    method: str = "post"
    emails: bool = False  # the valid submission sends email (its headers are then checked)


def _page(path: str) -> Callable[[Bad, Client], str]:
    return lambda bad, client: path


def _book_details(bad: Bad, client: Client) -> str:
    query = urlencode(
        {"type": bad.appointment.appointment_type.slug, "therapist": bad.therapist().slug}
    )
    page = _first_link(client, f"/book/time/?{query}", "/book/details/?")
    bad.picked["start"] = dict(parse_qsl(urlsplit(page).query))["start"]
    return page


def _booked_day(bad: Bad) -> str:
    """Return the staff calendar of the day of the time the booking page offered."""
    day = dt.datetime.fromisoformat(bad.picked["start"]).date()
    return f"/staff/calendar/?view=day&date={day}&therapist={bad.appointment.therapist_id}"


def _reschedule(bad: Bad, client: Client) -> str:
    return _first_link(client, manage_path(bad, "reschedule/"), manage_path(bad, "reschedule/?"))


def _link_confirm(bad: Bad, client: Client) -> str:
    link, token = sign_in_link_create(user=bad.world.patient, purpose="sign_in")
    client.get(f"/accounts/link/{link.pk}/{token}/")
    return f"/accounts/link/{link.pk}/sign-in/"


def _reset_confirm(bad: Bad, client: Client) -> str:
    from django.contrib.auth.tokens import default_token_generator

    patient = bad.world.patient
    uid = urlsafe_base64_encode(str(patient.pk).encode())
    token = default_token_generator.make_token(patient)
    response = client.get(f"/accounts/reset/{uid}/{token}/")
    assert response.status_code == 302, response.status_code
    return response["Location"]


def _totp_code(device: Any) -> str:
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def verify_setup(bad: Bad) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = bad.world.users["front_desk"]
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _verify_code(bad: Bad, form: Form) -> Values:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=bad.world.users["front_desk"], confirmed=True)
    return {"code": _totp_code(device)}


def _setup_code(bad: Bad, form: Form) -> Values:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=bad.world.users["admin"], confirmed=False)
    return {"code": _totp_code(device)}


def _calendar_day(bad: Bad) -> str:
    appointment = bad.appointment
    day = appointment.start.astimezone(appointment.location.tzinfo).date()
    return f"/staff/calendar/?view=day&date={day}&therapist={appointment.therapist_id}"


def _staff_booking(bad: Bad, form: Form) -> Values:
    appointment = bad.appointment
    return {
        "therapist": str(appointment.therapist_id),
        "appointment_type": str(appointment.appointment_type_id),
        "date": bad.local_date(15).isoformat(),
        "time": "10:00",
        "email": "walk-in@example.org",
        "name": "Walk In",
        "phone": "718 555 0199",
    }


def _move(bad: Bad, form: Form) -> Values:
    return {"date": bad.local_date(16).isoformat(), "time": "10:00"}


def _time_off(bad: Bad, form: Form) -> Values:
    day = bad.local_date(30).isoformat()
    return {
        "therapist": str(bad.appointment.therapist_id),
        "start": f"{day}T09:00",
        "end": f"{day}T12:00",
    }


def _first_exercise(bad: Bad, form: Form) -> Values:
    choices = [value for value in form.choices("items-0-exercise") if value]
    return {
        "title": "Knee program",
        "items-0-exercise": choices[0],
        "items-0-sets": "2",
        "items-0-reps": "10",
    }


def _today(bad: Bad) -> str:
    return program_today(bad.world.program).isoformat()


BOOKING_DETAILS: Values = {
    "name": "Pat Example",
    "email": "pat.example@example.org",
    "phone": "718 555 0101",
    "date_of_birth": "1980-03-27",
    "reason": "Knee pain after running.",
    "consent": "on",
}
NEXT = {"next": Kind(ANY)}
# Django's formsets read these and use only TOTAL_FORMS (this builder counts no initial rows).
MANAGEMENT = {"items-INITIAL_FORMS": Kind(ANY)}
# The exercise rows: row 0 stands for the others, and sets for the order and the other doses
# (optional IntegerFields with bounds, made by one factory).
# MIN_NUM_FORMS and MAX_NUM_FORMS are the same IntegerField as INITIAL_FORMS.
ROWS_SKIPPED = (
    r"\Aitems-([1-9]|\d+-(position|reps|hold_seconds|minutes|times_per_day|days_per_week)\Z"
    r"|(MIN|MAX)_NUM_FORMS\Z)"
)
ACTION = {"action": Kind(TYPED, required=True)}
ALWAYS_OK = frozenset({302, 303})

FORMS: dict[str, FormCase] = {
    # Public pages.
    "contact/": FormCase(
        "anonymous",
        _page("/contact/"),
        lambda bad, form: {
            "name": "Pat Example",
            "email": "pat.example@example.org",
            "message": "I would like to ask about knee pain after running.",
        },
        ok=frozenset({303}),
        refused=frozenset({200}),
        kinds={"website": Kind(ANY)},  # the honeypot: anything in it is quietly dropped
        emails=True,
    ),
    "book/details/": FormCase(
        "anonymous",
        _book_details,
        lambda bad, form: BOOKING_DETAILS,
        ok=frozenset({303}),
        refused=frozenset({200}),
        shows=(("front_desk", _booked_day),),
        emails=True,
    ),
    "appointments/<int:pk>/manage/<str:token>/cancel/": FormCase(
        "anonymous",
        lambda bad, client: manage_path(bad, "cancel/"),
        ok=frozenset({303}),
        emails=True,
    ),
    "appointments/<int:pk>/manage/<str:token>/reschedule/": FormCase(
        "anonymous",
        _reschedule,
        ok=frozenset({303}),
        refused=frozenset({200}),
        kinds={"therapist": Kind(ANY), "start": Kind(TYPED, required=True)},
        emails=True,
    ),
    # Accounts.
    "accounts/sign-in/": FormCase(
        "anonymous",
        _page("/accounts/sign-in/"),
        lambda bad, form: {"username": bad.world.patient.email, "password": PASSWORD},
        ok=frozenset({302}),
        refused=frozenset({200}),
        message="Your email and password didn't match. Please try again.",
        kinds=NEXT,
    ),
    "accounts/sign-in/email/": FormCase(
        "anonymous",
        _page("/accounts/sign-in/email/"),
        lambda bad, form: {"email": bad.world.patient.email},
        ok=frozenset({303}),
        refused=frozenset({200}),
        emails=True,
    ),
    "accounts/link/<int:pk>/sign-in/": FormCase(
        "anonymous", _link_confirm, ok=frozenset({303}), refused=frozenset({410}), kinds=NEXT
    ),
    "accounts/sign-out/": FormCase(
        "front_desk",
        _page("/staff/time-off/"),
        action=lambda bad: "/accounts/sign-out/",
        ok=ALWAYS_OK,
    ),
    "accounts/password/": FormCase(
        "patient",
        _page("/accounts/password/"),
        lambda bad, form: {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase 2026",
            "new_password2": "a brand new passphrase 2026",
        },
        ok=frozenset({302}),
        refused=frozenset({200}),
    ),
    "accounts/password-reset/": FormCase(
        "anonymous",
        _page("/accounts/password-reset/"),
        lambda bad, form: {"email": bad.world.patient.email},
        ok=frozenset({302}),
        refused=frozenset({200}),
        emails=True,
    ),
    "accounts/reset/<uidb64>/<token>/": FormCase(
        "anonymous",
        _reset_confirm,
        lambda bad, form: {
            "new_password1": "a brand new passphrase 2026",
            "new_password2": "a brand new passphrase 2026",
        },
        ok=frozenset({302}),
        refused=frozenset({200}),
    ),
    "accounts/two-factor/verify/": FormCase(
        "front_desk",
        _page("/accounts/two-factor/verify/"),
        _verify_code,
        ok=frozenset({303}),
        refused=frozenset({200}),
        kinds=NEXT,
        may_change=frozenset({"otp_totp_totpdevice", "otp_static_staticdevice"}),
        setup=verify_setup,
    ),
    "accounts/two-factor/setup/": FormCase(
        "admin",
        _page("/accounts/two-factor/setup/"),
        _setup_code,
        ok=frozenset({200}),  # the recovery codes, shown once
        refused=frozenset({200}),
        kinds=NEXT,
        may_change=frozenset({"otp_totp_totpdevice"}),
    ),
    # The patient's pages.
    "my/log/": FormCase(
        "patient",
        _page("/my/log/"),
        lambda bad, form: {"on": _today(bad), "completion": "done", "pain_now": "3"},
        ok=frozenset({303}),
        refused=frozenset({200}),
        one_of=r"\Aexercise-\d+\Z",  # the first exercise's answer stands for the others
        shows=(("patient", lambda bad: "/my/"), ("therapist", lambda bad: patient_page(bad))),
    ),
    "my/pain/": FormCase(
        "patient",
        _page("/my/pain/"),
        lambda bad, form: {"on": _today(bad), "nprs": "3"},
        ok=frozenset({303}),
        refused=frozenset({200}),
        shows=(("therapist", lambda bad: patient_page(bad)),),
    ),
    "my/check-in/": FormCase(
        "patient",
        _page("/my/check-in/"),
        lambda bad, form: {
            "activity_1": "Climbing stairs",
            "rating_1": "4",
            "activity_2": "Running",
            "rating_2": "2",
            "activity_3": "Lifting a child",
            "rating_3": "5",
        },
        ok=frozenset({303}),
        refused=frozenset({200}),
        skip=r"\A(activity|rating)_[2-5]\Z",  # the same fields as row 1
        shows=(("patient", lambda bad: "/my/"), ("therapist", lambda bad: patient_page(bad))),
    ),
    "my/reminders/": FormCase(
        "patient",
        _page("/my/reminders/"),
        lambda bad, form: {"at": "18:00"},
        ok=frozenset({303}),
        refused=frozenset({200}),
    ),
    "my/calendar/": FormCase(
        "patient",
        _page("/my/calendar/"),
        lambda bad, form: {"action": "rotate"},
        ok=frozenset({303}),
        shown="text",
        kinds=ACTION,
    ),
    # Staff: the calendar and bookings.
    "staff/appointments/new/": FormCase(
        "front_desk",
        _page("/staff/appointments/new/"),
        _staff_booking,
        ok=frozenset({302}),
        shows=(("front_desk", lambda bad: f"/staff/calendar/?view=day&date={bad.local_date(15)}"),),
        emails=True,
    ),
    "staff/appointments/<int:pk>/move/": FormCase(
        "front_desk",
        lambda bad, client: f"/staff/appointments/{bad.appointment.pk}/move/",
        _move,
        ok=frozenset({302}),
        emails=True,
    ),
    "staff/appointments/<int:pk>/cancel/": FormCase(
        "front_desk",
        lambda bad, client: f"/staff/appointments/{bad.appointment.pk}/cancel/",
        ok=frozenset({302}),
        kinds=NEXT,
        emails=True,
    ),
    "staff/appointments/<int:pk>/mark/": FormCase(
        "front_desk",
        lambda bad, client: _calendar_day(bad),
        action=lambda bad: f"/staff/appointments/{bad.appointment.pk}/mark/",
        ok=frozenset({302}),
        shown="flash",
        kinds={"status": Kind(TYPED, required=True), **NEXT},
    ),
    "staff/time-off/": FormCase(
        "front_desk",
        _page("/staff/time-off/"),
        _time_off,
        ok=frozenset({302}),
        shows=(("front_desk", lambda bad: "/staff/time-off/"),),
    ),
    "staff/time-off/<int:pk>/delete/": FormCase(
        "front_desk",
        _page("/staff/time-off/"),
        action=lambda bad: f"/staff/time-off/{bad.world.time_off.pk}/delete/",
        ok=frozenset({302}),
    ),
    "staff/calendar-feed/": FormCase(
        "therapist",
        _page("/staff/calendar-feed/"),
        lambda bad, form: {"action": "rotate"},
        ok=frozenset({302}),
        shown="text",
        kinds=ACTION,
    ),
    # Staff: clinical records.
    "staff/patients/<int:pk>/programs/new/": FormCase(
        "therapist",
        lambda bad, client: f"/staff/patients/{bad.newcomer.pk}/programs/new/?template=",
        _first_exercise,
        ok=frozenset({302}),
        kinds=MANAGEMENT,
        skip=ROWS_SKIPPED,
        shows=(
            ("therapist", lambda bad: f"/staff/patients/{bad.newcomer.pk}/"),
            ("newcomer", lambda bad: "/my/"),
        ),
        emails=True,
    ),
    "staff/programs/<int:pk>/edit/": FormCase(
        "therapist",
        lambda bad, client: f"/staff/programs/{bad.world.program.pk}/edit/",
        lambda bad, form: {"change_note": "Fewer repetitions.", "items-0-reps": "8"},
        ok=frozenset({302}),
        # Only the change note is the revision's own: the dates, the sessions and the exercise
        # rows are the same fields as a new program's, fuzzed there.
        skip=r"\A(items-|start_date\Z|review_date\Z|sessions_per_week\Z)",
        shows=(("therapist", lambda bad: patient_page(bad)), ("patient", lambda bad: "/my/")),
    ),
    "staff/programs/<int:pk>/status/": FormCase(
        "therapist",
        lambda bad, client: patient_page(bad),
        lambda bad, form: {"action": "pause"},
        action=lambda bad: f"/staff/programs/{bad.world.program.pk}/status/",
        ok=frozenset({302}),
        shown="text",
        kinds=ACTION,
    ),
    "staff/programs/<int:pk>/symptoms/resolve/": FormCase(
        "therapist",
        lambda bad, client: patient_page(bad),
        action=lambda bad: f"/staff/programs/{bad.world.program.pk}/symptoms/resolve/",
        ok=frozenset({302}),
        setup=lambda bad: SymptomReport.objects.create(
            program=bad.world.program, on=program_today(bad.world.program), code="fever"
        ),
    ),
    "staff/alerts/<int:pk>/acknowledge/": FormCase(
        "therapist",
        lambda bad, client: patient_page(bad),
        action=lambda bad: f"/staff/alerts/{bad.world.alert.pk}/acknowledge/",
        ok=frozenset({302}),
    ),
}


def patient_page(bad: Bad) -> str:
    return f"/staff/patients/{bad.world.patient.pk}/"


# Forms that GET: searches and filters. A refusal is a 400 with the field's message, but for
# the public search and the booking's first step, which show the message with a 200.
GET_FORMS: dict[str, FormCase] = {
    "search/": FormCase(
        "anonymous",
        _page("/search/?q=back"),
        lambda bad, form: {"q": "back pain"},
        action=lambda bad: "/search/",
        ok=frozenset({200}),
        refused=frozenset({200}),
        method="get",
    ),
    "exercises/": FormCase(
        "anonymous",
        _page("/exercises/"),
        ok=frozenset({200}),
        refused=frozenset(),
        # Unknown values list nothing and say so; no Django form reads them.
        kinds={"category": Kind(ANY), "region": Kind(ANY)},
        method="get",
    ),
    "book/therapist/": FormCase(
        "anonymous",
        _page("/book/"),
        lambda bad, form: {"type": bad.appointment.appointment_type.slug},
        action=lambda bad: "/book/therapist/",
        ok=frozenset({200}),
        refused=frozenset({200}),
        method="get",
    ),
    "staff/calendar/": FormCase(
        "front_desk",
        _page("/staff/calendar/"),
        # One location's week; a therapist, when given, would take its place.
        lambda bad, form: {"therapist": "", "location": str(bad.appointment.location_id)},
        ok=frozenset({200}),
        method="get",
    ),
    "staff/patients/": FormCase(
        "therapist",
        _page("/staff/patients/"),
        lambda bad, form: {"q": "Quimby"},
        ok=frozenset({200}),
        method="get",
    ),
    "staff/patients/<int:pk>/programs/new/": FormCase(
        "therapist",
        lambda bad, client: f"/staff/patients/{bad.newcomer.pk}/programs/new/",
        ok=frozenset({200}),
        kinds={"template": Kind(TYPED)},  # a template's slug, or empty to start from nothing
        method="get",
    ),
    "staff/audit/": FormCase(
        "admin",
        _page("/staff/audit/"),
        lambda bad, form: {"date_from": "2026-01-01", "actor": "admin"},
        ok=frozenset({200}),
        method="get",
    ),
}
ALL_FORMS = {
    **{f"POST {route}": case for route, case in FORMS.items()},
    **{f"GET {route}": case for route, case in GET_FORMS.items()},
}

# --- Query strings and path segments ------------------------------------------------------------

API_PARAMS = "<the OpenAPI document's parameters>"
FHIR_PARAMS = "<the CapabilityStatement's search parameters>"


@dataclass(frozen=True)
class Probe:
    """GET requests to one route: who asks, where, and the query parameters the view reads.

    Each parameter (and an unknown one) gets every hostile value; ``segment`` builds the path
    with a hostile value in place of its variable parts (a slug, a token). ``API_PARAMS`` reads
    the parameters from the API's OpenAPI document, ``FHIR_PARAMS`` from the FHIR
    CapabilityStatement, so new ones are probed without a change here.
    """

    role: str
    path: Callable[[Bad], str]
    params: tuple[str, ...] | str = ()
    segment: Callable[[Bad, str], str] | None = None
    method: str = "GET"  # POST: the parameters go in a form-encoded body (FHIR's _search)
    may_change: frozenset[str] = frozenset()
    setup: Callable[[Bad], object] | None = None


def _probe(path: str, *params: str, role: str = "anonymous") -> tuple[Probe, ...]:
    return (Probe(role, lambda bad: path, params),)


def _segment(role: str, path: Callable[[Bad], str], segment: Callable[[Bad, str], str]) -> Probe:
    return Probe(role, path, (), segment)


FHIR_TYPES = ("Practitioner", "Schedule", "Slot", "Appointment")


def _fhir_search(resource_type: str, suffix: str) -> Probe:
    """Search ``resource_type`` by GET, or by a form-encoded POST to ``_search``."""
    path = f"/fhir/{resource_type}{suffix}"
    return Probe("therapist", lambda bad: path, FHIR_PARAMS, method="POST" if suffix else "GET")


def _fhir_read(resource_type: str) -> Probe:
    """Read one ``resource_type`` by an id that is a hostile value."""
    return _segment(
        "patient",
        lambda bad: f"/fhir/{resource_type}/1",
        lambda bad, v: f"/fhir/{resource_type}/{v}",
    )


MANAGE_PATH = "appointments/<int:pk>/manage/<str:token>/"
# Every route of the URLconf: the query parameters its view reads besides a GET_FORMS form's
# (fuzzed field by field there) and its path segments; each also gets an unknown parameter.
QUERIES: dict[str, tuple[Probe, ...]] = {
    "": _probe("/"),
    "healthz": _probe("/healthz"),
    "robots.txt": _probe("/robots.txt"),
    "sitemap.xml": _probe("/sitemap.xml"),
    "articles/": _probe("/articles/", "condition"),
    "articles/feed/": _probe("/articles/feed/"),
    "articles/<slug:slug>/": (
        _segment("anonymous", lambda bad: "/articles/x/", lambda bad, v: f"/articles/{v}/"),
    ),
    "faq/": _probe("/faq/"),
    "resources/": _probe("/resources/"),
    "search/": _probe("/search/"),
    "exercises/": _probe("/exercises/"),
    "exercises/<slug:slug>/": (
        _segment("anonymous", lambda bad: "/exercises/x/", lambda bad, v: f"/exercises/{v}/"),
    ),
    "contact/": _probe("/contact/"),
    "contact/thanks/": _probe("/contact/thanks/"),
    r"^media/(?P<path>.+)$": (
        _segment("anonymous", lambda bad: "/media/x.png", lambda bad, v: f"/media/{v}"),
    ),
    # Booking.
    "book/": _probe("/book/", "type"),
    "book/therapist/": (
        Probe("anonymous", lambda bad: f"/book/therapist/?{_choice(bad)}", ("therapist",)),
    ),
    "book/time/": (
        Probe(
            "anonymous", lambda bad: f"/book/time/?{_choice(bad)}", ("type", "therapist", "week")
        ),
    ),
    "book/details/": (
        Probe(
            "anonymous",
            lambda bad: f"/book/details/?{_choice(bad)}",
            ("type", "therapist", "start"),
        ),
    ),
    "book/confirmed/": _probe("/book/confirmed/"),
    MANAGE_PATH: (
        _segment("anonymous", lambda bad: manage_path(bad), lambda bad, v: _manage_as(bad, v, "")),
    ),
    f"{MANAGE_PATH}calendar.ics": (
        _segment(
            "anonymous",
            lambda bad: manage_path(bad, "calendar.ics"),
            lambda bad, v: _manage_as(bad, v, "calendar.ics"),
        ),
    ),
    f"{MANAGE_PATH}cancel/": (
        _segment(
            "anonymous",
            lambda bad: manage_path(bad, "cancel/"),
            lambda bad, v: _manage_as(bad, v, "cancel/"),
        ),
    ),
    f"{MANAGE_PATH}reschedule/": (
        Probe(
            "anonymous",
            lambda bad: manage_path(bad, "reschedule/"),
            ("therapist", "start", "week"),
            lambda bad, v: _manage_as(bad, v, "reschedule/"),
        ),
    ),
    r"^calendar/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$": (
        _segment("anonymous", lambda bad: "/calendar/x.ics", lambda bad, v: f"/calendar/{v}.ics"),
    ),
    # Accounts.
    "accounts/sign-in/": _probe("/accounts/sign-in/", "next"),
    "accounts/sign-in/email/": _probe("/accounts/sign-in/email/"),
    "accounts/sign-in/email/sent/": _probe("/accounts/sign-in/email/sent/"),
    "accounts/sign-out/": _probe("/accounts/sign-out/"),
    "accounts/link/<int:pk>/sign-in/": (
        Probe("anonymous", lambda bad: "/accounts/link/1/sign-in/", ("next",)),
    ),
    "accounts/link/<int:pk>/<str:token>/": (
        Probe(
            "anonymous",
            lambda bad: "/accounts/link/1/x/",
            ("next",),
            lambda bad, v: f"/accounts/link/1/{v}/",
        ),
    ),
    "accounts/password/": _probe("/accounts/password/", role="patient"),
    "accounts/password/done/": _probe("/accounts/password/done/", role="patient"),
    "accounts/my-data/": _probe("/accounts/my-data/", role="patient"),
    "accounts/password-reset/": _probe("/accounts/password-reset/"),
    "accounts/password-reset/sent/": _probe("/accounts/password-reset/sent/"),
    "accounts/reset/done/": _probe("/accounts/reset/done/"),
    "accounts/reset/<uidb64>/<token>/": (
        _segment(
            "anonymous",
            lambda bad: "/accounts/reset/x/y/",
            lambda bad, v: f"/accounts/reset/{v}/{v}/",
        ),
    ),
    "accounts/two-factor/verify/": (
        Probe(
            "front_desk",
            lambda bad: "/accounts/two-factor/verify/",
            ("next",),
            setup=verify_setup,
        ),
    ),
    "accounts/two-factor/setup/": (
        Probe(
            "admin",
            lambda bad: "/accounts/two-factor/setup/",
            ("next",),
            may_change=frozenset({"otp_totp_totpdevice"}),  # the page makes the key it shows
        ),
    ),
    # The patient's pages.
    "my/": _probe("/my/", role="patient"),
    "my/log/": _probe("/my/log/", role="patient"),
    "my/pain/": _probe("/my/pain/", role="patient"),
    "my/check-in/": _probe("/my/check-in/", role="patient"),
    "my/reminders/": _probe("/my/reminders/", role="patient"),
    "my/calendar/": _probe("/my/calendar/", role="patient"),
    # The view reads no parameter and renders a PDF (slow): probed on its way to the sign-in page.
    "my/handout.pdf": _probe("/my/handout.pdf"),
    # The API: parameters from its OpenAPI document.
    "api/v1/": _probe("/api/v1/"),
    "api/v1/openapi.json": _probe("/api/v1/openapi.json"),
    "api/v1/docs": _probe("/api/v1/docs"),
    "api/v1/appointment-types": _probe("/api/v1/appointment-types"),
    "api/v1/therapists": _probe("/api/v1/therapists"),
    "api/v1/availability": (Probe("anonymous", lambda bad: availability_path(bad), API_PARAMS),),
    "api/v1/exercises": (Probe("anonymous", lambda bad: "/api/v1/exercises", API_PARAMS),),
    "api/v1/exercises/<slug>": (
        _segment(
            "anonymous", lambda bad: "/api/v1/exercises/x", lambda bad, v: f"/api/v1/exercises/{v}"
        ),
    ),
    "api/v1/bookings": _probe("/api/v1/bookings"),
    "api/v1/bookings/<int:booking_id>": (
        _segment(
            "anonymous",
            lambda bad: f"/api/v1/bookings/{bad.appointment.pk}",
            lambda bad, v: f"/api/v1/bookings/{v}",
        ),
    ),
    "api/v1/bookings/<int:booking_id>/cancel": _probe("/api/v1/bookings/1/cancel"),
    "api/v1/bookings/<int:booking_id>/reschedule": _probe("/api/v1/bookings/1/reschedule"),
    "api/v1/me/program": _probe("/api/v1/me/program", role="patient"),
    "api/v1/me/progress": _probe("/api/v1/me/progress", role="patient"),
    "api/v1/me/logs": _probe("/api/v1/me/logs", role="patient"),
    # FHIR: search parameters from the CapabilityStatement.
    "fhir/metadata": _probe("/fhir/metadata", "_pretty", "_format"),
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/?$": tuple(
        _fhir_search(resource_type, "") for resource_type in FHIR_TYPES
    ),
    # By POST, the same parsers read the parameters: the types with text and references.
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/_search/?$": tuple(
        _fhir_search(resource_type, "/_search") for resource_type in ("Practitioner", "Appointment")
    ),
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/(?P<resource_id>[A-Za-z0-9.-]{1,64})/?$": tuple(
        _fhir_read(resource_type) for resource_type in (*FHIR_TYPES, "Patient")
    ),
    r"fhir/^(?P<path>[\s\S]*)$": (
        _segment("anonymous", lambda bad: "/fhir/x/1/2", lambda bad, v: f"/fhir/{v}/1/{v}"),
    ),
    # Staff.
    "staff/": _probe("/staff/", role="front_desk"),
    "staff/calendar/": _probe("/staff/calendar/", role="front_desk"),
    "staff/appointments/new/": _probe(
        "/staff/appointments/new/", "therapist", "date", "time", role="front_desk"
    ),
    "staff/appointments/<int:pk>/move/": (
        Probe("front_desk", lambda bad: f"/staff/appointments/{bad.appointment.pk}/move/"),
    ),
    "staff/appointments/<int:pk>/cancel/": (
        Probe(
            "front_desk", lambda bad: f"/staff/appointments/{bad.appointment.pk}/cancel/", ("next",)
        ),
    ),
    "staff/appointments/<int:pk>/mark/": _probe("/staff/appointments/1/mark/", role="front_desk"),
    "staff/time-off/": _probe("/staff/time-off/", role="front_desk"),
    "staff/time-off/<int:pk>/delete/": _probe("/staff/time-off/1/delete/", role="front_desk"),
    "staff/calendar-feed/": _probe("/staff/calendar-feed/", role="therapist"),
    r"staff/^feeds/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$": (
        _segment(
            "anonymous", lambda bad: "/staff/feeds/x.ics", lambda bad, v: f"/staff/feeds/{v}.ics"
        ),
    ),
    "staff/patients/": _probe("/staff/patients/", "page", role="therapist"),
    "staff/patients/<int:pk>/": (Probe("therapist", lambda bad: patient_page(bad), ("program",)),),
    "staff/patients/<int:pk>/programs/new/": (
        Probe("therapist", lambda bad: f"/staff/patients/{bad.newcomer.pk}/programs/new/"),
    ),
    "staff/programs/<int:pk>/edit/": (
        Probe("therapist", lambda bad: f"/staff/programs/{bad.world.program.pk}/edit/"),
    ),
    "staff/programs/<int:pk>/status/": _probe("/staff/programs/1/status/", role="therapist"),
    "staff/programs/<int:pk>/symptoms/resolve/": _probe(
        "/staff/programs/1/symptoms/resolve/", role="therapist"
    ),
    "staff/alerts/<int:pk>/acknowledge/": _probe("/staff/alerts/1/acknowledge/", role="therapist"),
    "staff/audit/": _probe("/staff/audit/", "page", role="admin"),
    # The log's filter form (GET_FORMS) is fuzzed field by field; the export reads the same form.
    "staff/audit/export.csv": _probe("/staff/audit/export.csv", "date_to", "actor", role="admin"),
}


def _choice(bad: Bad) -> str:
    return urlencode(
        {"type": bad.appointment.appointment_type.slug, "therapist": bad.therapist().slug}
    )


def _manage_as(bad: Bad, value: str, suffix: str) -> str:
    return f"/appointments/{bad.appointment.pk}/manage/{value}/{suffix}"


def availability_path(bad: Bad) -> str:
    start = bad.local_date(3)
    query = {
        "appointment_type": bad.appointment.appointment_type_id,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=6)).isoformat(),
    }
    return f"/api/v1/availability?{urlencode(query)}"


def api_params(path: str) -> tuple[str, ...]:
    from stride.api.api import api

    schema = api.get_openapi_schema()
    operation = schema["paths"][urlsplit(path).path]["get"]
    return tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


# Parameters a FHIR search takes besides those the CapabilityStatement lists.
FHIR_EXTRA_PARAMS = {"Practitioner": ("name:exact", "name:contains"), "Appointment": ("_count",)}


def fhir_params(path: str, *, search: bool) -> tuple[str, ...]:
    """Return a FHIR type's search parameters (by GET, also the format ones all take)."""
    from stride.fhir.capability import SUPPORTED

    resource_type = urlsplit(path).path.split("/")[2]
    names = (
        *sorted(SUPPORTED[resource_type].param_names),
        *FHIR_EXTRA_PARAMS.get(resource_type, ()),
    )
    return names if search else (*names, "_format", "_pretty")


# --- JSON bodies: the API and FHIR's Appointment create -------------------------------------

Json = dict[str, Any]


@dataclass(frozen=True)
class JsonCase:
    """A JSON POST: who sends it, a valid body, and which of its values are free text.

    Every value of the body in turn (named by its dotted path) is replaced by each hostile
    value; the body is also sent empty, malformed, nested too deep, not UTF-8 and with unknown
    members. A valid body answers one of ``ok``; a refusal is a 4xx that names the member at
    fault (the API's 422 ``fields``, FHIR's OperationOutcome ``expression``) and changes
    nothing. ``headers`` are sent as they are (a manage token); ``role`` signs in.
    """

    role: str
    path: Callable[[Bad], str]
    body: Callable[[Bad, Client], Json]
    ok: frozenset[int]
    text: frozenset[str] = frozenset()  # leaves that take free text
    optional: frozenset[str] = frozenset()  # leaves that may be empty or null
    strict: bool = False  # unknown members are refused (FHIR's models), not ignored
    headers: Callable[[Bad], dict[str, str]] = lambda bad: {}
    content_type: str = "application/json"
    fhir: bool = False


def _free_starts(bad: Bad, client: Client) -> list[str]:
    """Return free starts of the world's visit type with its therapist, from the API."""
    response = client.get(availability_path(bad) + f"&therapist={bad.appointment.therapist_id}")
    assert response.status_code == 200, response.content
    return [slot["start"] for slot in response.json()["slots"]]


def _booking(bad: Bad, client: Client) -> Json:
    return {
        "appointment_type": bad.appointment.appointment_type_id,
        "therapist": bad.appointment.therapist_id,
        "start": _free_starts(bad, client)[0],
        "patient": {
            "name": "Pat Example",
            "email": "pat.example@example.org",
            "phone": "718 555 0101",
        },
        "reason": "Knee pain after running.",
        "idempotency_key": "bad-input-1",
    }


def _bearer(bad: Bad) -> dict[str, str]:
    return {"Authorization": f"Bearer {bad.manage_token}"}


def _fhir_booking(bad: Bad, client: Client) -> Json:
    start = bad.local_date(3)
    query = urlencode(
        {
            "schedule": f"Schedule/{bad.appointment.therapist_id}",
            "start": [f"ge{start}", f"lt{start + dt.timedelta(days=7)}"],
            "appointment-type": bad.appointment.appointment_type.slug,
        },
        doseq=True,
    )
    response = client.get(f"/fhir/Slot?{query}")
    assert response.status_code == 200, response.content
    slot = response.json()["entry"][0]["resource"]["id"]
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot}"}],
        "participant": [
            {
                "actor": {"reference": f"Practitioner/{bad.appointment.therapist_id}"},
                "status": "accepted",
            }
        ],
    }


JSON_CASES: dict[str, JsonCase] = {
    "api/v1/bookings": JsonCase(
        "anonymous",
        lambda bad: "/api/v1/bookings",
        _booking,
        ok=frozenset({200, 201}),
        text=frozenset({"patient.name", "reason", "idempotency_key"}),
        optional=frozenset({"reason", "idempotency_key"}),
    ),
    "api/v1/bookings/<int:booking_id>/reschedule": JsonCase(
        "anonymous",
        lambda bad: f"/api/v1/bookings/{bad.appointment.pk}/reschedule",
        lambda bad, client: {"start": _free_starts(bad, client)[1]},
        ok=frozenset({200}),
        headers=_bearer,
    ),
    "api/v1/bookings/<int:booking_id>/cancel": JsonCase(
        "anonymous",
        lambda bad: f"/api/v1/bookings/{bad.appointment.pk}/cancel",
        lambda bad, client: {},
        ok=frozenset({200}),
        headers=_bearer,
    ),
    "api/v1/me/logs": JsonCase(
        "patient",
        lambda bad: "/api/v1/me/logs",
        lambda bad, client: {
            "kind": "session",
            "on": _today(bad),
            "completion": "done",
            "pain_now": 3,
            "note": "Went well.",
        },
        ok=frozenset({201}),
        text=frozenset({"note"}),
        optional=frozenset({"note", "pain_now"}),
    ),
}
# FHIR answers every refusal with an OperationOutcome.
FHIR_POSTS: dict[str, JsonCase] = {
    "fhir/^(?P<resource_type>[A-Za-z]{1,64})/?$": JsonCase(
        "patient",
        lambda bad: "/fhir/Appointment",
        _fhir_booking,
        ok=frozenset({201}),
        # A participant named by its slot alone needs no actor.
        optional=frozenset({"participant.0.actor.reference"}),
        content_type="application/fhir+json",
        fhir=True,
        strict=True,
    ),
}
