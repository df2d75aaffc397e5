"""Seed the bench clinic: the sizes of issue 6 at ``scale=1``, and the growth scenario above it.

What ``scale`` multiplies, and why. Growth is measured per therapist-day, with the ten
therapists fixed, so ``scale=N`` puts N times the appointment rows in every therapist-day and
N times the patients in the clinic:

- A therapist-day cannot hold N times more *visits*: at scale 1 it holds about 6.5 of its 9
  hours' capacity, and the database refuses overlapping active visits. The extra rows are
  therefore cancelled visits at random times of the same day (a slot booked, cancelled and
  booked again), which hold no time and which the clinic keeps. Every query that reads a
  therapist's calendar (availability, booking's re-check, the staff calendar) walks N times
  the rows per therapist-day, while the free time, and so the size of each answer, stays the
  same: the cost ratio isolates how the reads grow with appointments per therapist-day.
- Patients grow N times, each with a program and ``log_days`` of logs: the therapist's
  dashboard ranks all of a therapist's patients, so it grows with them.

The same random seed gives the same clinic relative to the day it runs (dates are "today minus
N days"); the scale-1 rows are the same at every scale (separate random streams feed the extra
rows and patients).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from stride.content.models import Article
from stride.core.generations import BOOKING, CONTENT, generation_bump
from stride.scheduling.selectors import booking_rules_get

from .articles import articles_create
from .calendar import appointments_create
from .clinic import clinic_build
from .patients import PatientsResult, patients_create

RANDOM_SEED = 20260601


@dataclass(frozen=True)
class Counts:
    """How much the bench clinic holds at scale 1."""

    appointments: int = 20_000
    articles: int = 200
    patients: int = 2_000
    log_days: int = 90
    past_days: int = 365


DEFAULT = Counts()
# For tests: the same shape, a few rows of each.
TINY = Counts(appointments=400, articles=10, patients=12, log_days=21, past_days=21)


@dataclass(frozen=True)
class SeedResult:
    locations: int
    therapists: int
    therapist_days: int
    appointments: int
    active_appointments: int
    articles: int
    patients: int
    session_logs: int
    pain_scores: int
    psfs_checkins: int
    alerts: int
    seconds: float

    def lines(self) -> list[str]:
        per_day = self.appointments / self.therapist_days if self.therapist_days else 0
        return [
            f"{self.locations} locations, {self.therapists} therapists, {self.therapist_days} "
            f"therapist-days",
            f"{self.appointments} appointments ({self.active_appointments} active, "
            f"{per_day:.1f} rows per therapist-day)",
            f"{self.articles} articles",
            f"{self.patients} patients: {self.session_logs} session logs, {self.pain_scores} "
            f"pain scores, {self.psfs_checkins} PSFS check-ins, {self.alerts} alerts",
            f"seeded in {self.seconds:.1f} s",
        ]


def seed(
    *,
    counts: Counts = DEFAULT,
    scale: int = 1,
    random_seed: int = RANDOM_SEED,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Fill an empty database with the bench clinic at ``scale``; return what it holds.

    One transaction: SQLite writes it in one go, and a failure leaves the database empty.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    began = time.perf_counter()
    now = now or timezone.now()
    # Seeded generators: the same clinic every time (test data, not secrets).
    base_rng = random.Random(random_seed)  # noqa: S311 (reproducible test data)
    extra_rng = random.Random(random_seed + scale)  # noqa: S311 (reproducible test data)
    with transaction.atomic():
        progress("clinic: demo clinic, locations, therapists, hours")
        clinic = clinic_build()
        today = timezone.localdate(now, timezone=clinic.locations[0].tzinfo)
        progress("articles")
        articles_create(count=counts.articles, therapists=clinic.therapists, now=now, rng=base_rng)
        progress(f"patients: {counts.patients * scale}")

        def patients_add(count: int, first_number: int, rng: random.Random) -> PatientsResult:
            return patients_create(
                count=count,
                first_number=first_number,
                therapists=clinic.therapists,
                templates=clinic.templates,
                today=today,
                log_days=counts.log_days,
                now=now,
                rng=rng,
            )

        patients = patients_add(counts.patients, 1, base_rng)
        extra = patients_add(counts.patients * (scale - 1), counts.patients + 1, extra_rng)
        progress(f"appointments: {counts.appointments * scale}")
        horizon = max(booking_rules_get(location=loc).horizon_days for loc in clinic.locations)
        calendar = appointments_create(
            therapists=clinic.therapists,
            types=clinic.types,
            patients_by_therapist=patients.by_therapist,
            base_patients=patients.patients,
            churn_by_therapist=extra.by_therapist,
            churn_patients=extra.patients or patients.patients,
            count=counts.appointments,
            churn=scale - 1,
            first=today - dt.timedelta(days=counts.past_days),
            last=today + dt.timedelta(days=horizon),
            now=now,
            rng=base_rng,
            churn_rng=extra_rng,
        )
        # The rows above went in without signals: tell cached pages and slot lists (here and on
        # any server already running on this database) that content and bookings changed.
        generation_bump(CONTENT)
        generation_bump(BOOKING)
    return SeedResult(
        locations=len(clinic.locations),
        therapists=len(clinic.therapists),
        therapist_days=calendar.therapist_days,
        appointments=calendar.rows,
        active_appointments=calendar.active,
        articles=Article.objects.count(),
        patients=len(patients.patients) + len(extra.patients),
        session_logs=patients.session_logs + extra.session_logs,
        pain_scores=patients.pain_scores + extra.pain_scores,
        psfs_checkins=patients.psfs_checkins + extra.psfs_checkins,
        alerts=patients.alerts + extra.alerts,
        seconds=time.perf_counter() - began,
    )
