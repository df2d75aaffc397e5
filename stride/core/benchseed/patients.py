"""Bench patients: accounts, one home exercise program each and its days of logs.

Each patient's program comes from a template and one therapist (the patient's own), started
``log_days`` ago. Each day the patient logs a session with a probability set by their adherence,
rates their pain with each session and on some other days, and fills in the PSFS every two
weeks. Pain follows an improving, flat or worsening course with noise, and the escalation rules
(``stride.programs.rules``) run on the same rows, so some patients need their therapist's
attention as they would after ``evaluate_programs``.

Rows go in with ``rows_insert`` (executemany) in chunks of patients; the ids the next table
needs are read back by their natural keys (one program per patient, one session per day).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from stride.accounts.models import PatientProfile, Role, User
from stride.programs import rules
from stride.programs.models import (
    DOSE_FIELDS,
    Completion,
    ExerciseProgram,
    PainScore,
    ProgramAlert,
    ProgramItem,
    ProgramStatus,
    ProgramTemplate,
    ProgramTemplateItem,
    ProgramVersion,
    PsfsActivity,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
)
from stride.scheduling.models import Therapist

from .clinic import UNUSABLE_PASSWORD
from .rows import rows_insert

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Ethan",
    "Harper",
    "Aiden",
    "Evelyn",
    "Daniel",
    "Abigail",
    "Wei",
    "Fatima",
    "Omar",
    "Yuki",
    "Chloe",
    "Diego",
    "Aaliyah",
    "Nikolai",
    "Zoe",
    "Kwame",
    "Ines",
    "Rohan",
    "Leah",
    "Samuel",
    "Nadia",
    "Arjun",
    "Maria",
    "Jonah",
    "Layla",
    "Felix",
    "Rosa",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
]
PSFS_ACTIVITIES = [
    "Sitting at my desk for an hour",
    "Picking up my child",
    "Walking to the station",
    "Climbing the stairs at home",
    "Gardening",
    "Sleeping through the night",
    "Running for 20 minutes",
    "Carrying the groceries",
    "Driving to work",
]
PSFS_EVERY = dt.timedelta(days=14)
EMAIL = "patient{:06d}@bench.stride.example"
# Patients per round of inserts (each round reads back the ids the next table needs).
CHUNK = 500


@dataclass
class PatientsResult:
    patients: list[int] = field(default_factory=list)
    by_therapist: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    session_logs: int = 0
    pain_scores: int = 0
    psfs_checkins: int = 0
    alerts: int = 0


@dataclass(frozen=True)
class _Course:
    """One patient's story: how often they exercise and where their pain goes."""

    adherence: float
    baseline: int
    final: int

    def nprs(self, progress: float, rng: random.Random) -> int:
        value = self.baseline + (self.final - self.baseline) * progress + rng.gauss(0, 0.5)
        return max(0, min(10, round(value)))


