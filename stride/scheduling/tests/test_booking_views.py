"""The public booking flow at /book/: each step, validation, screening, clashes and abuse.

"Now" is frozen at the conftest's NOW (Tuesday 2026-12-01 12:00 New York) by patching
``django.utils.timezone.now``; tests book the Monday after (MONDAY, 2026-12-07).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stride.accounts.models import User
from stride.scheduling.models import Appointment, AppointmentStatus, RedFlag
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    InsurancePlanFactory,
    TherapistFactory,
)
from stride.scheduling.views import TAKEN_MESSAGE

pytestmark = pytest.mark.django_db

DETAILS = "/book/details/"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    cache.clear()  # the primary location is cached across tests
    yield
    cache.clear()


def iso(start: dt.datetime) -> str:
    return start.isoformat(timespec="minutes")


def details(clinic: Clinic, when: dt.datetime, /, **overrides: Any) -> dict[str, Any]:
    """Return a complete, valid details POST for the evaluation with the clinic's therapist."""
    data: dict[str, Any] = {
        "type": clinic.evaluation.slug,
        "therapist": clinic.therapist.slug,
        "start": iso(when),
        "idempotency_key": uuid.uuid4().hex,
        "name": "Pat Example",
        "email": "pat@example.org",
        "phone": "(718) 555-0101",
        "date_of_birth": "1980-03-27",
        "reason": "Low back pain since October",
        "insurance_plan": "",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def new_appointments() -> Any:
    """Return the appointments booked by a test (the clinic fixture holds a past one)."""
    return Appointment.objects.filter(start__gte=NOW)


def html_of(response: Any) -> str:
    return response.content.decode()


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


# --- Step 1: the kind of visit -----------------------------------------------------------------


def test_step_one_lists_online_visits_and_explains_new_and_returning(
    client: Client, clinic: Clinic
) -> None:
    AppointmentTypeFactory.create(name="Phone consult", bookable_online=False)

    html = html_of(client.get("/book/"))

    assert h1_count(html) == 1
    assert "Step 1 of 4" in html
    assert "Initial evaluation" in html and "Follow-up" in html
    assert "Phone consult" not in html
    assert "For new patients" in html
    assert "For patients we are already seeing" in html
    assert 'action="/book/therapist/"' in html
    assert "(required)" in html


def test_continuing_without_a_visit_shows_the_error_on_step_one(
    client: Client, clinic: Clinic
) -> None:
    for query in ({}, {"type": "no-such-visit"}):
        html = html_of(client.get("/book/therapist/", query))
        assert "Step 1 of 4" in html
        assert 'class="error-summary" role="alert"' in html
        assert "autofocus" in html
    assert "Choose the kind of visit." in html_of(client.get("/book/therapist/"))


# --- Step 2: the therapist ---------------------------------------------------------------------


def test_step_two_offers_any_therapist_and_those_offering_the_visit(
    client: Client, clinic: Clinic
) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.follow_up])

    html = html_of(client.get("/book/therapist/", {"type": clinic.evaluation.slug}))

    assert "Step 2 of 4" in html
    assert "Any therapist" in html
    assert clinic.therapist.display_name in html
    assert other.display_name not in html
    assert 'value="any"' in html and "checked" in html


def test_step_three_with_an_unknown_therapist_shows_step_two_again(
    client: Client, clinic: Clinic
) -> None:
    response = client.get("/book/time/", {"type": clinic.evaluation.slug, "therapist": "nobody"})
    html = html_of(response)
    assert "Step 2 of 4" in html
    assert "Choose one of the therapists listed." in html


# --- Step 3: a week of times -------------------------------------------------------------------


def test_step_three_shows_a_week_of_times_in_the_clinic_zone(
    client: Client, clinic: Clinic
) -> None:
    query = {"type": clinic.evaluation.slug, "therapist": clinic.therapist.slug}
    response = client.get("/book/time/", {**query, "week": "2026-12-09"})  # a Wednesday

    html = html_of(response)
    assert response.status_code == 200
    assert h1_count(html) == 1
    assert "Step 3 of 4" in html
    assert "Week of Monday, December 7, 2026" in html
    assert "Times are in Eastern Time (America/New_York)." in html
    assert "Saturday, December 12, 2026" in html
    assert "No free times on this day." in html  # the weekend
    # Each time is a link carrying the choices and the start; its name includes the day.
    assert (
        'href="/book/details/?type=initial-evaluation&amp;therapist='
        f"{clinic.therapist.slug}&amp;start=2026-12-07T09%3A00-05%3A00"
    ) in html
    assert '9:00 AM<span class="visually-hidden"> on Monday, December 7, 2026</span>' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_the_current_week_has_no_previous_link_and_past_days_say_so(
    client: Client, clinic: Clinic
) -> None:
    html = html_of(
        client.get(
            "/book/time/",
            {"type": clinic.evaluation.slug, "therapist": "any", "week": "1999-01-01"},
        )
    )
    assert "Week of Monday, November 30, 2026" in html
    assert 'rel="prev"' not in html
    assert "This day has passed." in html


