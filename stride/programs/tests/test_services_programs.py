"""Prescribing and revising programs: versions keep history, one open program per patient."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from stride.programs.models import ExerciseProgram, ProgramStatus, ProgramTemplate, SessionLog
from stride.programs.selectors.programs import program_today, version_current, version_list
from stride.programs.services.logs import session_log_create
from stride.programs.services.programs import (
    ItemInput,
    Prescription,
    program_create,
    program_revise,
    program_status_set,
    template_prescription,
)
from stride.programs.tests.factories import ExerciseFactory, program_prescribe
from stride.scheduling.tests.factories import StaffUserFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def _prescription(*exercises, start: dt.date, **dose) -> Prescription:
    return Prescription(
        start_date=start,
        review_date=start + dt.timedelta(weeks=4),
        sessions_per_week=7,
        items=[ItemInput(exercise=e, reps=10, **dose) for e in exercises],
    )


def test_program_create_makes_version_one_with_items_in_order():
    therapist = TherapistFactory()
    first, second = ExerciseFactory(), ExerciseFactory()
    program = program_create(
        patient=UserFactory(),
        therapist=therapist,
        title="Back, early phase",
        prescription=_prescription(second, first, start=dt.date(2026, 11, 2), sets=2),
        created_by=therapist.user,
        invite=False,
    )
    version = version_current(program=program)
    assert version.number == 1
    assert [item.exercise for item in version.items.all()] == [second, first]
    assert version.items.all()[0].dose_display == "2 sets of 10 reps"


def test_program_create_refuses_second_open_program_for_patient():
    program = program_prescribe()
    with pytest.raises(ValidationError) as error:
        program_prescribe(patient=program.patient)
    assert "patient" in error.value.message_dict


def test_program_create_allows_new_program_once_the_old_one_ended():
    program = program_prescribe()
    program_status_set(program=program, status=ProgramStatus.ENDED)
    assert program_prescribe(patient=program.patient).is_open


def test_program_create_refuses_staff_as_patient():
    with pytest.raises(ValidationError) as error:
        program_prescribe(patient=StaffUserFactory())
    assert "patient" in error.value.message_dict


@pytest.mark.parametrize(
    ("items", "field"),
    [([], "items"), (["same", "same"], "items")],
)
def test_program_create_checks_the_exercise_list(items, field):
    therapist = TherapistFactory()
    exercise = ExerciseFactory()
    prescription = Prescription(
        start_date=dt.date(2026, 11, 2),
        review_date=dt.date(2026, 11, 30),
        sessions_per_week=7,
        items=[ItemInput.from_default(exercise) for _ in items],
    )
    with pytest.raises(ValidationError) as error:
        program_create(
            patient=UserFactory(),
            therapist=therapist,
            title="x",
            prescription=prescription,
            created_by=therapist.user,
            invite=False,
        )
    assert field in error.value.message_dict
    assert not ExerciseProgram.objects.exists()


def test_program_create_names_the_item_with_a_bad_dose():
    therapist = TherapistFactory()
    prescription = Prescription(
        start_date=dt.date(2026, 11, 2),
        review_date=dt.date(2026, 11, 30),
        sessions_per_week=7,
        items=[ItemInput.from_default(ExerciseFactory()), ItemInput(exercise=ExerciseFactory())],
    )
    with pytest.raises(ValidationError) as error:
        program_create(
            patient=UserFactory(),
            therapist=therapist,
            title="x",
            prescription=prescription,
            created_by=therapist.user,
            invite=False,
        )
    assert "items.2" in error.value.message_dict
    assert not ExerciseProgram.objects.exists()


def test_program_create_refuses_review_before_start():
    therapist = TherapistFactory()
    prescription = Prescription(
        start_date=dt.date(2026, 11, 2),
        review_date=dt.date(2026, 11, 1),
        sessions_per_week=7,
        items=[ItemInput.from_default(ExerciseFactory())],
    )
    with pytest.raises(ValidationError) as error:
        program_create(
            patient=UserFactory(),
            therapist=therapist,
            title="x",
            prescription=prescription,
            created_by=therapist.user,
            invite=False,
        )
    assert "review_date" in error.value.message_dict


def test_program_revise_keeps_what_was_prescribed_when_and_logs_keep_their_version():
    program = program_prescribe(exercises=2)
    old = version_current(program=program)
    old_items = list(old.items.values_list("exercise_id", "reps"))
    session = session_log_create(program=program, on=program_today(program), completion="done")
    new_exercise = ExerciseFactory()
    program_revise(
        program=program,
        prescription=_prescription(new_exercise, start=program.start_date),
        revised_by=program.therapist.user,
        note="Progressed to strengthening",
    )
    versions = list(version_list(program=program))
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].change_note == "Progressed to strengthening"
    assert [i.exercise for i in versions[0].items.all()] == [new_exercise]
    assert list(versions[1].items.values_list("exercise_id", "reps")) == old_items
    assert SessionLog.objects.get(pk=session.pk).version == old


def test_program_revise_refuses_an_ended_program():
    program = program_prescribe()
    program_status_set(program=program, status=ProgramStatus.ENDED)
    with pytest.raises(ValidationError):
        program_revise(
            program=program,
            prescription=_prescription(ExerciseFactory(), start=program.start_date),
            revised_by=program.therapist.user,
        )


def test_program_status_set_never_reopens_an_ended_program():
    program = program_prescribe()
    program_status_set(program=program, status=ProgramStatus.ENDED)
    with pytest.raises(ValidationError):
        program_status_set(program=program, status=ProgramStatus.ACTIVE)


def test_template_prescription_copies_doses_and_review_interval():
    template = ProgramTemplate.objects.create(
        name="Low back pain — early phase", slug="lbp-early", review_after_weeks=3
    )
    exercise = ExerciseFactory()
    template.items.create(exercise=exercise, position=1, reps=12, sets=2, notes="Slowly")
    prescription = template_prescription(template=template, start_date=dt.date(2026, 11, 2))
    assert prescription.review_date == dt.date(2026, 11, 23)
    (item,) = prescription.items
    assert (item.exercise, item.reps, item.sets, item.notes) == (exercise, 12, 2, "Slowly")


def test_program_create_sends_the_invitation_after_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    from stride.programs.services import programs as programs_services

    sent = []
    therapist = TherapistFactory()
    original = programs_services.program_invite
    programs_services.program_invite = lambda *, program: sent.append(program.pk)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            program = program_create(
                patient=UserFactory(),
                therapist=therapist,
                title="x",
                prescription=_prescription(ExerciseFactory(), start=dt.date(2026, 11, 2)),
                created_by=therapist.user,
            )
    finally:
        programs_services.program_invite = original
    assert sent == [program.pk]


def test_new_program_invites_the_patient_by_email_without_clinical_details(
    mailoutbox, django_capture_on_commit_callbacks
):
    therapist = TherapistFactory()
    patient = UserFactory()
    exercise = ExerciseFactory(name="Pelvic tilt")
    with django_capture_on_commit_callbacks(execute=True):
        program = program_create(
            patient=patient,
            therapist=therapist,
            title="Low back pain",
            prescription=_prescription(exercise, start=dt.date(2026, 11, 2)),
            created_by=therapist.user,
        )
    (email,) = mailoutbox
    assert email.to == [patient.email]
    assert "/accounts/link/" in email.body
    for detail in ("Pelvic tilt", "Low back pain", "pain"):
        assert detail.lower() not in (email.subject + email.body).lower()
    program.refresh_from_db()
    assert program.invited_at is not None


def test_inactive_patient_gets_a_program_but_no_invitation(
    mailoutbox, django_capture_on_commit_callbacks
):
    therapist = TherapistFactory()
    patient = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        program = program_create(
            patient=patient,
            therapist=therapist,
            title="x",
            prescription=_prescription(ExerciseFactory(), start=dt.date(2026, 11, 2)),
            created_by=therapist.user,
        )
    assert mailoutbox == []
    program.refresh_from_db()
    assert program.invited_at is None