def _course(rng: random.Random) -> _Course:
    band = rng.choices([(0.6, 1.0), (0.3, 0.6), (0.05, 0.3)], weights=[7, 2, 1])[0]
    baseline = rng.randint(3, 7)
    course = rng.choices(["improving", "flat", "worse"], weights=[75, 20, 5])[0]
    if course == "improving":
        # At least 2 points and 30 % better (CLINICAL.md §2): a real improvement.
        final = baseline - max(2, -(-baseline * 4 // 10)) - rng.randint(0, 1)
    elif course == "flat":
        final = baseline + rng.choice([-1, 0, 1])
    else:
        final = baseline + rng.randint(2, 3)
    return _Course(adherence=rng.uniform(*band), baseline=baseline, final=max(0, min(10, final)))


@dataclass(frozen=True)
class _Context:
    therapists: Sequence[Therapist]
    templates: Sequence[ProgramTemplate]
    items: dict[int, list[ProgramTemplateItem]]
    today: dt.date
    start: dt.date
    now: dt.datetime
    rng: random.Random


def patients_create(
    *,
    count: int,
    first_number: int,
    therapists: Sequence[Therapist],
    templates: Sequence[ProgramTemplate],
    today: dt.date,
    log_days: int,
    now: dt.datetime,
    rng: random.Random,
) -> PatientsResult:
    """Create ``count`` patients numbered from ``first_number``, each with a program and logs."""
    context = _Context(
        therapists=therapists,
        templates=templates,
        items={t.pk: list(t.items.order_by("position")) for t in templates},
        today=today,
        start=today - dt.timedelta(days=log_days - 1),
        now=now,
        rng=rng,
    )
    result = PatientsResult()
    for offset in range(0, count, CHUNK):
        numbers = range(first_number + offset, first_number + min(count, offset + CHUNK))
        _chunk_create(numbers, context, result)
    return result


def _chunk_create(numbers: range, c: _Context, result: PatientsResult) -> None:
    rng, now = c.rng, c.now
    emails = [EMAIL.format(number) for number in numbers]
    rows_insert(
        User,
        ("email", "first_name", "last_name", "role", "password", "is_superuser", "is_staff")
        + ("is_active", "date_joined"),
        [
            (email, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), Role.PATIENT)
            + (UNUSABLE_PASSWORD, False, False, True, now - dt.timedelta(days=rng.randint(90, 800)))
            for email in emails
        ],
    )
    by_email = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    users = [by_email[email] for email in emails]
    rows_insert(
        PatientProfile,
        ("user_id", "phone", "date_of_birth", "created_at", "updated_at"),
        [
            (user, f"(718) 555-{rng.randint(0, 9999):04d}")
            + (dt.date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28)), now, now)
            for user in users
        ],
    )

    plans = {user: (rng.choice(c.therapists), rng.choice(c.templates)) for user in users}
    rows_insert(
        ExerciseProgram,
        ("patient_id", "therapist_id", "title", "status", "template_id", "start_date")
        + ("review_date", "sessions_per_week", "invited_at", "reminder_time")
        + ("created_at", "updated_at"),
        [
            (user, therapist.pk, template.name, ProgramStatus.ACTIVE, template.pk, c.start)
            + (c.start + dt.timedelta(weeks=template.review_after_weeks),)
            + (template.sessions_per_week, now - (c.today - c.start))
            + (rng.choice([None, None, dt.time(8), dt.time(18, 30)]), now, now)
            for user, (therapist, template) in plans.items()
        ],
    )
    programs = list(
        ExerciseProgram.objects.filter(patient__in=users)
        .order_by("patient_id")
        .values_list("pk", "patient_id", "sessions_per_week")
    )
    for _, user, _ in programs:
        therapist = plans[user][0]
        result.patients.append(user)
        result.by_therapist[therapist.pk].append(user)
    rows_insert(
        ProgramVersion,
        ("program_id", "number", "created_at", "created_by_id", "change_note", "start_date")
        + ("review_date", "sessions_per_week"),
        [
            (pk, 1, now, plans[user][0].user_id, "First version.", c.start)
            + (c.start + dt.timedelta(weeks=plans[user][1].review_after_weeks), spw)
            for pk, user, spw in programs
        ],
    )
    versions = dict(
        ProgramVersion.objects.filter(program__in=[p[0] for p in programs]).values_list(
            "program_id", "pk"
        )
    )
    item_fields = ("exercise_id", "position", *DOSE_FIELDS, "per_side", "notes")
    rows_insert(
        ProgramItem,
        ("version_id", *item_fields),
        [
            (versions[pk], *(getattr(item, name) for name in item_fields))
            for pk, user, _ in programs
            for item in c.items[plans[user][1].pk]
        ],
    )
    _logs_create(
        [(pk, versions[pk], spw) for pk, _, spw in programs],
        c,
        result,
    )