def test_any_therapist_lists_each_time_once(client: Client, clinic: Clinic) -> None:
    TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])

    html = html_of(
        client.get(
            "/book/time/",
            {"type": clinic.evaluation.slug, "therapist": "any", "week": "2026-12-07"},
        )
    )

    assert html.count("start=2026-12-07T09%3A00-05%3A00") == 1


def test_week_links_swap_in_place_for_scripted_requests(client: Client, clinic: Clinic) -> None:
    query = {"type": clinic.evaluation.slug, "therapist": "any", "week": "2026-12-14"}
    response = client.get("/book/time/", query, HTTP_HX_REQUEST="true")

    html = html_of(response)
    assert "HX-Request" in response["Vary"]
    assert html.lstrip().startswith('<section id="week"')
    assert "Week of Monday, December 14, 2026" in html
    assert "<html" not in html


# --- Step 4: details ---------------------------------------------------------------------------


def test_details_form_carries_the_choices_and_a_fresh_idempotency_key(
    client: Client, clinic: Clinic
) -> None:
    query = {
        "type": clinic.evaluation.slug,
        "therapist": clinic.therapist.slug,
        "start": iso(local(MONDAY, 10)),
    }
    first = html_of(client.get(DETAILS, query))
    second = html_of(client.get(DETAILS, query))

    assert "Step 4 of 4" in first
    assert h1_count(first) == 1
    assert "Monday, December 7, 2026 at 10:00 AM EST" in first
    assert 'name="start" value="2026-12-07T10:00-05:00"' in first
    keys = [re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', h) for h in (first, second)]
    assert keys[0] and keys[1] and keys[0].group(1) != keys[1].group(1)
    # The screening questions, grouped, and the required consent.
    assert "Signs that need emergency care" in first
    assert "Signs that need a doctor soon" in first
    assert "Most people tick none" in first
    assert "24-hour cancellation policy" in first
    assert "Self-pay (no insurance)" in first


def test_details_for_a_taken_time_goes_back_to_the_week_with_a_message(
    client: Client, clinic: Clinic
) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )
    response = client.get(
        DETAILS,
        {
            "type": clinic.evaluation.slug,
            "therapist": clinic.therapist.slug,
            "start": iso(local(MONDAY, 10)),
        },
    )
    html = html_of(response)
    assert "Step 3 of 4" in html
    assert TAKEN_MESSAGE.replace("'", "&#x27;") in html
    assert "Week of Monday, December 7, 2026" in html


# --- Booking -----------------------------------------------------------------------------------


def test_booking_redirects_to_a_confirmation_with_everything_the_patient_needs(
    client: Client, clinic: Clinic
) -> None:
    plan = InsurancePlanFactory.create(name="Aetna PPO", slug="aetna-ppo")
    response = client.post(DETAILS, details(clinic, local(MONDAY, 10), insurance_plan=plan.slug))

    assert response.status_code == 303
    assert response["Location"] == "/book/confirmed/"
    appointment = new_appointments().get()
    assert appointment.start == local(MONDAY, 10)
    assert appointment.therapist == clinic.therapist
    assert appointment.patient.email == "pat@example.org"
    assert appointment.patient.patient_profile.date_of_birth == dt.date(1980, 3, 27)
    assert appointment.reason == "Low back pain since October"
    assert appointment.insurance_plan == plan
    assert appointment.red_flags == []
    assert appointment.idempotency_key

    page = client.get("/book/confirmed/")
    html = html_of(page)
    assert page.status_code == 200
    assert "Your appointment is booked" in html
    assert "Monday, December 7, 2026 at 10:00 AM EST" in html
    assert clinic.therapist.display_name in html
    assert clinic.location.address_line in html
    assert "What to bring" in html
    assert "and your insurance card" in html
    assert re.search(rf'href="/appointments/{appointment.pk}/manage/[\w-]+/"', html)
    assert re.search(rf'href="/appointments/{appointment.pk}/manage/[\w-]+/calendar.ics"', html)
    assert "Low back pain" not in html
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_confirmation_without_a_booking_in_this_browser_goes_to_step_one(
    client: Client, clinic: Clinic
) -> None:
    response = client.get("/book/confirmed/")
    assert response.status_code == 302
    assert response["Location"] == "/book/"


