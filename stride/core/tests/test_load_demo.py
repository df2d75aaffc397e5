import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "scheduling", "content", "contact", "programs"}
    }


@pytest.mark.django_db
def test_load_demo_twice_creates_nothing_twice(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)
    first = _row_counts()
    call_command("load_demo", verbosity=0)
    assert _row_counts() == first
    assert first["scheduling.Location"] == 1
    assert first["scheduling.Therapist"] == 3