def _logs_create(
    programs: Sequence[tuple[int, int, int]], c: _Context, result: PatientsResult
) -> None:
    """Insert the session logs, pain scores and PSFS of ``(program, version, sessions/week)``."""
    rng, now = c.rng, c.now
    days = (c.today - c.start).days + 1
    sessions = []
    pains: list[tuple[int, dt.date, int, bool]] = []  # (program, on, nprs, with a session)
    for program, version, spw in programs:
        course = _course(rng)
        chance = course.adherence * spw / 7
        for offset in range(days):
            on = c.start + dt.timedelta(days=offset)
            nprs = course.nprs(offset / max(1, days - 1), rng)
            if rng.random() < chance:
                done = Completion.DONE if rng.random() < 0.85 else Completion.PARTLY
                during = max(0, nprs - rng.randint(1, 3)) if rng.random() < 0.6 else None
                sessions.append((program, version, on, done, during, "", now))
                pains.append((program, on, nprs, True))
            elif rng.random() < 0.4:
                pains.append((program, on, nprs, False))
    rows_insert(
        SessionLog,
        ("program_id", "version_id", "on", "completion", "pain_during", "note", "created_at"),
        sessions,
    )
    ids = [p[0] for p in programs]
    session_ids = {
        (program, on): pk
        for pk, program, on in SessionLog.objects.filter(program__in=ids).values_list(
            "pk", "program_id", "on"
        )
    }
    rows_insert(
        PainScore,
        ("program_id", "session_id", "on", "nprs", "note", "created_at"),
        [
            (program, session_ids[program, on] if logged else None, on, nprs, "", now)
            for program, on, nprs, logged in pains
        ],
    )
    result.session_logs += len(sessions)
    result.pain_scores += len(pains)
    result.psfs_checkins += _psfs_create(ids, c)
    result.alerts += _alerts_create(programs, sessions, pains, c)


def _psfs_create(programs: Sequence[int], c: _Context) -> int:
    """Give each program three PSFS activities and a check-in every two weeks from its start."""
    rng, now = c.rng, c.now
    rows_insert(
        PsfsActivity,
        ("program_id", "position", "name"),
        [
            (program, position, name)
            for program in programs
            for position, name in enumerate(rng.sample(PSFS_ACTIVITIES, 3), start=1)
        ],
    )
    activities: dict[int, list[int]] = defaultdict(list)
    for program, pk in (
        PsfsActivity.objects.filter(program__in=programs)
        .order_by("program_id", "position")
        .values_list("program_id", "pk")
    ):
        activities[program].append(pk)
    dates = []
    on = c.start
    while on <= c.today:
        dates.append(on)
        on += PSFS_EVERY
    rows_insert(
        PsfsCheckin,
        ("program_id", "on", "created_at"),
        [(program, on, now) for program in programs for on in dates],
    )
    checkins = PsfsCheckin.objects.filter(program__in=programs).values_list(
        "pk", "program_id", "on"
    )
    rows_insert(
        PsfsRating,
        ("checkin_id", "activity_id", "score"),
        [
            (pk, activity, min(10, 3 + (on - c.start).days // 21 + rng.randint(0, 2)))
            for pk, program, on in checkins
            for activity in activities[program]
        ],
    )
    return len(programs) * len(dates)


def _alerts_create(
    programs: Sequence[tuple[int, int, int]],
    sessions: Sequence[tuple],
    pains: Sequence[tuple[int, dt.date, int, bool]],
    c: _Context,
) -> int:
    """Record the alerts the escalation rules raise today, as ``evaluate_programs`` would."""
    session_entries: dict[int, list[rules.SessionEntry]] = defaultdict(list)
    for program, _, on, completion, during, _, _ in sessions:
        session_entries[program].append(
            rules.SessionEntry(on=on, completion=rules.Completion(completion), pain_during=during)
        )
    pain_entries: dict[int, list[rules.PainEntry]] = defaultdict(list)
    for program, on, nprs, _ in pains:
        pain_entries[program].append(rules.PainEntry(on=on, nprs=nprs))
    rows = []
    for program, _, spw in programs:
        for alert in rules.evaluate(
            today=c.today,
            window=rules.ProgramWindow(start=c.start, sessions_per_week=spw),
            pains=pain_entries[program],
            sessions=session_entries[program],
            red_flags=[],
            previous_alerts=[],
        ):
            rows.append(
                (program, alert.kind.value, alert.severity.value, alert.episode_key)
                + (alert.patient_message_key, "", alert.since, alert.flag_therapist)
                + (alert.suggest_booking, c.now)
            )
    return rows_insert(
        ProgramAlert,
        ("program_id", "kind", "severity", "episode_key", "message_key", "red_flag", "since")
        + ("flag_therapist", "suggest_booking", "created_at"),
        rows,
    )