def test_invalid_details_are_shown_next_to_the_fields_and_keep_what_was_typed(
    client: Client, clinic: Clinic
) -> None:
    data = details(clinic, local(MONDAY, 10), email="not-an-email", phone="call me", consent=None)
    response = client.post(DETAILS, data)

    html = html_of(response)
    assert response.status_code == 200
    assert not new_appointments().exists()
    assert 'class="error-summary" role="alert"' in html and "autofocus" in html
    assert (
        '<a href="#id_email">Email address: Enter an email address like name@example.com.' in html
    )
    assert 'href="#id_consent"' in html
    assert 'value="Pat Example"' in html
    assert 'value="not-an-email"' in html
    assert "Low back pain since October</textarea>" in html
    assert f'value="{data["idempotency_key"]}"' in html  # the same key: still one booking
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_email"', html)
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert "<title>Error: " in html


def test_an_emergency_answer_stops_the_booking_and_keeps_nothing(
    client: Client, clinic: Clinic
) -> None:
    users = User.objects.count()
    data = details(clinic, local(MONDAY, 10), emergency_flags=[RedFlag.SADDLE_NUMBNESS])
    # Even with another field wrong, the emergency advice comes first.
    data["phone"] = ""

    html = html_of(client.post(DETAILS, data))

    assert "Please get emergency care now" in html
    assert "call 911 now" in html
    assert "Book appointment" not in html
    assert 'action="/book/details/"' not in html
    assert not new_appointments().exists()
    assert User.objects.count() == users


def test_an_urgent_answer_shows_the_advice_then_allows_booking(
    client: Client, clinic: Clinic
) -> None:
    data = details(clinic, local(MONDAY, 10), urgent_flags=[RedFlag.NIGHT_PAIN])

    first = client.post(DETAILS, data)
    html = html_of(first)
    assert first.status_code == 200
    assert "Please see a doctor today" in html
    assert "urgent-care line" in html
    assert 'name="urgent_acknowledged" value="True"' in html
    assert not new_appointments().exists()

    second = client.post(DETAILS, {**data, "urgent_acknowledged": "True"})
    assert second.status_code == 303
    assert new_appointments().get().red_flags == [RedFlag.NIGHT_PAIN]
    assert "Please see a doctor today, or call your urgent-care line" in html_of(
        client.get("/book/confirmed/")
    )


def test_a_plan_that_needs_a_referral_tells_the_patient_to_bring_it(
    client: Client, clinic: Clinic
) -> None:
    hmo = InsurancePlanFactory.create(name="Blue Cross HMO", referral_required=True)
    client.post(DETAILS, details(clinic, local(MONDAY, 10), insurance_plan=hmo.slug))

    html = html_of(client.get("/book/confirmed/"))
    assert "Please bring your doctor's referral." in html
    assert "Blue Cross HMO" in html
    assert "If you do not have one yet" in html


def test_a_time_taken_meanwhile_offers_fresh_times_and_keeps_the_details(
    client: Client, clinic: Clinic
) -> None:
    data = details(clinic, local(MONDAY, 10))
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )

    response = client.post(DETAILS, data)

    html = html_of(response)
    assert response.status_code == 200
    assert TAKEN_MESSAGE.replace("'", "&#x27;") in html
    assert "Choose another time" in html
    assert 'name="start" value="2026-12-07T10:00-05:00"' not in html
    assert 'type="radio" name="start" value="2026-12-07T11:00-05:00"' in html
    assert "<legend>Monday, December 7, 2026</legend>" in html
    assert 'value="Pat Example"' in html and 'value="pat@example.org"' in html
    assert new_appointments().count() == 1  # only the one that took the time

    # Picking one of the fresh times books it with everything typed before.
    response = client.post(DETAILS, {**data, "start": "2026-12-07T11:00-05:00"})
    assert response.status_code == 303
    assert new_appointments().filter(patient__email="pat@example.org").get().start == local(
        MONDAY, 11
    )


def test_a_double_submitted_form_books_once(client: Client, clinic: Clinic) -> None:
    data = details(clinic, local(MONDAY, 10))

    first = client.post(DETAILS, data)
    second = client.post(DETAILS, data)

    assert first.status_code == second.status_code == 303
    assert new_appointments().count() == 1
    html = html_of(client.get("/book/confirmed/"))
    assert "Your appointment is booked" in html
    assert "/manage/" in html  # the first answer's link is kept


def test_a_double_submitted_form_with_any_therapist_books_once(
    client: Client, clinic: Clinic
) -> None:
    TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    data = details(clinic, local(MONDAY, 10), therapist="any")

    client.post(DETAILS, data)
    client.post(DETAILS, data)

    assert new_appointments().count() == 1


