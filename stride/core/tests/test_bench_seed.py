"""bench_seed: the bench clinic has the asked-for sizes and never double-books a therapist."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from stride.accounts.models import Role, User
from stride.content.models import Article, ArticleStatus
from stride.core.benchseed import TINY, appointment_overlap_count
from stride.core.generations import BOOKING, CONTENT, generation_get
from stride.programs.models import ExerciseProgram, PainScore, ProgramVersion, SessionLog
from stride.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Location,
    Therapist,
    WorkingHours,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_seed", "--tiny", *args, stdout=out)
    return out.getvalue()


def test_tiny_seed_has_the_asked_for_counts():
    output = _seed()

    assert Location.objects.count() == 3
    assert Therapist.objects.count() == 10
    assert WorkingHours.objects.values("therapist").distinct().count() == 10
    assert Appointment.objects.count() == TINY.appointments
    assert Appointment.objects.filter(status=AppointmentStatus.CONFIRMED).exists()
    assert Appointment.objects.filter(status=AppointmentStatus.COMPLETED).exists()
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert articles.count() == TINY.articles
    assert all(a.body_html and a.word_count > 200 for a in articles)
    patients = User.objects.filter(role=Role.PATIENT)
    assert patients.count() == TINY.patients
    assert ExerciseProgram.objects.count() == TINY.patients
    assert ProgramVersion.objects.filter(items__isnull=False).distinct().count() == TINY.patients
    logged_days = SessionLog.objects.values("on").distinct().count()
    assert 0 < logged_days <= TINY.log_days
    assert PainScore.objects.filter(session__isnull=False).count() == SessionLog.objects.count()
    assert f"{TINY.appointments} appointments" in output
    # Rows inserted without signals: the seed moves the cache generations on itself.
    assert generation_get(BOOKING).cacheable
    assert generation_get(CONTENT).cacheable


def test_no_therapist_is_double_booked():
    _seed()

    active = list(
        Appointment.objects.filter(status__in=ACTIVE_STATUSES).values_list(
            "therapist_id", "start", "end"
        )
    )
    clashes = [
        (a, b)
        for i, a in enumerate(active)
        for b in active[i + 1 :]
        if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
    ]
    assert clashes == []
    assert appointment_overlap_count() == 0


def test_scale_multiplies_rows_per_therapist_day_and_patients_keeping_therapists():
    _seed("--scale", "3")

    assert Therapist.objects.count() == 10
    assert Appointment.objects.count() == 3 * TINY.appointments
    # The extra rows are cancelled visits: the active calendar is the scale-1 one.
    assert Appointment.objects.filter(status__in=ACTIVE_STATUSES).count() < TINY.appointments
    assert User.objects.filter(role=Role.PATIENT).count() == 3 * TINY.patients
    assert appointment_overlap_count() == 0


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_clinic():
    # Outside a test transaction: flushing PostgreSQL (TRUNCATE) refuses pending trigger events.
    _seed()
    first = list(Appointment.objects.order_by("pk").values_list("therapist__slug", "start"))

    _seed("--flush")

    assert list(Appointment.objects.order_by("pk").values_list("therapist__slug", "start")) == first


def test_refuses_a_database_with_data():
    User.objects.create_user("someone@example.com")

    with pytest.raises(CommandError, match="not empty"):
        _seed()


def test_overlap_count_sees_a_double_booking():
    _seed()
    visit = Appointment.objects.filter(status__in=ACTIVE_STATUSES).first()
    assert visit is not None
    guard = importlib.import_module("stride.scheduling.migrations.0003_appointment_no_overlap")
    # Lift the database's guard inside the test's transaction (rolled back afterwards) to store
    # what it would refuse.
    lift = {"sqlite": guard.SQLITE_REMOVE, "postgresql": guard.PG_REMOVE}[connection.vendor]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The seed's foreign-key checks are deferred; ALTER TABLE wants them done first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in lift:
            cursor.execute(statement)
    twin = Appointment.objects.get(pk=visit.pk)
    twin.pk = None
    twin.manage_token_hash = "0" * 64
    twin.save()

    assert appointment_overlap_count() == 1
