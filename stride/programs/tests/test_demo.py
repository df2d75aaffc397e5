import datetime as dt
import sys
import types

import pytest
from django.apps import apps

from stride.content.models import Condition
from stride.programs import demo, rules
from stride.programs.models import STANDARD_PRECAUTION, Exercise, ExerciseStep

pytestmark = pytest.mark.django_db

# The twenty exercises of docs/CLINICAL.md §3, in its order.
SECTION_3_NAMES = [
    "Knee-to-chest stretch",
    "Knee rolls",
    "Pelvic tilt",
    "Cat–camel",
    "Bottom-to-heels stretch",
    "Prone press-up",
    "Standing back bend",
    "Hamstring stretch",
    "Piriformis stretch",
    "Hip-flexor stretch",
    "Glute bridge",
    "Bird-dog",
    "Dead bug",
    "Side plank from the knees",
    "Elbow plank",
    "Modified curl-up",
    "Deep abdominal activation",
    "Walking",
    "Stationary cycling",
    "Swimming and water exercise",
]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label == "programs"
    } | {
        "regions": Exercise.regions.through.objects.count(),
        "equipment": Exercise.equipment.through.objects.count(),
        "conditions": Exercise.conditions.through.objects.count(),
        "content.Condition": Condition.objects.count(),
    }


def test_load_twice_creates_nothing_twice():
    result = demo.load()
    first = _row_counts()
    updated = dict(Exercise.objects.values_list("slug", "updated_at"))
    steps = dict(ExerciseStep.objects.values_list("pk", "text"))

    assert demo.load() == result
    assert _row_counts() == first
    assert dict(Exercise.objects.values_list("slug", "updated_at")) == updated
    assert dict(ExerciseStep.objects.values_list("pk", "text")) == steps
    assert result == demo.LoadResult(exercises=20, regions=13, equipment=6)
    assert first["programs.Exercise"] == 20
    assert first["content.Condition"] == 1


def test_demo_has_exactly_the_twenty_exercises_of_section_3():
    demo.load()
    assert sorted(Exercise.objects.values_list("name", flat=True)) == sorted(SECTION_3_NAMES)
    assert Exercise.objects.filter(is_published=True).count() == 20
    for exercise in Exercise.objects.prefetch_related("regions", "equipment", "steps"):
        assert exercise.dose_display, exercise.slug
        assert exercise.regions.all(), exercise.slug
        assert exercise.equipment.all(), exercise.slug
        assert len(exercise.steps.all()) >= 3, exercise.slug
        assert exercise.cue_list, exercise.slug
        assert exercise.precaution_list[0] == STANDARD_PRECAUTION


@pytest.mark.parametrize(
    ("slug", "category", "dose", "regions", "equipment"),
    [
        (
            "knee-to-chest",
            "stretching",
            "2 reps on each side, hold 5 seconds, twice a day",
            ["Hips", "Lower back"],
            ["Exercise mat"],
        ),
        (
            "pelvic-tilt",
            "motor_control",
            "5 reps, hold 5 seconds",
            ["Lower back", "Pelvis"],
            ["Exercise mat"],
        ),
        (
            "standing-back-bend",
            "mobility",
            "5 reps, 3 times a day",
            ["Lower back"],
            ["No equipment"],
        ),
        (
            "hamstring-stretch",
            "stretching",
            "hold 30 seconds on each side",
            ["Back of thigh"],
            ["Sturdy chair"],
        ),
        ("glute-bridge", "strengthening", "5 reps", ["Buttocks", "Lower back"], ["Exercise mat"]),
        ("dead-bug", "motor_control", "2 sets of 8 reps", ["Abdominals"], ["Exercise mat"]),
        ("walking", "aerobic", "30 minutes, 5 days a week", ["Whole body"], ["No equipment"]),
        ("stationary-cycling", "aerobic", "30 minutes, 5 days a week", ["Legs"], ["Exercise bike"]),
        (
            "swimming-water-exercise",
            "aerobic",
            "30 minutes, 5 days a week",
            ["Whole body"],
            ["Swimming pool"],
        ),
    ],
)
def test_demo_follows_section_3(slug, category, dose, regions, equipment):
    demo.load()
    exercise = Exercise.objects.get(slug=slug)
    assert exercise.category == category
    assert exercise.dose_display == dose
    assert [r.name for r in exercise.regions.all()] == regions
    assert [e.name for e in exercise.equipment.all()] == equipment
    assert [c.name for c in exercise.conditions.all()] == ["Low back pain"]


def test_reload_updates_changed_rows_and_renumbers_steps(monkeypatch):
    demo.load()
    from stride.programs import demo_data

    changed = types.SimpleNamespace(**vars(demo_data))
    bridge = next(row for row in demo_data.EXERCISES if row["slug"] == "glute-bridge")
    changed.EXERCISES = [
        dict(
            bridge, name="Bridge", regions=["buttocks"], steps=["Only one step."], dose={"reps": 6}
        )
    ]
    monkeypatch.setitem(sys.modules, demo.DEMO_DATA_MODULE, changed)

    demo.load()

    exercise = Exercise.objects.get(slug="glute-bridge")
    assert exercise.name == "Bridge"
    assert exercise.dose_display == "6 reps"
    assert [r.slug for r in exercise.regions.all()] == ["buttocks"]
    assert list(exercise.steps.values_list("number", "text")) == [(1, "Only one step.")]
    assert Exercise.objects.count() == 20