def test_booking_posts_are_rate_limited_per_ip(
    client: Client, clinic: Clinic, settings: Any
) -> None:
    settings.STRIDE_RATE_LIMIT_BOOKING = "2/3600"
    for _ in range(2):
        assert client.post(DETAILS, details(clinic, local(MONDAY, 10))).status_code in (200, 303)

    response = client.post(DETAILS, details(clinic, local(MONDAY, 14)))

    assert response.status_code == 429
    assert "Retry-After" in response
    assert new_appointments().count() == 1
    # Reading the form is not limited.
    query = {"type": clinic.evaluation.slug, "therapist": "any", "start": iso(local(MONDAY, 14))}
    assert client.get(DETAILS, query).status_code == 200


def test_any_therapist_books_the_least_booked_free_therapist_that_day(
    client: Client, clinic: Clinic
) -> None:
    other = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], display_name="A. First"
    )
    # "A. First" sorts first, but already sees someone on Monday.
    AppointmentFactory.create(
        therapist=other, appointment_type=clinic.evaluation, start=local(MONDAY, 15)
    )

    client.post(DETAILS, details(clinic, local(MONDAY, 10), therapist="any"))

    booked = new_appointments().get(patient__email="pat@example.org")
    assert booked.therapist == clinic.therapist


def test_any_therapist_moves_on_when_the_first_is_taken(client: Client, clinic: Clinic) -> None:
    other = TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    AppointmentFactory.create(
        therapist=clinic.therapist, appointment_type=clinic.evaluation, start=local(MONDAY, 10)
    )

    response = client.post(DETAILS, details(clinic, local(MONDAY, 10), therapist="any"))

    assert response.status_code == 303
    assert new_appointments().get(patient__email="pat@example.org").therapist == other


def test_a_new_patient_choosing_a_follow_up_is_told_to_book_an_evaluation(
    client: Client, clinic: Clinic
) -> None:
    response = client.post(DETAILS, details(clinic, local(MONDAY, 10), type=clinic.follow_up.slug))

    html = html_of(response)
    assert response.status_code == 200
    assert "New patients start with an initial evaluation." in html
    assert not new_appointments().exists()
    assert not User.objects.filter(email="pat@example.org").exists()


def test_a_returning_patient_is_recognised_by_email(client: Client, clinic: Clinic) -> None:
    response = client.post(
        DETAILS,
        details(
            clinic,
            local(MONDAY, 10),
            type=clinic.follow_up.slug,
            email=clinic.returning.email.upper(),
        ),
    )

    assert response.status_code == 303
    assert new_appointments().get().patient == clinic.returning


def test_the_patient_comes_from_the_email_never_from_a_posted_id(
    client: Client, clinic: Clinic
) -> None:
    data = details(clinic, local(MONDAY, 10), patient=clinic.returning.pk)
    data["patient_id"] = clinic.returning.pk

    client.post(DETAILS, data)

    assert new_appointments().get().patient.email == "pat@example.org"


# --- Hostile input -----------------------------------------------------------------------------


