"""Twenty clients in twenty processes race for one therapist's time: exactly one wins.

Each test starts the twenty processes once and plays three rounds, each on its own day:
1. everyone books the same slot through ``appointment_book``;
2. everyone books a different overlapping slot (starts 09:45-10:30, 30-60 minutes);
3. everyone inserts an overlapping row directly, bypassing the service and its lock; the
   database refuses all but one (on PostgreSQL some refusals come as detected deadlocks, which
   concurrent inserts into one exclusion constraint can meet).

PostgreSQL runs against the test database. SQLite runs against a temporary file database
with the production settings (IMMEDIATE transactions, WAL), since an in-memory database cannot
be shared between processes; it runs whichever backend the rest of the suite uses.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from stride.scheduling.models import ACTIVE_STATUSES, Appointment
from stride.scheduling.tests.concurrency_worker import Job, client_main, clinic_prepare

CLIENTS = 20
NOW = "2026-12-01T12:00:00-05:00"


def _overlapping(day: str) -> list[tuple[str, str]]:
    """Return slots that all contain 10:30-10:45 on ``day``: any two of them overlap."""
    return [
        (f"visit-{minutes}", f"{day}T{start}:00-05:00")
        for minutes, starts in (
            (60, ("09:45", "10:00", "10:15", "10:30")),
            (45, ("10:00", "10:15", "10:30")),
            (30, ("10:15", "10:30")),
        )
        for start in starts
    ]


# (round name, mode, slots the clients cycle through, local date)
ROUNDS = [
    ("service-same-slot", "service", [("visit-60", "2026-12-07T10:00:00-05:00")], "2026-12-07"),
    ("service-overlapping", "service", _overlapping("2026-12-08"), "2026-12-08"),
    ("raw-insert-overlapping", "raw", _overlapping("2026-12-09"), "2026-12-09"),
]
EXPECTED = {
    "service-same-slot": {"booked": 1, "unavailable": CLIENTS - 1},
    "service-overlapping": {"booked": 1, "unavailable": CLIENTS - 1},
    "raw-insert-overlapping": {"booked": 1, "refused": CLIENTS - 1},
}

_ctx = multiprocessing.get_context("spawn")


def _race(*, database_url: str | None, database_name: str | None, ids: Job) -> dict[str, Any]:
    """Run the rounds with CLIENTS processes; return each round's outcome counts."""
    barrier = _ctx.Barrier(CLIENTS)
    report = _ctx.Queue()
    processes = []
    for index in range(CLIENTS):
        jobs = []
        for _, mode, slots, _ in ROUNDS:
            appointment_type, start = slots[index % len(slots)]
            jobs.append({"mode": mode, "type": appointment_type, "start": start, "now": NOW})
        kwargs = {
            "database_url": database_url,
            "database_name": database_name,
            "barrier": barrier,
            "therapist_id": ids["therapist"],
            "patient_id": ids["patients"][index],
            "jobs": jobs,
        }
        process = _ctx.Process(target=client_main, args=(report, index, kwargs))
        process.start()
        processes.append(process)
    outcomes: dict[str, Counter[str]] = {name: Counter() for name, *_ in ROUNDS}
    try:
        for _ in range(CLIENTS * len(ROUNDS)):
            round_, index, outcome = report.get(timeout=300)
            if round_ < 0:
                pytest.fail(f"client {index} crashed: {outcome}")
            outcomes[ROUNDS[round_][0]][outcome] += 1
    except queue.Empty:
        pytest.fail(f"clients stopped answering: {outcomes}")
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return {name: dict(counts) for name, counts in outcomes.items()}


@pytest.mark.django_db(transaction=True)
def test_postgresql_books_exactly_one_of_twenty_concurrent_clients() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; this run uses SQLite (set DATABASE_URL to a PostgreSQL URL)")
    from stride.scheduling.tests.factories import (
        AppointmentTypeFactory,
        BookingRulesFactory,
        TherapistFactory,
        UserFactory,
    )

    # Committed at once (transactional test), so the children see these rows.
    types = [
        AppointmentTypeFactory.create(slug=f"visit-{minutes}", duration_minutes=minutes)
        for minutes in (30, 45, 60)
    ]
    therapist = TherapistFactory.create(types=types)
    BookingRulesFactory.create(location=therapist.location)
    ids = {"therapist": therapist.pk, "patients": [UserFactory.create().pk for _ in range(CLIENTS)]}

    outcomes = _race(database_url=None, database_name=connection.settings_dict["NAME"], ids=ids)

    assert outcomes == EXPECTED
    for _, _, _, day in ROUNDS:
        active = Appointment.objects.filter(status__in=ACTIVE_STATUSES, start__date=day)
        assert active.count() == 1, day


def test_sqlite_file_books_exactly_one_of_twenty_concurrent_clients(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file race runs in the SQLite pass of the suite (DATABASE_URL unset)")
    path = tmp_path / "race.sqlite3"
    database_url = f"sqlite:///{path}"
    with ProcessPoolExecutor(max_workers=1, mp_context=_ctx) as pool:
        ids = pool.submit(
            clinic_prepare, database_url=database_url, database_name=None, patients=CLIENTS
        ).result(timeout=300)

    outcomes = _race(database_url=database_url, database_name=None, ids=ids)

    assert outcomes == EXPECTED
    with sqlite3.connect(path) as db:
        statuses = ", ".join(f"'{status}'" for status in sorted(ACTIVE_STATUSES))
        rows = db.execute(
            "SELECT substr(start, 1, 10), count(*) FROM scheduling_appointment "  # noqa: S608 (fixed statuses)
            f"WHERE status IN ({statuses}) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert rows == [(day, 1) for _, _, _, day in ROUNDS]
