"""The patient's program page at /my/, its handout and reminders: who gets in, what it shows,
alerts most pressing first, the emergency message alone, and the follow-up booking link."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stride.core import timefmt
from stride.programs.models import (
    STANDARD_PRECAUTION,
    ExerciseProgram,
    PainScore,
    ProgramAlert,
    ProgramStatus,
    SessionLog,
)
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.programs import program_status_set
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.models import AppointmentStatus, Therapist
from stride.scheduling.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    StaffUserFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["/my/", "/my/log/", "/my/pain/", "/my/check-in/", "/my/reminders/", "/my/handout.pdf"]


@pytest.fixture
def therapist() -> Therapist:
    location = LocationFactory.create(
        name="Stride Brooklyn", timezone="America/Los_Angeles", phone="(718) 555-0142"
    )
    evaluation = AppointmentTypeFactory.create(name="Initial evaluation", slug="evaluation")
    short = AppointmentTypeFactory.create(
        name="Quick check", slug="quick-check", new_patients=False, order=1
    )
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up visit", slug="follow-up-visit", new_patients=False, order=2
    )
    return TherapistFactory.create(
        location=location,
        slug="maya-chen",
        display_name="Dr. Maya Chen",
        types=[evaluation, short, follow_up],
    )


@pytest.fixture
def program(therapist: Therapist) -> ExerciseProgram:
    # Started 16 days ago: the program's third week began two days ago.
    today = timezone.localdate(timezone=therapist.location.tzinfo)
    return program_prescribe(
        therapist=therapist, exercises=2, sessions_per_week=7, start=today - dt.timedelta(days=16)
    )


@pytest.fixture
def patient_client(client: Client, program: ExerciseProgram) -> Client:
    client.force_login(program.patient)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def alert_add(program: ExerciseProgram, key: str, **fields: Any) -> ProgramAlert:
    kind, severity, book = {
        "escalation.red_flag.emergency": ("red_flag_emergency", "emergency", False),
        "escalation.red_flag.urgent": ("red_flag_urgent", "urgent", True),
        "escalation.getting_worse.pain_rising": ("getting_worse", "high", True),
        "escalation.not_improving": ("not_improving", "moderate", True),
        "escalation.low_adherence.nudge": ("low_adherence", "low", False),
    }[key]
    values = {
        "kind": kind,
        "severity": severity,
        "episode_key": f"{key}:{program_today(program)}",
        "message_key": key,
        "since": program_today(program),
        "flag_therapist": True,
        "suggest_booking": book,
        **fields,
    }
    return ProgramAlert.objects.create(program=program, **values)


def sessions_add(program: ExerciseProgram, days_back: list[int], *, pain: int = 5) -> None:
    today = program_today(program)
    version = version_current(program=program)
    for back in days_back:
        on = today - dt.timedelta(days=back)
        session = SessionLog.objects.create(
            program=program, version=version, on=on, completion="done"
        )
        PainScore.objects.create(program=program, session=session, on=on, nprs=pain)


# --- Who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_visitors_are_sent_to_sign_in_and_back(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={path}"
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("path", PAGES)
def test_staff_are_refused(client: Client, program: ExerciseProgram, path: str) -> None:
    client.force_login(StaffUserFactory.create())
    assert client.get(path).status_code == 403
    client.force_login(program.therapist.user)  # even the program's own therapist
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_every_patient_page_is_kept_out_of_caches(patient_client: Client, path: str) -> None:
    response = patient_client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]


def test_a_patient_sees_only_their_own_program(
    client: Client, program: ExerciseProgram, therapist: Therapist
) -> None:
    other = program_prescribe(therapist=therapist, title="Neck program for someone else")
    client.force_login(program.patient)
    page = html(client.get("/my/"))
    assert program.title in page
    assert other.title not in page
    for item in version_current(program=other).items.all():
        assert item.exercise.name not in page


def test_a_patient_without_a_program_gets_a_friendly_page(
    client: Client, therapist: Therapist
) -> None:
    patient = UserFactory.create(first_name="Ana")
    visit = AppointmentFactory.create(
        patient=patient,
        therapist=therapist,
        appointment_type=therapist.appointment_types.get(slug="evaluation"),
        start=timezone.now() + dt.timedelta(days=3),
    )
    client.force_login(patient)
    page = html(client.get("/my/"))
    assert "Hello, Ana" in page
    assert "do not have a home exercise program" in page
    assert 'href="/book/">Book Appointment</a>' in page
    assert timefmt.format_datetime(visit.start, "America/Los_Angeles") in page
    # The other pages send them back to /my/ with a note.
    response = client.get("/my/log/")
    assert (response.status_code, response["Location"]) == (303, "/my/")
    assert "do not have an exercise program" in html(client.get("/my/"))


def test_an_ended_program_is_no_longer_shown(
    patient_client: Client, program: ExerciseProgram
) -> None:
    program_status_set(program=program, status=ProgramStatus.ENDED)
    page = html(patient_client.get("/my/"))
    assert program.title not in page
    assert "do not have a home exercise program" in page


def test_the_header_links_patients_to_their_program_staff_to_staff_and_others_to_sign_in(
    client: Client, program: ExerciseProgram
) -> None:
    assert '<a href="/accounts/sign-in/">Sign in</a>' in html(client.get("/exercises/"))
    client.force_login(program.patient)
    page = html(client.get("/exercises/"))
    assert '<a href="/my/">My program</a>' in page and "Sign in</a>" not in page
    assert '<a href="/my/" aria-current="page">My program</a>' in html(client.get("/my/"))
    client.force_login(program.therapist.user)
    page = html(client.get("/exercises/"))
    assert '<a href="/staff/">Staff</a>' in page
    assert "My program" not in page and "Sign in</a>" not in page


# --- What the page shows -----------------------------------------------------------------------


def test_page_shows_the_week_the_streak_and_todays_exercises(
    patient_client: Client, program: ExerciseProgram
) -> None:
    version = version_current(program=program)
    item = version.items.all()[0]
    item.notes = "Keep your lower back flat on the floor."
    item.save()
    exercise = item.exercise
    exercise.precautions = "Avoid if you have had recent hip surgery."
    exercise.video_url = "https://video.example/knee-to-chest"
    exercise.save()
    sessions_add(program, [5, 2, 1, 0])  # three in this week, the last three days in a row

    page = html(patient_client.get("/my/"))

    assert re.search(r">3 of 7</span>\s*sessions this week", page)
    assert re.search(r">3</span> days in a row", page)
    assert "You have logged a session today." in page
    assert exercise.name in page
    assert item.dose_display in page
    assert "Keep your lower back flat on the floor." in page
    for step in exercise.steps.all():
        assert step.text in page
    assert "Move slowly." in page  # a cue
    assert STANDARD_PRECAUTION in page
    assert "Avoid if you have had recent hip surgery." in page
    assert 'href="https://video.example/knee-to-chest"' in page
    assert 'href="/my/log/"' in page and 'href="/my/pain/"' in page


def test_page_has_print_handout_reminders_and_the_charts(
    patient_client: Client, program: ExerciseProgram
) -> None:
    page = html(patient_client.get("/my/"))
    assert re.search(r"<button[^>]*data-print[^>]*>Print</button>", page)
    assert 'src="/static/programs/my.js"' in page
    assert "onclick" not in page  # the CSP allows no inline handlers
    assert 'href="/my/handout.pdf">Download handout (PDF)</a>' in page
    assert 'href="/my/reminders/">Exercise reminders</a>: off' in page
    assert 'id="progress-data"' in page and 'id="chart-adherence"' in page


def test_upcoming_appointments_show_in_the_clinics_time_zone(
    patient_client: Client, program: ExerciseProgram, therapist: Therapist
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    visit = AppointmentFactory.create(
        patient=program.patient,
        therapist=therapist,
        appointment_type=therapist.appointment_types.get(slug="follow-up-visit"),
        start=start,
    )
    AppointmentFactory.create(
        patient=program.patient,
        therapist=therapist,
        appointment_type=visit.appointment_type,
        start=start + dt.timedelta(days=1),
        status=AppointmentStatus.CANCELLED,
    )
    page = html(patient_client.get("/my/"))
    assert timefmt.format_datetime(start, "America/Los_Angeles") in page
    assert re.search(r"P[SD]T", timefmt.format_datetime(start, "America/Los_Angeles"))
    assert page.count("Follow-up visit with Dr. Maya Chen") == 1


def test_psfs_due_shows_the_check_in_prompt(
    patient_client: Client, program: ExerciseProgram
) -> None:
    assert 'href="/my/check-in/">Do your check-in</a>' in html(patient_client.get("/my/"))


# --- Alerts ------------------------------------------------------------------------------------


def test_not_improving_offers_a_follow_up_with_the_therapist_and_follow_up_type(
    patient_client: Client, program: ExerciseProgram
) -> None:
    # Two weeks of every session done with the pain stuck at 6 (CLINICAL.md §5), then today's
    # log through the page.
    sessions_add(program, list(range(14, 0, -1)), pain=6)
    response = patient_client.post(
        "/my/log/",
        {"on": program_today(program).isoformat(), "completion": "done", "pain_now": "6"},
    )
    assert response.status_code == 303
    assert ProgramAlert.objects.filter(program=program, kind="not_improving").exists()

    page = html(patient_client.get("/my/"))

    assert "Time to check in with your therapist" in page
    link = re.search(r'<a class="button" href="([^"]+)">Book a follow-up</a>', page)
    assert link is not None
    assert link.group(1) == "/book/time/?type=follow-up-visit&amp;therapist=maya-chen"
    # The link opens the time step with that therapist and visit chosen.
    times = patient_client.get(link.group(1).replace("&amp;", "&"))
    assert times.status_code == 200
    assert "Follow-up visit" in html(times) and "Dr. Maya Chen" in html(times)


def test_alerts_show_most_pressing_first_with_one_booking_button(
    patient_client: Client, program: ExerciseProgram
) -> None:
    alert_add(program, "escalation.low_adherence.nudge")
    alert_add(program, "escalation.not_improving")
    alert_add(program, "escalation.red_flag.urgent")
    page = html(patient_client.get("/my/"))
    order = [
        page.index("Please see a doctor today"),
        page.index("Time to check in with your therapist"),
        page.index("A little often helps"),
    ]
    assert order == sorted(order)
    assert page.count(">Book a follow-up</a>") == 1
    assert page.index(">Book a follow-up</a>") < order[1]  # under the urgent message


def test_low_adherence_nudges_without_a_booking_button(
    patient_client: Client, program: ExerciseProgram
) -> None:
    alert_add(program, "escalation.low_adherence.nudge")
    page = html(patient_client.get("/my/"))
    assert "A little often helps" in page
    assert "Book a follow-up" not in page


def test_cleared_alerts_are_not_shown(patient_client: Client, program: ExerciseProgram) -> None:
    alert_add(program, "escalation.not_improving", cleared_at=timezone.now())
    assert "Time to check in" not in html(patient_client.get("/my/"))


def test_follow_up_link_falls_back_when_the_therapist_offers_no_follow_up(
    client: Client,
) -> None:
    program = program_prescribe()  # a therapist offering no visit types at all
    alert_add(program, "escalation.not_improving")
    client.force_login(program.patient)
    assert '<a class="button" href="/book/">Book a follow-up</a>' in html(client.get("/my/"))


def test_an_emergency_replaces_the_page_and_offers_no_booking(
    patient_client: Client, program: ExerciseProgram
) -> None:
    alert_add(program, "escalation.not_improving")
    alert_add(program, "escalation.red_flag.emergency")
    program_status_set(program=program, status=ProgramStatus.SUSPENDED)
    page = html(patient_client.get("/my/"))
    assert "Please get emergency care now" in page
    assert "Go to the nearest emergency department or call 911 now." in page
    assert "Your exercise program is paused" in page
    assert 'role="alert"' in page
    assert "Book a follow-up" not in page and "/book/time/" not in page
    assert program.title not in page
    assert version_current(program=program).items.all()[0].exercise.name not in page
    assert 'href="tel:(718)555-0142"' in page


def test_a_paused_program_without_an_emergency_says_so_and_keeps_pain_logging(
    patient_client: Client, program: ExerciseProgram
) -> None:
    program_status_set(program=program, status=ProgramStatus.SUSPENDED)
    page = html(patient_client.get("/my/"))
    assert "Your program is paused" in page
    assert 'href="/my/pain/">Log your pain</a>' in page
    assert 'href="/my/log/"' not in page


# --- Handout -----------------------------------------------------------------------------------


def test_handout_is_a_pdf_download_of_the_program(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.get("/my/handout.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="exercise-program.pdf"'
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5000


# --- Reminders ---------------------------------------------------------------------------------


def test_reminders_set_a_time_and_turn_off(
    patient_client: Client, program: ExerciseProgram
) -> None:
    page = html(patient_client.get("/my/reminders/"))
    assert '<option value="07:30">7:30 AM</option>' in page
    assert "Pacific Time" in page

    response = patient_client.post("/my/reminders/", {"at": "07:30"})
    assert (response.status_code, response["Location"]) == (303, "/my/")
    program.refresh_from_db()
    assert program.reminder_time == dt.time(7, 30)
    assert "every day at 7:30 AM" in html(patient_client.get("/my/"))
    assert '<option value="07:30" selected>' in html(patient_client.get("/my/reminders/"))

    patient_client.post("/my/reminders/", {"at": ""})
    program.refresh_from_db()
    assert program.reminder_time is None


def test_reminders_refuse_a_time_not_offered(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post("/my/reminders/", {"at": "03:17"})
    assert response.status_code == 200
    assert "Choose one of the times listed." in html(response)
    program.refresh_from_db()
    assert program.reminder_time is None


def test_a_reminder_time_set_elsewhere_stays_selected(
    patient_client: Client, program: ExerciseProgram
) -> None:
    ExerciseProgram.objects.filter(pk=program.pk).update(reminder_time=dt.time(7, 15))
    assert '<option value="07:15" selected>7:15 AM</option>' in html(
        patient_client.get("/my/reminders/")
    )


def test_exercises_show_even_when_the_library_no_longer_publishes_them(
    patient_client: Client, program: ExerciseProgram
) -> None:
    exercise = version_current(program=program).items.all()[0].exercise
    exercise.is_published = False
    exercise.save()
    assert exercise.name in html(patient_client.get("/my/"))


@pytest.mark.parametrize(("others", "days"), [(3, 8), (30, 90)])
def test_my_page_query_count_does_not_grow_with_patients_or_logs(
    client: Client, django_assert_num_queries: Any, others: int, days: int
) -> None:
    from .test_staff_support import logs_add

    therapist = TherapistFactory.create()
    today = timezone.localdate(timezone=therapist.location.tzinfo)
    started = today - dt.timedelta(days=days - 1)
    for n in range(others):
        program = program_prescribe(
            patient=UserFactory.create(), therapist=therapist, start=started
        )
        logs_add(program, days=days, pains=[4 + n % 3] * days)
    patient = UserFactory.create()
    program = program_prescribe(patient=patient, therapist=therapist, start=started)
    logs_add(program, days=days, pains=[5] * days, done=days // 2)
    client.force_login(patient)
    client.get("/my/")  # warm the clinic cache

    # Session and user, upcoming visits, the program, its alerts; progress: sessions, pains and
    # PSFS check-ins (none here; their ratings would add two); the version, its items with
    # their exercises, the steps; whether today is logged; the content generation (the
    # clinic's details, cached).
    with django_assert_num_queries(13):
        response = client.get("/my/")

    assert response.status_code == 200
    assert len(response.context["progress"].pains) == days
