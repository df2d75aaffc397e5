import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stride.programs.models import Exercise
from stride.scheduling.tests.factories import StaffUserFactory

from .factories import BodyRegionFactory, EquipmentFactory, ExerciseFactory
from .test_validators import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    return client


def _form(**overrides):
    data = {
        "name": "Glute bridge",
        "slug": "glute-bridge",
        "category": "strengthening",
        "summary": "Lift your hips.",
        "is_published": "on",
        "reps": "5",
        "dose_note": "Build up to 30.",
        "cues": "Push through your heels.",
        "precautions": "",
        "illustration_alt": "",
        "video_url": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-number": "1",
        "steps-0-text": "Lie on your back.",
        "steps-1-number": "2",
        "steps-1-text": "Lift your hips.",
    }
    return data | overrides


@pytest.mark.parametrize(
    "url",
    [
        "admin:programs_exercise_changelist",
        "admin:programs_exercise_add",
        "admin:programs_bodyregion_changelist",
        "admin:programs_equipment_changelist",
    ],
)
def test_admin_pages_load(admin_client, url):
    ExerciseFactory(regions=[BodyRegionFactory()], equipment=[EquipmentFactory()])
    assert admin_client.get(reverse(url)).status_code == 200


def test_changelist_filters_and_searches(admin_client):
    back = BodyRegionFactory(slug="lower-back")
    ExerciseFactory(name="Glute bridge", category="strengthening", regions=[back])
    ExerciseFactory(name="Hamstring stretch", category="stretching", is_published=False)
    url = reverse("admin:programs_exercise_changelist")

    def shown(query):
        return [e.name for e in admin_client.get(url + query).context["cl"].result_list]

    assert shown("?category__exact=strengthening") == ["Glute bridge"]
    assert shown(f"?regions__id__exact={back.pk}") == ["Glute bridge"]
    assert shown("?is_published__exact=0") == ["Hamstring stretch"]
    assert shown("?q=hamstring") == ["Hamstring stretch"]


def test_admin_creates_an_exercise_with_steps_and_a_picture(admin_client):
    region = BodyRegionFactory()
    picture = SimpleUploadedFile("bridge.png", image_bytes(size=(8, 6)), content_type="image/png")
    response = admin_client.post(
        reverse("admin:programs_exercise_add"),
        _form(
            regions=[region.pk],
            illustration=picture,
            illustration_alt="A person lying with hips lifted.",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(slug="glute-bridge")
    assert list(exercise.steps.values_list("number", "text")) == [
        (1, "Lie on your back."),
        (2, "Lift your hips."),
    ]
    assert [r.pk for r in exercise.regions.all()] == [region.pk]
    assert (exercise.illustration_width, exercise.illustration_height) == (8, 6)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reps": ""}, None),
        ({"reps": "0"}, "reps"),
        ({"days_per_week": "8"}, "days_per_week"),
        ({"video_url": "http://example.org/v"}, "video_url"),
        (
            {"illustration": SimpleUploadedFile("a.png", b"not a picture", "image/png")},
            "illustration",
        ),
        (
            {
                "illustration": SimpleUploadedFile(
                    "a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
                )
            },
            "illustration",
        ),
    ],
)
def test_admin_refuses_invalid_exercises(admin_client, overrides, field):
    response = admin_client.post(reverse("admin:programs_exercise_add"), _form(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (field or "__all__") in errors
    assert not Exercise.objects.exists()


def test_illustration_preview_is_escaped_and_style_free(admin_client):
    exercise = ExerciseFactory(
        illustration=ContentFile(image_bytes(size=(800, 400)), name="wide.png"),
        illustration_alt='"><script>alert(1)</script>',
    )
    html = admin_client.get(
        reverse("admin:programs_exercise_change", args=[exercise.pk])
    ).content.decode()
    assert '<img src="/media/exercises/wide' in html
    assert 'width="240" height="120"' in html
    assert "<script>alert(1)" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