def test_shares_low_back_pain_with_the_content_demo():
    pytest.importorskip("stride.content.demo_data")
    from stride.content import demo as content_demo
    from stride.scheduling import demo as scheduling_demo

    scheduling_demo.load()
    content_demo.load()
    demo.load()
    condition = Condition.objects.get(slug="low-back-pain")
    assert condition.exercises.count() == 20
    assert condition.articles.exists()


def test_missing_demo_data_loads_nothing(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_DATA_MODULE", "stride.programs.no_such_demo_data")
    assert demo.load() == demo.LoadResult(exercises=0, regions=0, equipment=0)


def test_demo_pages_all_render(client):
    demo.load()
    assert client.get("/exercises/").status_code == 200
    assert len(client.get("/exercises/").context["exercises"]) == 20
    assert len(client.get("/exercises/?region=lower-back").context["exercises"]) == 7
    for exercise in Exercise.objects.all():
        response = client.get(exercise.get_absolute_url())
        assert response.status_code == 200
        assert STANDARD_PRECAUTION in response.content.decode()


# --- Program templates and the demo patient ---------------------------------------------------


def _clinic_and_programs() -> None:
    from stride.scheduling import demo as scheduling_demo

    scheduling_demo.load()
    demo.load()


def test_demo_templates_use_the_library():
    from stride.programs import demo_data
    from stride.programs.models import ProgramTemplate

    demo.load()

    templates = {t.slug: t for t in ProgramTemplate.objects.prefetch_related("items__exercise")}
    assert set(templates) == {row["slug"] for row in demo_data.PROGRAM_TEMPLATES}
    early = templates["low-back-pain-early-phase"]
    assert early.name == "Low back pain — early phase"
    assert [item.exercise.slug for item in early.items.all()] == [
        "pelvic-tilt",
        "knee-to-chest",
        "cat-camel",
        "walking",
    ]
    for template in templates.values():
        assert 2 <= len(template.items.all()) <= 4  # CLINICAL.md §4: few exercises
        for item in template.items.all():
            assert item.dose_display, (template.slug, item.exercise.slug)


def test_demo_template_changes_are_applied_on_reload(monkeypatch):
    from stride.programs import demo_data
    from stride.programs.models import ProgramTemplate

    demo.load()
    changed = types.SimpleNamespace(**vars(demo_data))
    first = dict(demo_data.PROGRAM_TEMPLATES[0])
    first["items"] = first["items"][:2]
    first["sessions_per_week"] = 5
    changed.PROGRAM_TEMPLATES = [first]
    monkeypatch.setitem(sys.modules, demo.DEMO_DATA_MODULE, changed)

    demo.load()

    template = ProgramTemplate.objects.get(slug=first["slug"])
    assert template.sessions_per_week == 5
    assert template.items.count() == 2


def test_demo_patient_has_a_program_that_is_not_improving():
    from stride.accounts.models import Role, User
    from stride.programs import demo_data
    from stride.programs.models import ProgramAlert, SessionLog
    from stride.programs.selectors.programs import program_today
    from stride.programs.selectors.progress import program_progress

    _clinic_and_programs()

    patient = User.objects.get(email="alex.patient@example.com")
    assert patient.role == Role.PATIENT
    assert patient.check_password(demo_data.DEMO_PATIENT_PASSWORD)
    (program,) = patient.exercise_programs.all()
    today = program_today(program)
    assert program.therapist.slug == "maya-chen"
    assert program.start_date == today - dt.timedelta(days=15)
    assert program.template.slug == "low-back-pain-early-phase"
    assert SessionLog.objects.filter(program=program).count() == 14
    progress = program_progress(program=program, today=today)
    assert progress.pain_trend == rules.Trend.UNCHANGED
    assert progress.last_log == today - dt.timedelta(days=1)
    assert len(progress.psfs) == 2
    (alert,) = ProgramAlert.objects.filter(program=program)
    assert alert.kind == rules.AlertKind.NOT_IMPROVING
    assert alert.flag_therapist and alert.acknowledged_at is None


def test_demo_dashboard_shows_the_demo_patient_needing_attention(client):
    from stride.accounts.models import User

    _clinic_and_programs()
    client.force_login(User.objects.get(email="maya.chen@stridept.example"))

    response = client.get("/staff/patients/")

    (row,) = response.context["rows"]
    assert row.patient.email == "alex.patient@example.com"
    assert row.needs_attention
    assert "pain has not improved" in response.content.decode()
    detail = client.get(f"/staff/patients/{row.patient.pk}/")
    assert detail.status_code == 200
    assert "Not much change yet." in detail.content.decode()


def test_demo_patient_is_loaded_once():
    from stride.programs.models import ExerciseProgram, PainScore, ProgramAlert

    _clinic_and_programs()
    counts = (ExerciseProgram.objects.count(), PainScore.objects.count())
    alerts = list(ProgramAlert.objects.values_list("pk", flat=True))

    demo.load()

    assert (ExerciseProgram.objects.count(), PainScore.objects.count()) == counts
    assert list(ProgramAlert.objects.values_list("pk", flat=True)) == alerts


def test_no_demo_patient_without_the_demo_clinic():
    from stride.accounts.models import User

    demo.load()

    assert not User.objects.filter(email="alex.patient@example.com").exists()
