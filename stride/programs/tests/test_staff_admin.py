"""The admin shows templates (editable) and programs, logs and alerts (read only)."""

import pytest
from django.urls import reverse

from stride.programs import rules
from stride.programs.models import ProgramTemplate
from stride.programs.selectors.programs import program_today
from stride.programs.services.logs import session_log_create
from stride.scheduling.tests.factories import StaffUserFactory

from .factories import ExerciseFactory, program_prescribe
from .test_staff_support import alert_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "programtemplate",
        "exerciseprogram",
        "programalert",
        "sessionlog",
        "painscore",
        "psfscheckin",
        "symptomreport",
    ],
)
def test_admin_lists_and_shows_program_records(admin_client, model):
    program = program_prescribe()
    session_log_create(program=program, on=program_today(program), completion="done", pain_now=4)
    alert_add(program, rules.AlertKind.NOT_IMPROVING)
    assert admin_client.get(reverse(f"admin:programs_{model}_changelist")).status_code == 200


def test_programs_are_read_only_in_the_admin(admin_client):
    program = program_prescribe()
    response = admin_client.get(reverse("admin:programs_exerciseprogram_change", args=[program.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client.get(reverse("admin:programs_exerciseprogram_add")).status_code == 403


def test_admin_adds_a_template_with_items(admin_client):
    exercise = ExerciseFactory()
    response = admin_client.post(
        reverse("admin:programs_programtemplate_add"),
        {
            "name": "Neck — early phase",
            "slug": "neck-early-phase",
            "description": "",
            "sessions_per_week": "7",
            "review_after_weeks": "4",
            "is_active": "on",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "1",
            "items-0-exercise": str(exercise.pk),
            "items-0-reps": "5",
        },
    )
    assert response.status_code == 302
    template = ProgramTemplate.objects.get(slug="neck-early-phase")
    assert template.items.get().dose_display == "5 reps"
