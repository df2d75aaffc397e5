import re

import pytest
from django.urls import reverse

from stride.content.tests.factories import ConditionFactory
from stride.programs.models import STANDARD_PRECAUTION, ExerciseCategory

from .factories import BodyRegionFactory, EquipmentFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def headings_in(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.fixture
def library():
    back = BodyRegionFactory(name="Lower back", slug="lower-back")
    hips = BodyRegionFactory(name="Hips", slug="hips")
    BodyRegionFactory(name="Unused region", slug="unused")
    return {
        "stretch": ExerciseFactory(
            name="Knee-to-chest stretch",
            slug="knee-to-chest",
            category=ExerciseCategory.STRETCHING,
            regions=[back, hips],
        ),
        "bridge": ExerciseFactory(
            name="Glute bridge",
            slug="glute-bridge",
            category=ExerciseCategory.STRENGTHENING,
            regions=[back],
        ),
        "hip": ExerciseFactory(
            name="Hip-flexor stretch",
            slug="hip-flexor-stretch",
            category=ExerciseCategory.STRETCHING,
            regions=[hips],
        ),
        "draft": ExerciseFactory(
            name="Draft exercise", slug="draft", is_published=False, regions=[back]
        ),
    }


def names(response) -> list[str]:
    return [exercise.name for exercise in response.context["exercises"]]


def test_urls():
    assert reverse("programs:exercise_list") == "/exercises/"
    assert reverse("programs:exercise_detail", kwargs={"slug": "glute-bridge"}) == (
        "/exercises/glute-bridge/"
    )


def test_list_shows_published_exercises_by_name(client, library):
    response = client.get("/exercises/")
    assert response.status_code == 200
    assert names(response) == ["Glute bridge", "Hip-flexor stretch", "Knee-to-chest stretch"]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Draft exercise" not in html
    assert '<a href="/exercises/glute-bridge/">Glute bridge</a>' in html
    assert "10 reps, hold 5 seconds" in html
    assert STANDARD_PRECAUTION.replace("this causes", "an exercise causes") in html
    assert 'href="/book/"' in html


def test_list_has_labelled_filter_selects_and_only_regions_in_use(client, library):
    html = client.get("/exercises/").content.decode()
    assert '<form class="exercise-filter" method="get" action="/exercises/"' in html
    assert '<label for="filter-category">' in html
    assert '<select id="filter-category" name="category">' in html
    assert '<label for="filter-region">' in html
    assert '<select id="filter-region" name="region">' in html
    assert '<option value="motor_control">Motor control</option>' in html
    assert '<option value="aerobic">Low-impact aerobic</option>' in html
    assert '<option value="lower-back">Lower back</option>' in html
    assert "Unused region" not in html
    ids = ids_in(html)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?category=stretching", ["Hip-flexor stretch", "Knee-to-chest stretch"]),
        ("?category=strengthening", ["Glute bridge"]),
        ("?region=lower-back", ["Glute bridge", "Knee-to-chest stretch"]),
        ("?category=stretching&region=lower-back", ["Knee-to-chest stretch"]),
        ("?category=&region=", ["Glute bridge", "Hip-flexor stretch", "Knee-to-chest stretch"]),
        ("?category=aerobic", []),
    ],
)
def test_list_filters_by_category_and_region(client, library, query, expected):
    response = client.get(f"/exercises/{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_filters_are_kept_selected(client, library):
    html = client.get("/exercises/?category=stretching&region=hips").content.decode()
    assert '<option value="stretching" selected>Stretching</option>' in html
    assert '<option value="hips" selected>Hips</option>' in html
    assert "Show all exercises" in html


def test_no_match_says_so(client, library):
    html = client.get("/exercises/?category=aerobic").content.decode()
    assert "No exercises match these choices." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?category=yoga", "We could not find that type of exercise."),
        ("?region=elbow", "We could not find that body area."),
        ("?region=unused", "We could not find that body area."),
        ("?category=yoga&region=elbow", "that type of exercise or that body area"),
        ("?region=%3Cscript%3Ealert(1)%3C/script%3E", "We could not find that body area."),
        ("?category=" + "x" * 5000, "We could not find that type of exercise."),
    ],
)
def test_unknown_filter_values_give_an_empty_list_and_a_message(client, library, query, message):
    response = client.get(f"/exercises/{query}")
    assert response.status_code == 200
    assert names(response) == []
    html = response.content.decode()
    assert message in html
    assert "<script>alert" not in html


