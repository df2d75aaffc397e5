"""The program builder: prescribe from a template or empty, change (new version), pause, end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stride.programs.models import (
    ExerciseProgram,
    ProgramItem,
    ProgramStatus,
    ProgramTemplate,
    ProgramTemplateItem,
    ProgramVersion,
    SessionLog,
)
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.logs import pain_score_create, session_log_create
from stride.programs.services.programs import program_status_set
from stride.scheduling.tests.factories import AppointmentFactory, UserFactory

from .factories import ExerciseFactory
from .test_staff_support import People, people_build, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> People:
    return people_build()


@pytest.fixture
def newcomer(people: People):
    """A patient of the therapist (a visit booked) without a program yet."""
    patient = UserFactory.create(first_name="Dana", last_name="New")
    AppointmentFactory.create(patient=patient, therapist=people.therapist)
    return patient


@pytest.fixture
def invitations(monkeypatch) -> list[ExerciseProgram]:
    sent: list[ExerciseProgram] = []
    monkeypatch.setattr(
        "stride.programs.services.programs.program_invite",
        lambda *, program: sent.append(program),
    )
    return sent


@pytest.fixture
def template() -> ProgramTemplate:
    template = ProgramTemplate.objects.create(
        name="Low back pain — early phase",
        slug="lbp-early",
        sessions_per_week=14,
        review_after_weeks=3,
    )
    for position, (slug, dose) in enumerate(
        [("pelvic-tilt", {"reps": 5, "hold_seconds": 5}), ("walking", {"minutes": 10})], start=1
    ):
        ProgramTemplateItem.objects.create(
            template=template,
            position=position,
            exercise=ExerciseFactory.create(slug=slug, name=slug.replace("-", " ").title()),
            notes="Go gently." if position == 1 else "",
            **dose,
        )
    return template


def _new(patient) -> str:
    return f"/staff/patients/{patient.pk}/programs/new/"


def _data(rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "title": "Back on track",
        "start_date": today.isoformat(),
        "review_date": (today + dt.timedelta(weeks=4)).isoformat(),
        "sessions_per_week": "7",
        "template": "",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "16",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _row(exercise, **dose: Any) -> dict[str, Any]:
    return {"exercise": str(exercise.pk), **{k: str(v) for k, v in dose.items()}}


# --- Starting a program ----------------------------------------------------------------------


def test_builder_offers_templates_or_an_empty_start(
    client: Client, people: People, newcomer, template
) -> None:
    response = signed_in(client, people.therapist.user).get(_new(newcomer))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Low back pain — early phase" in page
    assert 'value="lbp-early"' in page
    assert "An empty program" in page


def test_builder_prefills_from_a_template(
    client: Client, people: People, newcomer, template
) -> None:
    response = signed_in(client, people.therapist.user).get(
        _new(newcomer), {"template": "lbp-early"}
    )

    form, formset = response.context["form"], response.context["formset"]
    today = program_today_for(people)
    assert form["title"].value() == "Low back pain — early phase"
    assert form["start_date"].value() == today
    assert form["review_date"].value() == today + dt.timedelta(weeks=3)
    assert form["sessions_per_week"].value() == 14
    assert [f["exercise"].value() for f in formset.forms] == [
        item.exercise_id for item in template.items.order_by("position")
    ] + [None]
    assert formset.forms[0]["hold_seconds"].value() == 5
    assert formset.forms[0]["notes"].value() == "Go gently."
    assert "therapist" not in form.fields  # a therapist prescribes as themselves


def program_today_for(people: People) -> dt.date:
    return timezone.localdate(timezone=people.therapist.location.tzinfo)


def test_builder_starts_empty_with_a_few_rows(client: Client, people: People, newcomer) -> None:
    response = signed_in(client, people.therapist.user).get(_new(newcomer), {"template": ""})

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == ""
    assert len(response.context["formset"].forms) == 3


# A NUL byte would reach PostgreSQL in the template lookup (a 500) unless refused before it.
@pytest.mark.parametrize("slug", ["gone", "go\x00ne", "not a slug", "x" * 1000])
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_template_is_a_form_error_not_a_crash(
    client: Client, people: People, newcomer, method: str, slug: str
) -> None:
    send = getattr(signed_in(client, people.therapist.user), method)
    response = send(_new(newcomer), {"template": slug})

    assert response.status_code == 400
    assert "no longer offered" in response.content.decode()


def test_builder_prescribes_from_a_template(
    client: Client,
    people: People,
    newcomer,
    template,
    invitations,
    django_capture_on_commit_callbacks,
) -> None:
    pelvic, walking = (item.exercise for item in template.items.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, people.therapist.user).post(
            _new(newcomer),
            _data(
                [_row(pelvic, reps=8, hold_seconds=5, position=1), _row(walking, minutes=15)],
                template="lbp-early",
                title="Low back pain — early phase",
            ),
        )

    program = ExerciseProgram.objects.get(patient=newcomer)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{newcomer.pk}/?program={program.pk}"
    assert program.therapist == people.therapist
    assert program.template == template
    version = version_current(program=program)
    assert version.number == 1 and version.created_by == people.therapist.user
    assert [(i.exercise, i.dose_display) for i in version.items.all()] == [
        (pelvic, "8 reps, hold 5 seconds"),
        (walking, "15 minutes"),
    ]
    assert invitations == [program]


def test_builder_orders_rows_by_their_numbers(
    client: Client, people: People, newcomer, invitations
) -> None:
    a, b, c = ExerciseFactory(), ExerciseFactory(), ExerciseFactory()
    signed_in(client, people.therapist.user).post(
        _new(newcomer),
        _data(
            [_row(a, reps=5), _row(b, reps=5, position=2), _row(c, reps=5, position=1)],
        ),
    )

    items = version_current(program=ExerciseProgram.objects.get(patient=newcomer)).items.all()
    assert [item.exercise for item in items] == [c, b, a]


def test_builder_ignores_blank_and_removed_rows(
    client: Client, people: People, newcomer, invitations
) -> None:
    kept, removed = ExerciseFactory(), ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(newcomer),
        _data([_row(kept, reps=5), {}, _row(removed, reps=5, DELETE="on"), {"per_side": ""}]),
    )

    assert response.status_code == 302
    items = version_current(program=ExerciseProgram.objects.get(patient=newcomer)).items.all()
    assert [item.exercise for item in items] == [kept]


def test_builder_redisplays_item_errors(client: Client, people: People, newcomer) -> None:
    good, doseless, too_much = ExerciseFactory(), ExerciseFactory(), ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(newcomer),
        _data(
            [
                _row(good, reps=5),
                _row(doseless, sets=2, notes="Slowly"),
                _row(too_much, reps=500),
            ]
        ),
    )

    assert response.status_code == 400
    first, second, third = response.context["formset"].forms
    assert not first.errors
    assert second.non_field_errors() == ["Give the repetitions, a hold time or the minutes."]
    assert third.errors["reps"] == ["Ensure this value is less than or equal to 100."]
    page = response.content.decode()
    assert "Exercise 2 has a problem." in page and "Exercise 3 has a problem." in page
    assert "Slowly</textarea>" in page  # what was typed is kept
    assert not ExerciseProgram.objects.filter(patient=newcomer).exists()


def test_builder_puts_the_services_item_errors_on_the_right_row(
    client: Client, people: People, newcomer, monkeypatch
) -> None:
    from django.core.exceptions import ValidationError

    def refuse(**kwargs: Any) -> None:
        # The service numbers items in the order it was given them, from 1.
        raise ValidationError({"items.1": ["Not this one."], "items": ["Too many."]})

    monkeypatch.setattr("stride.programs.views_staff.programs.program_create", refuse)
    a, b = ExerciseFactory(), ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(newcomer), _data([_row(a, reps=5, position=2), _row(b, reps=5, position=1)])
    )

    assert response.status_code == 400
    first, second = response.context["formset"].forms
    assert not first.errors
    assert second.non_field_errors() == ["Not this one."]  # numbered 1, so given first
    assert response.context["items_errors"] == ["Too many."]
    assert "Too many." in response.content.decode()


def test_builder_redisplays_field_errors_next_to_fields(
    client: Client, people: People, newcomer
) -> None:
    exercise = ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(newcomer),
        _data(
            [_row(exercise, reps=500, days_per_week=8)],
            title="",
            review_date="2020-01-01",
            sessions_per_week="0",
        ),
    )

    assert response.status_code == 400
    form, row = response.context["form"], response.context["formset"].forms[0]
    assert form.errors["title"] == ["This field is required."]
    assert form.errors["review_date"] == ["The review date cannot be before the start date."]
    assert "sessions_per_week" in form.errors
    assert "reps" in row.errors and "days_per_week" in row.errors
    assert "Please correct the following" in response.content.decode()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("blank", "Add at least one exercise."),
        ("twice", "Each exercise may appear once."),
        ("no_exercise", "Choose the exercise, or tick Remove."),
        ("unknown", "Choose one of the exercises listed."),
    ],
)
def test_builder_explains_a_wrong_list_of_exercises(
    client: Client, people: People, newcomer, rows: str, message: str
) -> None:
    exercise = ExerciseFactory()
    unpublished = ExerciseFactory(is_published=False)
    cases: dict[str, list[dict[str, Any]]] = {
        "blank": [{}, {}],
        "twice": [_row(exercise, reps=5), _row(exercise, reps=8)],
        "no_exercise": [{"reps": "5"}],
        "unknown": [_row(unpublished, reps=5)],
    }
    data = cases[rows]

    response = signed_in(client, people.therapist.user).post(_new(newcomer), _data(data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExerciseProgram.objects.filter(patient=newcomer).exists()


def test_builder_add_row_saves_nothing_and_keeps_what_was_typed(
    client: Client, people: People, newcomer
) -> None:
    exercise = ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(newcomer),
        _data([_row(exercise, reps=7, notes="Keep breathing")], title="Typed", add_row="1"),
    )

    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert formset.forms[0]["reps"].value() == "7"
    assert formset.forms[0]["notes"].value() == "Keep breathing"
    assert response.context["form"]["title"].value() == "Typed"
    assert not response.context["form"].errors
    assert not ExerciseProgram.objects.filter(patient=newcomer).exists()


def test_builder_survives_a_broken_form(client: Client, people: People, newcomer) -> None:
    client = signed_in(client, people.therapist.user)
    for data in (
        {},
        {"items-TOTAL_FORMS": "x", "items-INITIAL_FORMS": "0"},
        _data([], **{"items-TOTAL_FORMS": "5000"}),
        _data([{"exercise": "'; drop table"}]),
    ):
        assert client.post(_new(newcomer), data).status_code == 400
        assert client.post(_new(newcomer), {**data, "add_row": "1"}).status_code == 200


def test_builder_refuses_a_patient_who_has_an_open_program(client: Client, people: People) -> None:
    exercise = ExerciseFactory()
    response = signed_in(client, people.therapist.user).post(
        _new(people.patient), _data([_row(exercise, reps=5)])
    )

    assert response.status_code == 400
    assert "already has an open program" in response.content.decode()
    assert ExerciseProgram.objects.filter(patient=people.patient).count() == 1


def test_admin_chooses_the_therapist(client: Client, people: People, newcomer, invitations) -> None:
    exercise = ExerciseFactory()
    client = signed_in(client, people.admin)
    assert "therapist" in client.get(_new(newcomer), {"template": ""}).context["form"].fields

    missing = client.post(_new(newcomer), _data([_row(exercise, reps=5)]))
    assert missing.status_code == 400
    assert missing.context["form"].errors["therapist"] == ["This field is required."]

    client.post(_new(newcomer), _data([_row(exercise, reps=5)], therapist=str(people.other.pk)))
    program = ExerciseProgram.objects.get(patient=newcomer)
    assert program.therapist == people.other
    assert version_current(program=program).created_by == people.admin


# --- Changing a program ----------------------------------------------------------------------


def _edit(program) -> str:
    return f"/staff/programs/{program.pk}/edit/"


def test_edit_form_starts_from_the_current_version(client: Client, people: People) -> None:
    response = signed_in(client, people.therapist.user).get(_edit(people.program))

    version = version_current(program=people.program)
    formset = response.context["formset"]
    assert response.status_code == 200
    assert [f["exercise"].value() for f in formset.forms] == [
        item.exercise_id for item in version.items.all()
    ] + [None]
    assert response.context["form"]["start_date"].value() == version.start_date
    assert "change_note" in response.context["form"].fields
    assert "Save as version 2" in response.content.decode()


def test_revise_keeps_history(client: Client, people: People) -> None:
    program = people.program
    first = version_current(program=program)
    first_items = list(first.items.values_list("exercise", "reps"))
    session = session_log_create(program=program, on=program_today(program), completion="done")
    kept = first.items.all()[0]

    response = signed_in(client, people.therapist.user).post(
        _edit(program),
        _data(
            [_row(kept.exercise, reps=12, hold_seconds=5)],
            start_date=program.start_date.isoformat(),
            change_note="Fewer exercises, more reps",
            title=None,
        ),
    )

    assert response.status_code == 302
    versions = list(ProgramVersion.objects.filter(program=program).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].change_note == "Fewer exercises, more reps"
    assert versions[1].created_by == people.therapist.user
    assert list(versions[0].items.values_list("exercise", "reps")) == first_items
    assert [(i.exercise, i.reps) for i in versions[1].items.all()] == [(kept.exercise, 12)]
    assert SessionLog.objects.get(pk=session.pk).version == versions[0]

    page = client.get(f"/staff/patients/{people.patient.pk}/").content.decode()
    assert "Version 2" in page and "Version 1" in page
    assert "Fewer exercises, more reps" in page


def test_revise_redisplays_item_errors(client: Client, people: People) -> None:
    exercise = version_current(program=people.program).items.all()[0].exercise
    response = signed_in(client, people.therapist.user).post(
        _edit(people.program), _data([_row(exercise, per_side="on")], title=None)
    )

    assert response.status_code == 400
    assert response.context["formset"].forms[0].non_field_errors() == [
        "Give the repetitions, a hold time or the minutes."
    ]
    assert ProgramVersion.objects.filter(program=people.program).count() == 1


def test_an_ended_program_cannot_be_changed(client: Client, people: People) -> None:
    program_status_set(program=people.program, status=ProgramStatus.ENDED)
    client = signed_in(client, people.therapist.user)

    response = client.get(_edit(people.program), follow=True)

    assert "An ended program cannot be changed" in response.content.decode()
    assert ProgramVersion.objects.filter(program=people.program).count() == 1


def test_edit_keeps_an_exercise_taken_out_of_the_library(client: Client, people: People) -> None:
    item = version_current(program=people.program).items.all()[0]
    item.exercise.is_published = False
    item.exercise.save()

    response = signed_in(client, people.therapist.user).get(_edit(people.program))

    assert response.context["formset"].forms[0]["exercise"].value() == item.exercise_id
    assert item.exercise.name in response.content.decode()


# --- Pause, resume, end ----------------------------------------------------------------------


def _status(client: Client, program, action: str):
    return client.post(f"/staff/programs/{program.pk}/status/", {"action": action}, follow=True)


def test_pause_resume_and_end(client: Client, people: People) -> None:
    client = signed_in(client, people.therapist.user)
    program = people.program

    assert "Program paused" in _status(client, program, "pause").content.decode()
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED
    _status(client, program, "resume")
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    _status(client, program, "end")
    program.refresh_from_db()
    assert program.status == ProgramStatus.ENDED

    page = _status(client, program, "resume").content.decode()
    assert "cannot be reopened" in page
    program.refresh_from_db()
    assert program.status == ProgramStatus.ENDED


def test_unknown_status_action_is_a_bad_request(client: Client, people: People) -> None:
    response = signed_in(client, people.therapist.user).post(
        f"/staff/programs/{people.program.pk}/status/", {"action": "delete"}
    )
    assert response.status_code == 400


def test_resume_waits_for_warning_signs_to_be_resolved(client: Client, people: People) -> None:
    program = people.program
    pain_score_create(program=program, on=program_today(program), nprs=6, symptoms=["both_legs"])
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED

    page = _status(signed_in(client, people.therapist.user), program, "resume").content.decode()

    assert "Resolved — resume program" in page
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED


def test_a_new_program_after_the_old_one_ended(client: Client, people: People, invitations) -> None:
    program_status_set(program=people.program, status=ProgramStatus.ENDED)
    exercise = ExerciseFactory()
    client = signed_in(client, people.therapist.user)
    assert "New program" in client.get(f"/staff/patients/{people.patient.pk}/").content.decode()

    response = client.post(_new(people.patient), _data([_row(exercise, minutes=20)]))

    assert response.status_code == 302
    assert ExerciseProgram.objects.filter(patient=people.patient).count() == 2
    assert ProgramItem.objects.filter(version__program__patient=people.patient).count() == 4


def test_errors_without_a_field_go_to_the_top_of_the_form() -> None:
    from django.core.exceptions import ValidationError

    from stride.programs.forms_staff import ProgramForm, errors_apply

    form = ProgramForm(data={}, revising=True)
    form.is_valid()

    items_errors = errors_apply(
        ValidationError({"items.7": ["Out of range."], "patient": ["Not a patient."]}),
        form=form,
        rows=[],
    )
    errors_apply(ValidationError("An ended program cannot be changed."), form=form, rows=[])

    assert items_errors == ["Out of range."]
    assert form.non_field_errors() == [
        "Not a patient.",
        "An ended program cannot be changed.",
    ]
