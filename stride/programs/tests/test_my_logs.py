"""Logging from the patient's pages: sessions, pain-only days and PSFS check-ins. Good input is
saved and redirects to /my/; bad input re-displays the form with its messages and what was
typed; the services' refusals land next to their fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from stride.programs import views_patient
from stride.programs.models import (
    ExerciseLog,
    ExerciseProgram,
    PainScore,
    ProgramAlert,
    ProgramStatus,
    PsfsActivity,
    PsfsCheckin,
    SessionLog,
    SymptomReport,
)
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.logs import psfs_checkin_create
from stride.programs.services.programs import program_status_set
from stride.programs.tests.factories import program_prescribe
from stride.scheduling.tests.factories import AppointmentTypeFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program() -> ExerciseProgram:
    follow_up = AppointmentTypeFactory.create(
        name="Follow-up", slug="follow-up", new_patients=False
    )
    therapist = TherapistFactory.create(slug="maya-chen", types=[follow_up])
    return program_prescribe(therapist=therapist, exercises=2)


@pytest.fixture
def patient_client(client: Client, program: ExerciseProgram) -> Client:
    client.force_login(program.patient)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def day(program: ExerciseProgram, back: int = 0) -> str:
    return (program_today(program) - dt.timedelta(days=back)).isoformat()


def items(program: ExerciseProgram) -> list[Any]:
    return list(version_current(program=program).items.all())


# --- Sessions ----------------------------------------------------------------------------------


def test_log_form_defaults_to_today_and_offers_every_exercise_and_symptom(
    patient_client: Client, program: ExerciseProgram
) -> None:
    page = html(patient_client.get("/my/log/"))
    assert f'value="{day(program)}"' in page
    assert f'max="{day(program)}"' in page
    assert f'min="{day(program, 14)}"' in page
    for item in items(program):
        assert f'name="exercise-{item.pk}" value="partly"' in page
        assert item.exercise.name in page
    assert "0 = no pain, 10 = worst pain imaginable." in page
    assert "Since your last log, have you had any of these?" in page
    assert "Numbness around your genitals, buttocks or inner thighs" in page
    assert page.count('name="symptoms"') == 12


def test_a_whole_session_is_logged_and_redirects_home_with_a_message(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post(
        "/my/log/",
        {
            "on": day(program),
            "completion": "done",
            "pain_now": "4",
            "pain_during": "3",
            "note": "Felt good.",
        },
    )
    assert (response.status_code, response["Location"]) == (303, "/my/")
    session = SessionLog.objects.get(program=program)
    assert (session.completion, session.pain_during, session.note) == ("done", 3, "Felt good.")
    assert PainScore.objects.get(session=session).nprs == 4
    assert "Your session is logged." in html(patient_client.get("/my/"))


def test_exercise_by_exercise_sets_the_session_completion(
    patient_client: Client, program: ExerciseProgram
) -> None:
    first, second = items(program)
    response = patient_client.post(
        "/my/log/",
        {
            "on": day(program, 2),
            f"exercise-{first.pk}": "done",
            f"exercise-{second.pk}": "skipped",
            "pain_now": "5",
            "pain_during": "",
        },
    )
    assert response.status_code == 303
    session = SessionLog.objects.get(program=program)
    assert (session.on.isoformat(), session.completion) == (day(program, 2), "partly")
    assert dict(ExerciseLog.objects.values_list("item_id", "completion")) == {
        first.pk: "done",
        second.pk: "skipped",
    }


def test_missing_completion_is_asked_for_and_the_typed_values_stay(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post(
        "/my/log/", {"on": day(program), "pain_now": "6", "note": "Busy day."}
    )
    page = html(response)
    assert response.status_code == 200
    assert "Say whether you did the session." in page
    assert 'value="6" id="id_pain_now_6" required checked' in page
    assert ">\nBusy day.</textarea>" in page
    assert 'id="id_completion_error"><li>Say whether you did the session.' in page
    assert SessionLog.objects.count() == 0


@pytest.mark.parametrize(
    ("back", "message"),
    [
        (-1, "The date cannot be in the future."),
        (15, "Logs can go back at most 14 days."),
    ],
)
def test_dates_outside_the_window_are_refused_at_the_date_field(
    patient_client: Client, program: ExerciseProgram, back: int, message: str
) -> None:
    program.start_date = program_today(program) - dt.timedelta(days=30)
    program.save()
    response = patient_client.post(
        "/my/log/", {"on": day(program, back), "completion": "done", "pain_now": "3"}
    )
    page = html(response)
    assert response.status_code == 200
    assert f'<ul class="errorlist" id="id_on_error"><li>{message}</li></ul>' in page
    assert f'<a href="#id_on">Date: {message}</a>' in page
    assert SessionLog.objects.count() == 0


@pytest.mark.parametrize("value", ["11", "-1", "seven", "4.5"])
def test_pain_outside_zero_to_ten_is_refused(
    patient_client: Client, program: ExerciseProgram, value: str
) -> None:
    response = patient_client.post(
        "/my/log/", {"on": day(program), "completion": "done", "pain_now": value}
    )
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_pain_now_error"><li>Choose a number from 0 to 10.' in (
        html(response)
    )
    assert SessionLog.objects.count() == 0


def test_an_exercise_not_in_the_program_is_refused(
    patient_client: Client, program: ExerciseProgram
) -> None:
    others = items(program_prescribe())
    for key in (f"exercise-{others[0].pk}", "exercise-99999", "exercise-x"):
        response = patient_client.post(
            "/my/log/", {"on": day(program), key: "done", "pain_now": "3"}
        )
        assert response.status_code == 200
        assert "The exercises in your program have changed" in html(response)
    assert SessionLog.objects.count() == 0


def test_an_unknown_completion_is_refused(patient_client: Client, program: ExerciseProgram) -> None:
    first = items(program)[0]
    response = patient_client.post(
        "/my/log/",
        {"on": day(program), "completion": "most", f"exercise-{first.pk}": "maybe", "pain_now": 3},
    )
    page = html(response)
    assert "Choose one of the answers listed." in page
    assert "Choose done, partly or skipped." in page
    assert SessionLog.objects.count() == 0


def test_a_skipped_session_with_pain_during_shows_the_services_message_by_the_field(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post(
        "/my/log/",
        {"on": day(program), "completion": "skipped", "pain_now": "3", "pain_during": "4"},
    )
    assert (
        '<ul class="errorlist" id="id_pain_during_error">'
        "<li>A skipped session has no pain during exercise.</li></ul>"
    ) in html(response)


def test_a_paused_program_refuses_sessions_and_says_why(
    patient_client: Client, program: ExerciseProgram
) -> None:
    program_status_set(program=program, status=ProgramStatus.SUSPENDED)
    page = html(patient_client.get("/my/log/"))
    assert "Your program is paused." in page
    assert 'name="pain_now"' not in page
    assert 'href="/my/pain/">Log your pain</a>' in page
    response = patient_client.post(
        "/my/log/", {"on": day(program), "completion": "done", "pain_now": "3"}
    )
    assert response.status_code == 409
    assert SessionLog.objects.count() == 0


def test_an_emergency_symptom_pauses_the_program_and_shows_only_the_emergency_message(
    patient_client: Client, program: ExerciseProgram, mailoutbox: list[Any]
) -> None:
    response = patient_client.post(
        "/my/log/",
        {
            "on": day(program),
            "completion": "done",
            "pain_now": "5",
            "symptoms": ["saddle_numbness", "fever"],
        },
    )
    assert response.status_code == 303
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED
    assert set(SymptomReport.objects.values_list("code", flat=True)) == {
        "saddle_numbness",
        "fever",
    }
    assert ProgramAlert.objects.filter(program=program, kind="red_flag_emergency").exists()

    page = html(patient_client.get("/my/"))
    assert "Please get emergency care now" in page
    assert "Go to the nearest emergency department or call 911 now." in page
    assert "Your exercise program is paused" in page
    assert "Book a follow-up" not in page and "/book/time/" not in page
    assert "Please see a doctor today" not in page  # the emergency replaces everything
    # Sessions are refused from now on; pain can still be logged.
    assert patient_client.post("/my/log/", {"on": day(program)}).status_code == 409
    response = patient_client.post("/my/pain/", {"on": day(program), "nprs": "6"})
    assert response.status_code == 303
    assert PainScore.objects.filter(program=program, nprs=6).exists()


def test_an_urgent_symptom_advises_a_doctor_and_offers_booking(
    patient_client: Client, program: ExerciseProgram
) -> None:
    patient_client.post(
        "/my/log/",
        {"on": day(program), "completion": "done", "pain_now": "4", "symptoms": "night_pain"},
    )
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    page = html(patient_client.get("/my/"))
    assert "Please see a doctor today" in page
    assert 'href="/book/time/?type=follow-up&amp;therapist=maya-chen">Book a follow-up' in page


def test_an_unknown_symptom_is_refused(patient_client: Client, program: ExerciseProgram) -> None:
    response = patient_client.post(
        "/my/log/",
        {"on": day(program), "completion": "done", "pain_now": "4", "symptoms": "headache"},
    )
    assert "Choose only the signs listed." in html(response)
    assert SessionLog.objects.count() == 0


def test_an_overlong_note_is_refused_and_kept(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post(
        "/my/log/",
        {"on": day(program), "completion": "done", "pain_now": "4", "note": "x" * 2001},
    )
    assert "Shorten this to 2000 characters or fewer (it has 2001)." in html(response)
    assert SessionLog.objects.count() == 0


# --- Pain only ---------------------------------------------------------------------------------


def test_pain_only_log_is_saved(patient_client: Client, program: ExerciseProgram) -> None:
    page = html(patient_client.get("/my/pain/"))
    assert page.count('name="nprs"') == 11
    response = patient_client.post(
        "/my/pain/", {"on": day(program, 1), "nprs": "0", "note": "Rest day."}
    )
    assert (response.status_code, response["Location"]) == (303, "/my/")
    score = PainScore.objects.get(program=program)
    assert (score.on.isoformat(), score.nprs, score.note, score.session) == (
        day(program, 1),
        0,
        "Rest day.",
        None,
    )
    assert SessionLog.objects.count() == 0


def test_pain_only_log_refuses_a_missing_or_wrong_rating_and_future_dates(
    patient_client: Client, program: ExerciseProgram
) -> None:
    for data, message in (
        ({"on": day(program)}, "Choose a number from 0 to 10."),
        ({"on": day(program), "nprs": "11"}, "Choose a number from 0 to 10."),
        ({"on": day(program, -1), "nprs": "3"}, "The date cannot be in the future."),
        ({"on": "31/31/2026", "nprs": "3"}, "Enter the date as month/day/year"),
        ({"on": "0001-01-01", "nprs": "3"}, "Check the year of the date."),
    ):
        response = patient_client.post("/my/pain/", data)
        assert response.status_code == 200
        assert message in html(response)
    assert PainScore.objects.count() == 0


def test_an_ended_program_takes_no_logs(patient_client: Client, program: ExerciseProgram) -> None:
    program_status_set(program=program, status=ProgramStatus.ENDED)
    response = patient_client.post("/my/pain/", {"on": day(program), "nprs": "3"})
    assert (response.status_code, response["Location"]) == (303, "/my/")
    assert PainScore.objects.count() == 0


# --- PSFS check-in -----------------------------------------------------------------------------


def test_first_check_in_names_activities_and_rates_them(
    patient_client: Client, program: ExerciseProgram
) -> None:
    page = html(patient_client.get("/my/check-in/"))
    assert "Name three to five everyday activities" in page
    assert page.count('name="activity_') == 5
    response = patient_client.post(
        "/my/check-in/",
        {
            "activity_1": "Putting on socks",
            "rating_1": "3",
            "activity_2": "Walking to the shop",
            "rating_2": "5",
            "activity_3": "Lifting my child",
            "rating_3": "2",
        },
    )
    assert (response.status_code, response["Location"]) == (303, "/my/")
    assert list(PsfsActivity.objects.values_list("name", flat=True)) == [
        "Putting on socks",
        "Walking to the shop",
        "Lifting my child",
    ]
    checkin = PsfsCheckin.objects.get(program=program)
    assert [r.score for r in checkin.ratings.order_by("activity__position")] == [3, 5, 2]


def test_first_check_in_needs_three_activities_each_rated(
    patient_client: Client, program: ExerciseProgram
) -> None:
    response = patient_client.post(
        "/my/check-in/",
        {"activity_1": "Putting on socks", "rating_1": "3", "activity_2": "Walking"},
    )
    page = html(response)
    assert "Rate this activity from 0 to 10." in page
    assert 'value="Walking"' in page
    response = patient_client.post(
        "/my/check-in/",
        {"activity_1": "Socks", "rating_1": "3", "activity_2": "Walking", "rating_2": "4"},
    )
    assert "Name 3 to 5 activities you find hard." in html(response)
    response = patient_client.post(
        "/my/check-in/", {"rating_1": "3", "activity_2": "Walking", "rating_2": "11"}
    )
    page = html(response)
    assert "Name the activity, or clear its rating." in page
    assert "Rate this activity from 0 to 10." in page
    assert PsfsCheckin.objects.count() == 0


def test_later_check_ins_rate_the_same_activities(
    patient_client: Client, program: ExerciseProgram
) -> None:
    psfs_checkin_create(
        program=program,
        on=program_today(program) - dt.timedelta(days=14),
        activities=["Socks", "Walking", "Stairs"],
        ratings=[2, 3, 4],
    )
    page = html(patient_client.get("/my/check-in/"))
    assert "Rate how well you can do each of your activities today." in page
    assert 'name="activity_' not in page
    for name in ("Socks", "Walking", "Stairs"):
        assert f"{name} <span" in page
    response = patient_client.post("/my/check-in/", {"rating_1": "4", "rating_2": "5"})
    assert "Rate this activity from 0 to 10." in html(response)
    response = patient_client.post(
        "/my/check-in/", {"rating_1": "4", "rating_2": "5", "rating_3": "6"}
    )
    assert response.status_code == 303
    latest = PsfsCheckin.objects.filter(program=program).latest("created_at")
    assert latest.on == program_today(program)
    assert [r.score for r in latest.ratings.order_by("activity__position")] == [4, 5, 6]


def test_the_check_in_prompt_leaves_once_done(
    patient_client: Client, program: ExerciseProgram
) -> None:
    assert "Do your check-in" in html(patient_client.get("/my/"))
    psfs_checkin_create(
        program=program,
        on=program_today(program),
        activities=["Socks", "Walking", "Stairs"],
        ratings=[2, 3, 4],
    )
    assert "Do your check-in" not in html(patient_client.get("/my/"))


def test_logs_use_the_clinics_date_not_the_servers(
    patient_client: Client, program: ExerciseProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 02:30 UTC is still the evening before in New York: "today" is the clinic's date.
    late = dt.datetime.combine(timezone.now().date(), dt.time(2, 30), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    clinic_today = late.astimezone(program.therapist.location.tzinfo).date()
    assert clinic_today < late.date()
    page = html(patient_client.get("/my/pain/"))
    assert f'max="{clinic_today.isoformat()}"' in page
    response = patient_client.post(
        "/my/pain/", {"on": (clinic_today + dt.timedelta(days=1)).isoformat(), "nprs": "2"}
    )
    assert "The date cannot be in the future." in html(response)


def test_a_refusal_without_a_field_shows_at_the_top_of_the_form(
    patient_client: Client, program: ExerciseProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # E.g. the therapist ended the program while the form was open.
    def refuse(**kwargs: Any) -> None:
        raise ValidationError("This program has ended; your therapist can prescribe a new one.")

    monkeypatch.setattr(views_patient, "session_log_create", refuse)
    response = patient_client.post(
        "/my/log/", {"on": day(program), "completion": "done", "pain_now": "3", "note": "Hi"}
    )
    page = html(response)
    assert response.status_code == 200
    assert '<div class="error-summary" role="alert"' in page
    assert "<li>This program has ended; your therapist can prescribe a new one.</li>" in page
    assert ">\nHi</textarea>" in page