def test_list_refuses_unsafe_methods(client, library):
    assert client.post("/exercises/").status_code == 405


def test_empty_library_still_renders(client):
    response = client.get("/exercises/")
    assert response.status_code == 200
    assert "There are no exercises in the library yet." in response.content.decode()


def test_detail_shows_everything_a_patient_needs(client):
    back = BodyRegionFactory(name="Lower back", slug="lower-back")
    mat = EquipmentFactory(name="Exercise mat", slug="mat")
    condition = ConditionFactory(name="Low back pain", slug="low-back-pain")
    ExerciseFactory(
        name="Glute bridge",
        slug="glute-bridge",
        category=ExerciseCategory.STRENGTHENING,
        summary="Lift your hips to strengthen your buttocks.",
        sets=2,
        reps=10,
        hold_seconds=5,
        times_per_day=2,
        dose_note="Build up to 30.",
        cues="Push through your heels.\nKeep breathing.",
        precautions="Ask your therapist first if your knees hurt.",
        video_url="https://video.example.org/bridge",
        regions=[back],
        equipment=[mat],
        conditions=[condition],
        steps=["Lie on your back.", "Lift your hips.", "Lower slowly."],
    )

    response = client.get("/exercises/glute-bridge/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Glute bridge</h1>" in html
    assert "Strengthening" in html
    assert 'href="/exercises/?region=lower-back">Lower back</a>' in html
    assert "Exercise mat" in html
    assert '<p class="dose">2 sets of 10 reps, hold 5 seconds, twice a day.</p>' in html
    assert "Build up to 30." in html
    steps = re.search(r'<ol class="exercise-steps">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", steps) == [
        "Lie on your back.",
        "Lift your hips.",
        "Lower slowly.",
    ]
    assert "<li>Push through your heels.</li>" in html
    assert f"<li><strong>{STANDARD_PRECAUTION}</strong></li>" in html
    assert "<li>Ask your therapist first if your knees hurt.</li>" in html
    assert '<a href="https://video.example.org/bridge" rel="noopener noreferrer">' in html
    assert "<iframe" not in html
    assert 'href="/articles/?condition=low-back-pain">Low back pain</a>' in html
    assert "Ask your therapist whether this exercise suits you" in html
    assert '<a class="button" href="/book/">Book an appointment</a>' in html
    levels = headings_in(html)
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    ids = ids_in(html)
    assert len(ids) == len(set(ids))


def test_detail_shows_the_standard_precaution_even_without_others(client):
    ExerciseFactory(slug="plain", precautions="")
    html = client.get("/exercises/plain/").content.decode()
    assert STANDARD_PRECAUTION in html


def test_detail_without_equipment_or_steps(client):
    ExerciseFactory(slug="plain", steps=[])
    html = client.get("/exercises/plain/").content.decode()
    assert "No equipment" in html
    assert "Your therapist will show you how to do this exercise." in html


def test_detail_escapes_editor_text(client):
    ExerciseFactory(
        slug="hostile",
        name="<script>alert(1)</script>",
        cues="<img src=x onerror=alert(2)>",
        steps=["<b>bold</b>"],
    )
    html = client.get("/exercises/hostile/").content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_pages_have_no_inline_styles_or_scripts(client, library):
    for path in ["/exercises/", "/exercises/glute-bridge/"]:
        html = client.get(path).content.decode()
        assert " style=" not in html
        assert "<style" not in html
        assert "<script" not in html
        assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("slug", ["no-such-exercise", "draft", "x" * 200])
def test_unknown_and_unpublished_exercises_are_not_found(client, library, slug):
    response = client.get(f"/exercises/{slug}/")
    assert response.status_code == 404


def test_detail_shows_the_illustration_with_its_description(client):
    from django.core.files.base import ContentFile

    from .test_validators import image_bytes

    ExerciseFactory(
        slug="pictured",
        illustration=ContentFile(image_bytes(size=(8, 6)), name="pictured.png"),
        illustration_alt="A person lying on their back with both knees bent.",
    )
    html = client.get("/exercises/pictured/").content.decode()
    img = re.search(r"<img [^>]+>", html).group(0)
    assert 'src="/media/exercises/pictured' in img
    assert 'alt="A person lying on their back with both knees bent."' in img
    assert 'width="8" height="6"' in img
