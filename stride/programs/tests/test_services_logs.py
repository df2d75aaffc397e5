"""Logging sessions, pain and PSFS: dates in the clinic's zone, bad input refused whole."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from stride.programs.models import (
    ExerciseLog,
    PainScore,
    ProgramStatus,
    PsfsActivity,
    SessionLog,
    SymptomReport,
)
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.logs import (
    pain_score_create,
    psfs_checkin_create,
    session_log_create,
)
from stride.programs.services.programs import program_status_set
from stride.programs.tests.factories import program_prescribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return program_prescribe(exercises=3)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_session_log_with_pain_now_records_a_pain_score_of_that_day(program):
    today = program_today(program)
    session = session_log_create(
        program=program, on=today, completion="done", pain_now=4, pain_during=3, note=" ok "
    )
    assert (session.completion, session.pain_during, session.note) == ("done", 3, "ok")
    assert PainScore.objects.get(session=session).nprs == 4


def test_session_completion_follows_from_the_exercises(program):
    items = list(version_current(program=program).items.all())
    today = program_today(program)
    partly = session_log_create(
        program=program, on=today, exercises={items[0].pk: "done", items[1].pk: "skipped"}
    )
    done = session_log_create(program=program, on=today, exercises={i.pk: "done" for i in items})
    skipped = session_log_create(
        program=program, on=today, exercises={i.pk: "skipped" for i in items}
    )
    assert [partly.completion, done.completion, skipped.completion] == ["partly", "done", "skipped"]
    assert ExerciseLog.objects.filter(session=partly).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"completion": None}, "completion"),
        ({"completion": "maybe"}, "completion"),
        ({"pain_now": 11}, "pain_now"),
        ({"pain_during": -1}, "pain_during"),
        ({"exercises": {999999: "done"}, "completion": None}, "exercises"),
        ({"completion": "skipped", "pain_during": 5}, "pain_during"),
        ({"symptoms": ["headache"]}, "symptoms"),
    ],
)
def test_session_log_refuses_bad_input_and_saves_nothing(program, kwargs, field):
    args = {"program": program, "on": program_today(program), "completion": "done", **kwargs}
    with pytest.raises(ValidationError) as excinfo:
        session_log_create(**args)
    assert field in _errors(excinfo)
    assert not SessionLog.objects.exists()
    assert not PainScore.objects.exists()


def test_session_log_refuses_an_item_of_another_program(program):
    other = program_prescribe()
    foreign = version_current(program=other).items.first()
    with pytest.raises(ValidationError) as excinfo:
        session_log_create(
            program=program, on=program_today(program), exercises={foreign.pk: "done"}
        )
    assert "exercises" in _errors(excinfo)


@pytest.mark.parametrize(("days", "ok"), [(0, True), (14, True), (15, False), (-1, False)])
def test_logs_may_go_back_fourteen_days_never_forward(days, ok):
    program = program_prescribe(start=None)
    program.start_date = program_today(program) - dt.timedelta(days=30)
    program.save()
    on = program_today(program) - dt.timedelta(days=days)
    if ok:
        pain_score_create(program=program, on=on, nprs=3)
    else:
        with pytest.raises(ValidationError) as excinfo:
            pain_score_create(program=program, on=on, nprs=3)
        assert "on" in _errors(excinfo)


def test_log_before_the_program_started_is_refused(program):
    with pytest.raises(ValidationError) as excinfo:
        pain_score_create(program=program, on=program.start_date - dt.timedelta(days=1), nprs=3)
    assert "on" in _errors(excinfo)


def test_today_is_the_clinics_date_not_utcs(program):
    # 23:30 in New York on Nov 26 is already Nov 27 in UTC: the patient's day is still the 26th.
    late_evening = dt.datetime(2026, 11, 27, 4, 30, tzinfo=dt.UTC)
    program.start_date = dt.date(2026, 11, 20)
    program.save()
    with mock.patch("django.utils.timezone.now", return_value=late_evening):
        assert program_today(program) == dt.date(2026, 11, 26)
        pain_score_create(program=program, on=dt.date(2026, 11, 26), nprs=2)
        with pytest.raises(ValidationError):
            pain_score_create(program=program, on=dt.date(2026, 11, 27), nprs=2)


def test_paused_program_takes_pain_but_no_session(program):
    program_status_set(program=program, status=ProgramStatus.SUSPENDED)
    with pytest.raises(ValidationError, match="paused"):
        session_log_create(program=program, on=program_today(program), completion="done")
    assert pain_score_create(program=program, on=program_today(program), nprs=5).nprs == 5


def test_ended_program_takes_no_log(program):
    program_status_set(program=program, status=ProgramStatus.ENDED)
    with pytest.raises(ValidationError, match="ended"):
        pain_score_create(program=program, on=program_today(program), nprs=5)


def test_symptoms_are_recorded_once_each(program):
    pain_score_create(
        program=program, on=program_today(program), nprs=5, symptoms=["fever", "fever", "lump"]
    )
    assert sorted(SymptomReport.objects.values_list("code", flat=True)) == ["fever", "lump"]


def test_first_psfs_names_the_activities_and_later_ones_rate_the_same(program):
    today = program_today(program)
    psfs_checkin_create(
        program=program,
        on=today - dt.timedelta(days=14),
        activities=["Lifting my child", "Sitting for an hour", "Gardening"],
        ratings=[2, 4, 3],
    )
    psfs_checkin_create(program=program, on=today, ratings=[5, 6, 6], activities=["ignored"])
    assert list(PsfsActivity.objects.values_list("name", flat=True)) == [
        "Lifting my child",
        "Sitting for an hour",
        "Gardening",
    ]
    with pytest.raises(ValidationError) as excinfo:
        psfs_checkin_create(program=program, on=today, ratings=[5, 6])
    assert "ratings" in _errors(excinfo)


@pytest.mark.parametrize(
    ("activities", "ratings", "field"),
    [
        (["a", "b"], [1, 2], "activities"),
        (["a", "b", "c", "d", "e", "f"], [1] * 6, "activities"),
        (["a", "A", "b"], [1, 2, 3], "activities"),
        (["a", "b", "c"], [1, 2, 11], "ratings"),
        (["a", "b", "c"], [1, 2, True], "ratings"),
    ],
)
def test_psfs_refuses_bad_input(program, activities, ratings, field):
    with pytest.raises(ValidationError) as excinfo:
        psfs_checkin_create(
            program=program, on=program_today(program), activities=activities, ratings=ratings
        )
    assert field in _errors(excinfo)
    assert not PsfsActivity.objects.exists()