def test_markup_in_name_and_reason_is_escaped(
    client: Client, clinic: Clinic, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    script = "<script>alert(1)</script>"
    data = details(clinic, local(MONDAY, 10), name=f"{script} Pat", reason=f"Reason {script}")

    # Re-displayed with an error: typed values come back escaped.
    html = html_of(client.post(DETAILS, {**data, "consent": ""}))
    assert script not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Pat"' in html
    assert "Reason &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html

    with django_capture_on_commit_callbacks(execute=True):
        client.post(DETAILS, data)
    assert script not in html_of(client.get("/book/confirmed/"))
    (email,) = mailoutbox
    html_body = email.alternatives[0][0]
    assert script not in html_body
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in html_body
    assert "Reason" not in email.body and "Reason" not in html_body  # never clinical details


def test_nul_bytes_are_a_field_error_not_a_server_error(client: Client, clinic: Clinic) -> None:
    response = client.post(
        DETAILS, details(clinic, local(MONDAY, 10), name="Pat\x00Example", reason="a\x00b")
    )

    html = html_of(response)
    assert response.status_code == 200
    assert "Null characters are not allowed." in html
    assert not new_appointments().exists()


@pytest.mark.parametrize(
    "start",
    [
        "2026-12-07T10:07-05:00",  # off the grid
        "2026-12-07T10:00",  # no zone
        "not a time",
        "9999-12-31T23:59+14:00",
    ],
)
def test_a_tampered_start_is_a_form_error_with_fresh_times(
    client: Client, clinic: Clinic, start: str
) -> None:
    response = client.post(DETAILS, details(clinic, local(MONDAY, 10), start=start))

    html = html_of(response)
    assert response.status_code == 200
    assert 'href="#times"' in html
    assert "Choose another time" in html
    assert not new_appointments().exists()


def test_an_off_grid_start_says_to_pick_a_time_shown(client: Client, clinic: Clinic) -> None:
    for therapist in (clinic.therapist.slug, "any"):
        html = html_of(
            client.post(
                DETAILS,
                details(
                    clinic, local(MONDAY, 10), therapist=therapist, start="2026-12-07T10:07-05:00"
                ),
            )
        )
        assert "Appointments start on the times shown; please pick one of them." in html


def test_tampered_visit_or_therapist_sends_the_patient_back_and_books_nothing(
    client: Client, clinic: Clinic
) -> None:
    hidden = TherapistFactory.create(
        location=clinic.location, types=[clinic.evaluation], is_public=False
    )
    for overrides in ({"type": "no-such-visit"}, {"therapist": hidden.slug}):
        response = client.post(DETAILS, details(clinic, local(MONDAY, 10), **overrides))
        assert response.status_code == 200
        assert "Step 4 of 4" not in html_of(response)
    assert not new_appointments().exists()


def test_a_forged_idempotency_key_is_refused(client: Client, clinic: Clinic) -> None:
    html = html_of(
        client.post(DETAILS, details(clinic, local(MONDAY, 10), idempotency_key="x" * 200))
    )
    assert "This form has expired" in html
    assert not new_appointments().exists()


def test_booking_pages_have_no_inline_scripts_or_styles(client: Client, clinic: Clinic) -> None:
    query = {
        "type": clinic.evaluation.slug,
        "therapist": clinic.therapist.slug,
        "start": iso(local(MONDAY, 10)),
    }
    client.post(DETAILS, details(clinic, local(MONDAY, 11)))
    for path in ["/book/", "/book/therapist/", "/book/time/", DETAILS, "/book/confirmed/"]:
        html = html_of(client.get(path, query))
        assert " style=" not in html, path
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, path


def test_cancelled_bookings_free_their_time_for_the_flow(client: Client, clinic: Clinic) -> None:
    AppointmentFactory.create(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=local(MONDAY, 10),
        status=AppointmentStatus.CANCELLED,
    )
    assert client.post(DETAILS, details(clinic, local(MONDAY, 10))).status_code == 303


def test_the_booking_post_keeps_its_csrf_check(clinic: Clinic) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(DETAILS, details(clinic, local(MONDAY, 10)))
    assert response.status_code == 403
    assert not new_appointments().exists()


@pytest.mark.parametrize("met_at", ["validation", "insert"])
def test_two_submits_racing_to_the_idempotency_key_still_book_once(
    client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch, met_at: str
) -> None:
    """On PostgreSQL two concurrent submits of one "any therapist" form can each miss the
    other's row and pick different therapists; the loser meets the unique key. Simulate the
    loser: its look-ups miss the committed booking once, then it must answer with that booking.
    """
    from stride.scheduling.services import booking
    from stride.scheduling.views import booking as views

    TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    data = details(clinic, local(MONDAY, 10), therapist="any")
    assert client.post(DETAILS, data).status_code == 303

    def missing_once(real: Any) -> Any:
        calls: list[int] = []

        def wrapper(**kwargs: Any) -> Any:
            calls.append(1)
            return None if len(calls) == 1 else real(**kwargs)

        return wrapper

    monkeypatch.setattr(
        views,
        "appointment_get_by_idempotency_key",
        missing_once(views.appointment_get_by_idempotency_key),
    )
    monkeypatch.setattr(booking, "_idempotent_replay", missing_once(booking._idempotent_replay))
    if met_at == "insert":  # the model's check also missed the uncommitted row
        real_clean = booking.full_clean_or_invalid
        monkeypatch.setattr(
            booking,
            "full_clean_or_invalid",
            lambda instance, **kw: real_clean(instance, validate_constraints=False, **kw),
        )

    response = client.post(DETAILS, data)

    assert response.status_code == 303
    assert new_appointments().count() == 1


def test_the_week_of_times_costs_the_same_queries_for_more_therapists(
    client: Client, clinic: Clinic
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {"type": clinic.evaluation.slug, "therapist": "any", "week": "2026-12-07"}

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/book/time/", query).status_code == 200
        return len(captured)

    one = count()
    for _ in range(3):
        TherapistFactory.create(location=clinic.location, types=[clinic.evaluation])
    assert count() == one
    assert one <= 15
