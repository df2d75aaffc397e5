"""The therapist's patient list: who needs attention first, each patient's week at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stride.core import timefmt
from stride.programs import rules
from stride.programs.models import ProgramStatus
from stride.programs.selectors.dashboard import (
    ALERT_REASONS,
    alert_reason,
    patient_list_for_dashboard,
    patient_rows,
)
from stride.programs.selectors.programs import program_today
from stride.programs.selectors.progress import program_progress
from stride.programs.services.escalation import alert_acknowledge
from stride.programs.services.programs import program_status_set
from stride.scheduling.models import AppointmentStatus
from stride.scheduling.tests.factories import UserFactory

from .factories import program_prescribe
from .test_staff_support import (
    People,
    alert_add,
    future,
    logs_add,
    people_build,
    signed_in,
    visit_add,
)

pytestmark = pytest.mark.django_db

URL = "/staff/patients/"


@pytest.fixture
def people() -> People:
    return people_build()


def _patient(people: People, first: str, last: str, **program: Any):
    patient = UserFactory.create(first_name=first, last_name=last)
    return patient, program_prescribe(patient=patient, therapist=people.therapist, **program)


def _names(response) -> list[str]:
    return [row.patient.get_full_name() for row in response.context["rows"]]


def test_dashboard_lists_patients_needing_attention_first(client: Client, people: People) -> None:
    calm, _ = _patient(people, "Aaron", "Calm")
    worse, worse_program = _patient(people, "Zoe", "Worse")
    stuck, stuck_program = _patient(people, "Yan", "Stuck")
    old_stuck, old_stuck_program = _patient(people, "Xavi", "Older")
    nudged, nudged_program = _patient(people, "Will", "Nudged")
    alert_add(stuck_program, rules.AlertKind.NOT_IMPROVING, since=stuck_program.start_date)
    alert_add(
        old_stuck_program,
        rules.AlertKind.NOT_IMPROVING,
        since=old_stuck_program.start_date - dt.timedelta(days=1),
    )
    alert_add(worse_program, rules.AlertKind.GETTING_WORSE)
    # A nudge to the patient alone does not call the therapist.
    alert_add(nudged_program, rules.AlertKind.LOW_ADHERENCE, flag=False)

    response = signed_in(client, people.therapist.user).get(URL)

    assert response.status_code == 200
    assert _names(response) == [
        "Zoe Worse",  # getting worse (high) before not improving (moderate)
        "Xavi Older",  # not improving for longer
        "Yan Stuck",
        "Aaron Calm",  # then everyone else by last name
        "Will Nudged",
        "Alex Rivera",
    ]
    rows = response.context["rows"]
    assert [row.needs_attention for row in rows] == [True, True, True, False, False, False]
    assert rows[4].alerts[0].reason == ALERT_REASONS["escalation.low_adherence.nudge"]
    assert calm.get_full_name() in response.content.decode()


def test_dealt_with_and_cleared_alerts_leave_the_top(client: Client, people: People) -> None:
    _, program = _patient(people, "Zoe", "Acknowledged")
    _, cleared_program = _patient(people, "Yan", "Cleared")
    alert = alert_add(program, rules.AlertKind.GETTING_WORSE)
    alert_acknowledge(alert=alert, by=people.therapist.user)
    alert_add(cleared_program, rules.AlertKind.GETTING_WORSE, cleared_at=timezone.now())

    response = signed_in(client, people.therapist.user).get(URL)

    assert not any(row.needs_attention for row in response.context["rows"])
    assert _names(response) == ["Zoe Acknowledged", "Yan Cleared", "Alex Rivera"]


def test_alerts_of_an_ended_program_do_not_call_for_attention(
    client: Client, people: People
) -> None:
    alert_add(people.program, rules.AlertKind.GETTING_WORSE)
    program_status_set(program=people.program, status=ProgramStatus.ENDED)

    response = signed_in(client, people.therapist.user).get(URL)

    assert [row.needs_attention for row in response.context["rows"]] == [False]


def test_dashboard_row_shows_the_week_pain_trend_and_next_visit(
    client: Client, people: People
) -> None:
    program = people.program
    logs_add(program, days=15, pains=[6] + [5] * 13 + [3], done=10)
    visit = visit_add(people.patient, people.therapist, future(days=3))
    visit_add(people.patient, people.therapist, future(days=1), status=AppointmentStatus.CANCELLED)
    visit_add(people.patient, people.therapist, future(days=9))

    response = signed_in(client, people.therapist.user).get(URL)

    (row,) = response.context["rows"]
    progress = program_progress(program=program, today=program_today(program))
    assert row.program == program
    assert row.last_log == program_today(program)
    assert progress.this_week is not None
    assert (row.this_week.logged, row.this_week.prescribed) == (
        progress.this_week.logged,
        progress.this_week.prescribed,
    )
    assert row.this_week.percent == progress.this_week.percent
    assert row.pain_trend == progress.pain_trend == rules.Trend.IMPROVED
    assert row.next_appointment is not None
    assert (row.next_appointment.pk, row.next_appointment.start) == (visit.pk, visit.start)
    assert row.next_appointment.therapist == visit.therapist.display_name
    page = response.content.decode()
    assert f"{row.this_week.logged}/{row.this_week.prescribed} ({row.this_week.percent}%)" in page
    assert "Improved" in page


def test_row_shows_the_next_visit_in_the_clinics_time_and_escapes_what_people_typed(
    client: Client, people: People
) -> None:
    people.patient.first_name = '<img src=x onerror="alert(1)">'
    people.patient.save()
    people.program.title = "Knee & <b>hip</b>"
    people.program.save()
    visit = visit_add(people.patient, people.therapist, future(days=3))

    page = signed_in(client, people.therapist.user).get(URL).content.decode()

    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "Knee &amp; &lt;b&gt;hip&lt;/b&gt;" in page
    when = timefmt.format_datetime(visit.start, visit.location.timezone)
    assert f'{when}<br><span class="meta">{visit.appointment_type.name}, ' in page


def test_pain_trend_needs_two_ratings(client: Client, people: People) -> None:
    logs_add(people.program, days=1, pains=[5])

    response = signed_in(client, people.therapist.user).get(URL)

    assert response.context["rows"][0].pain_trend is None
    assert "Not enough data" in response.content.decode()


def test_a_patient_with_only_a_visit_is_listed_without_a_program(
    client: Client, people: People
) -> None:
    newcomer = UserFactory.create(first_name="Dana", last_name="New")
    visit_add(newcomer, people.therapist, future(days=2))

    response = signed_in(client, people.therapist.user).get(URL)

    rows = {row.patient: row for row in response.context["rows"]}
    assert rows[newcomer].program is None
    assert "No program" in response.content.decode()


def test_therapist_sees_only_their_own_patients(client: Client, people: People) -> None:
    response = signed_in(client, people.therapist.user).get(URL)

    assert _names(response) == ["Alex Rivera"]
    assert "Blake" not in response.content.decode()


def test_another_therapists_program_is_not_the_row_program(client: Client, people: People) -> None:
    # The patient sees this therapist for visits but has a program from someone else.
    visit_add(people.other_patient, people.therapist, future(days=2))
    alert_add(people.other_program, rules.AlertKind.GETTING_WORSE)

    response = signed_in(client, people.therapist.user).get(URL)

    rows = {row.patient: row for row in response.context["rows"]}
    assert rows[people.other_patient].program is None
    assert not rows[people.other_patient].needs_attention


def test_admin_sees_every_patient(client: Client, people: People) -> None:
    response = signed_in(client, people.admin).get(URL)

    assert _names(response) == ["Casey Nobody", "Blake Other", "Alex Rivera"]


def test_search_by_name_or_email(client: Client, people: People) -> None:
    _patient(people, "Alexandra", "Smith")
    _patient(people, "Sam", "Alexander")
    client = signed_in(client, people.therapist.user)

    assert _names(client.get(URL, {"q": "alex"})) == [
        "Sam Alexander",
        "Alex Rivera",
        "Alexandra Smith",
    ]
    assert _names(client.get(URL, {"q": "alex riv"})) == ["Alex Rivera"]
    assert _names(client.get(URL, {"q": people.patient.email})) == ["Alex Rivera"]
    assert "No patient matches" in client.get(URL, {"q": "nobody"}).content.decode()


def test_filter_to_patients_needing_attention(client: Client, people: People) -> None:
    _, program = _patient(people, "Zoe", "Worse")
    alert_add(program, rules.AlertKind.GETTING_WORSE)

    response = signed_in(client, people.therapist.user).get(URL, {"attention": "on"})

    assert _names(response) == ["Zoe Worse"]


def test_dashboard_pages_through_many_patients(client: Client, people: People) -> None:
    from stride.programs.views_staff import patients as views

    for n in range(3):
        _patient(people, "Many", f"Patient{n}")
    views_per_page, views.PATIENTS_PER_PAGE = views.PATIENTS_PER_PAGE, 2
    try:
        client = signed_in(client, people.therapist.user)
        first = client.get(URL)
        second = client.get(URL, {"page": 2})
    finally:
        views.PATIENTS_PER_PAGE = views_per_page
    assert len(first.context["rows"]) == 2
    assert len(second.context["rows"]) == 2
    assert "Page 1 of 2" in first.content.decode()


def test_alert_reasons_are_plain_words() -> None:
    for key in rules.__dict__.values():
        if isinstance(key, rules._Action):
            assert key.message_key in ALERT_REASONS


def test_red_flag_reason_names_the_sign(people: People) -> None:
    alert = alert_add(
        people.program, rules.AlertKind.RED_FLAG_EMERGENCY, red_flag="saddle_numbness"
    )
    assert alert_reason(alert) == (
        "Reported an emergency warning sign: numbness around the genitals, buttocks or inner "
        "thighs. The program is paused."
    )


def test_rows_match_program_progress_for_a_paused_program(people: People) -> None:
    logs_add(people.program, days=9, pains=[4, 4, 5, 6, 6, 6, 7, 7, 7], done=4)
    program_status_set(program=people.program, status=ProgramStatus.SUSPENDED)
    user = people.therapist.user

    (row,) = patient_rows(user=user, patients=list(patient_list_for_dashboard(user=user)))

    progress = program_progress(program=people.program, today=program_today(people.program))
    assert progress.this_week is not None and row.this_week is not None
    assert row.this_week.percent == progress.this_week.percent
    assert row.pain_trend == progress.pain_trend == rules.Trend.WORSE
    assert row.last_log == progress.last_log


def _populate(people: People, size: int, days: int) -> None:
    for n in range(size):
        patient, program = _patient(people, "Load", f"Patient{n:02d}")
        logs_add(program, days=days, pains=[5 + n % 3] * days, done=days * 2 // 3)
        alert_add(
            program, rules.AlertKind.GETTING_WORSE if n % 2 else rules.AlertKind.LOW_ADHERENCE
        )
        visit_add(patient, people.therapist, future(days=n + 1))


@pytest.mark.parametrize(("size", "days"), [(3, 8), (30, 90)])
def test_dashboard_query_count_does_not_grow_with_patients_or_logs(
    client: Client, people: People, django_assert_num_queries, size: int, days: int
) -> None:
    _populate(people, size, days)
    client = signed_in(client, people.therapist.user)
    client.get(URL)  # warm the clinic cache

    # Session and user (2) and the content generation (the clinic's details, 1); the patient
    # count, those needing attention, their rows, everyone else's rows on the page and the
    # current programs (5); the audit row (1); then the programs' history facts (one query
    # per clinic time zone), this week's sessions, open alerts, and next visits (the first
    # time of each patient's, then the visits at those times: 2).
    with django_assert_num_queries(14):
        response = client.get(URL)

    rows = response.context["rows"]
    assert len(rows) == size + 1
    assert all(row.program is not None for row in rows)
    assert all(row.needs_attention for row in rows[:-1])
    assert all(row.last_log is not None for row in rows[:-1])


def test_later_pages_and_the_admins_list_run_as_few_queries(
    client: Client, people: People, django_assert_num_queries
) -> None:
    from stride.programs.views_staff import patients as views

    _populate(people, 5, 8)  # five needing attention, then Alex, Blake and Casey by name
    client = signed_in(client, people.admin)
    client.get(URL)
    views_per_page, views.PATIENTS_PER_PAGE = views.PATIENTS_PER_PAGE, 2
    try:
        # The third page holds the last one needing attention and the first other patient;
        # the fourth only others, so no query for rows needing attention, and none booked, so
        # one query for next visits.
        with django_assert_num_queries(14):
            third = client.get(URL, {"page": 3})
        with django_assert_num_queries(12):
            fourth = client.get(URL, {"page": 4})
    finally:
        views.PATIENTS_PER_PAGE = views_per_page
    assert [row.needs_attention for row in third.context["rows"]] == [True, False]
    assert _names(third)[1] == "Casey Nobody"
    assert _names(fourth) == ["Blake Other", "Alex Rivera"]
