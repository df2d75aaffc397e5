"""A patient's page for the therapist: program, history, logs, charts, alerts, warning signs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from stride.programs import rules
from stride.programs.models import ProgramAlert, ProgramStatus, SymptomReport
from stride.programs.selectors.programs import program_today, version_current
from stride.programs.services.logs import (
    pain_score_create,
    psfs_checkin_create,
    session_log_create,
)
from stride.programs.services.programs import program_status_set
from stride.scheduling.models import AppointmentStatus

from .test_staff_support import People, alert_add, future, people_build, signed_in, visit_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> People:
    return people_build()


def _page(client: Client, people: People, user=None, **params) -> str:
    response = signed_in(client, user or people.therapist.user).get(
        f"/staff/patients/{people.patient.pk}/", params
    )
    assert response.status_code == 200
    return response.content.decode()


def test_patient_page_shows_program_logs_charts_and_visits(client: Client, people: People):
    program = people.program
    today = program_today(program)
    session_log_create(
        program=program,
        on=today - dt.timedelta(days=1),
        completion="partly",
        pain_during=4,
        pain_now=5,
        note="Knees ached a little",
    )
    psfs_checkin_create(
        program=program, on=today, ratings=[3, 4, 5], activities=["Sitting", "Lifting", "Running"]
    )
    visit_add(people.patient, people.therapist, future(days=4))
    visit_add(
        people.patient,
        people.therapist,
        future(days=-10),
        status=AppointmentStatus.COMPLETED,
    )

    page = _page(client, people)

    for item in version_current(program=program).items.all():
        assert item.exercise.name in page
        assert item.dose_display in page
    assert "Partly done" in page and "Knees ached a little" in page
    assert "Sitting 3/10" in page
    assert 'id="progress-data"' in page  # the charts' data
    assert "programs/programs.css" in page
    assert "Version 1" in page
    assert "Completed" in page  # the past visit
    assert "Change program" in page and "Pause" in page
    assert "New program" not in page  # one open program at a time


def test_mark_an_alert_as_dealt_with(client: Client, people: People):
    alert = alert_add(people.program, rules.AlertKind.NOT_IMPROVING)
    page = _page(client, people)
    assert "Mark as dealt with" in page
    assert "Book a follow-up" in page
    assert f"/staff/appointments/new/?therapist={people.therapist.pk}" in page

    response = client.post(f"/staff/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == people.therapist.user
    assert alert.acknowledged_at is not None
    page = _page(client, people)
    assert "Mark as dealt with" not in page
    assert "Dealt with by Maya Chen" in page
    listing = client.get("/staff/patients/")
    assert not listing.context["rows"][0].needs_attention


def test_warning_signs_resolved_resume_the_program(client: Client, people: People):
    program = people.program
    pain_score_create(program=program, on=program_today(program), nprs=5, symptoms=["fever"])
    pain_score_create(program=program, on=program_today(program), nprs=5, symptoms=["both_legs"])
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED
    page = _page(client, people)
    assert "Warning signs reported" in page
    assert "Fever or feeling hot and shivery" in page
    assert "Resolved — resume program" in page
    assert ">Resume<" not in page  # only through the resolution

    response = client.post(f"/staff/programs/{program.pk}/symptoms/resolve/")

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    assert not SymptomReport.objects.filter(program=program, resolved_at__isnull=True).exists()
    assert not ProgramAlert.objects.filter(
        program=program, kind=rules.AlertKind.RED_FLAG_EMERGENCY, cleared_at__isnull=True
    ).exists()
    assert "Warning signs reported" not in _page(client, people)


def test_earlier_programs_can_be_opened(client: Client, people: People):
    first = people.program
    program_status_set(program=first, status=ProgramStatus.ENDED)
    from .factories import program_prescribe

    second = program_prescribe(patient=people.patient, therapist=people.therapist, title="Later")

    page = _page(client, people)
    assert "Later" in page and f"?program={first.pk}" in page
    page = _page(client, people, program=first.pk)
    assert "Change program" not in page  # ended
    assert f"?program={second.pk}" in page


def test_patient_without_program_offers_a_new_one(client: Client, people: People):
    program_status_set(program=people.program, status=ProgramStatus.ENDED)

    page = _page(client, people, user=people.admin)

    assert "New program" in page


def test_a_patient_on_another_therapists_program_cannot_get_a_second(
    client: Client, people: People
):
    visit_add(people.other_patient, people.therapist, future(days=2))

    response = signed_in(client, people.therapist.user).get(
        f"/staff/patients/{people.other_patient.pk}/"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "open program with another therapist" in page
    assert people.other_program.title not in page  # not this therapist's to see
    assert "New program" not in page
