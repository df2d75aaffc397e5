"""Code run in child processes by test_concurrency: each process is one booking client.

Kept apart from the test module so that a spawned child can import it before Django is set up.
"""

from __future__ import annotations

import datetime as dt
import os
from multiprocessing.synchronize import Barrier
from typing import Any

# What one client tries: (appointment type slug, start as ISO 8601), plus the mode.
Job = dict[str, Any]


def django_setup(*, database_url: str | None, database_name: str | None) -> None:
    """Configure and start Django in a fresh process against the parent's database."""
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from django.conf import settings

    if database_name is not None:
        # The parent's test database, not the one DATABASE_URL names.
        settings.DATABASES["default"]["NAME"] = database_name
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    import django

    django.setup()


def clinic_prepare(*, database_url: str | None, database_name: str | None, patients: int) -> Job:
    """Migrate the database and create a therapist, visit types and patients; return their ids."""
    django_setup(database_url=database_url, database_name=database_name)
    from django.core.management import call_command
    from django.db import connection

    from stride.scheduling.tests.factories import (
        AppointmentTypeFactory,
        BookingRulesFactory,
        TherapistFactory,
        UserFactory,
    )

    if database_name is None:
        call_command("migrate", verbosity=0)
    types = [
        AppointmentTypeFactory.create(slug=f"visit-{minutes}", duration_minutes=minutes)
        for minutes in (30, 45, 60)
    ]
    therapist = TherapistFactory.create(types=types)
    BookingRulesFactory.create(location=therapist.location)
    ids = {
        "therapist": therapist.pk,
        "patients": [UserFactory.create().pk for _ in range(patients)],
    }
    connection.close()
    return ids


def client_run(
    *,
    database_url: str | None,
    database_name: str | None,
    barrier: Barrier,
    therapist_id: int,
    patient_id: int,
    jobs: list[Job],
    report: Any,
    index: int,
) -> None:
    """Play every round: wait for all clients, book once, report ``(round, index, outcome)``.

    Outcomes: booked, unavailable (SlotUnavailable), refused (the database's overlap guard;
    on PostgreSQL concurrent raw inserts may also meet it as a detected deadlock, 40P01).
    """
    django_setup(database_url=database_url, database_name=database_name)
    from django.db import IntegrityError, OperationalError, connection

    from stride.accounts.models import User
    from stride.scheduling.models import OVERLAP_GUARD, AppointmentType, Therapist
    from stride.scheduling.services import SlotUnavailable, appointment_book
    from stride.scheduling.tests.factories import AppointmentFactory

    therapist = Therapist.objects.select_related("location").get(pk=therapist_id)
    patient = User.objects.get(pk=patient_id)
    types = {t.slug: t for t in AppointmentType.objects.all()}
    for round_, job in enumerate(jobs):
        start = dt.datetime.fromisoformat(job["start"])
        barrier.wait(timeout=120)
        try:
            if job["mode"] == "service":
                appointment_book(
                    patient=patient,
                    therapist=therapist,
                    appointment_type=types[job["type"]],
                    start=start,
                    now=dt.datetime.fromisoformat(job["now"]),
                )
            else:  # "raw": straight to the database, no service and no lock
                AppointmentFactory.create(
                    therapist=therapist,
                    appointment_type=types[job["type"]],
                    patient=patient,
                    start=start,
                )
            outcome = "booked"
        except SlotUnavailable:
            outcome = "unavailable"
        except IntegrityError as exc:
            outcome = "refused" if OVERLAP_GUARD in str(exc) else f"error: {exc!r}"
        except OperationalError as exc:
            deadlock = getattr(exc.__cause__, "sqlstate", None) == "40P01"
            outcome = "refused" if deadlock else f"error: {exc!r}"
        except Exception as exc:  # reported to the parent, which fails the test
            outcome = f"error: {exc!r}"
        report.put((round_, index, outcome))
    connection.close()


def client_main(report: Any, index: int, kwargs: dict[str, Any]) -> None:
    """Process entry point: run one client; any crash is reported, never lost."""
    try:
        client_run(report=report, index=index, **kwargs)
    except BaseException as exc:
        report.put((-1, index, f"error: {exc!r}"))
