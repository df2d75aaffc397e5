"""Decide when Stride tells a patient and their therapist to act on a home exercise program.

Pure domain logic: no Django and no database. A selector turns a program's logs into the
dataclasses below and calls :func:`evaluate`; a service records each new alert once (by its
``episode_key``), flags the therapist, suspends the program when told to, and shows the patient
the text named by ``patient_message_key``. CLINICAL.md is the only source of the rules, and each
rule cites the line it implements.

Decisions CLINICAL.md leaves open:

* Dates are the patient's local dates and ``today`` is always a parameter. Logs and red-flag
  answers dated after ``today`` are an error; logs dated before the program start are ignored.
* A "partly" session counts as logged (it was a session, done in part); "skipped" does not.
* Program weeks run from ``ProgramWindow.start`` (week 0 is days 0-6), so the rules only judge
  whole weeks of the program, and a week is judged once it is over.
* The NPRS baseline is the first usual-pain rating (``during_exercise=False``) on or after the
  program start. Pain during exercise (``PainEntry.during_exercise`` and
  ``SessionEntry.pain_during``) is judged by its own rule, never against that baseline.
* :func:`evaluate` returns every alert that holds now, each with ``is_new`` (its key is not in
  ``previous_alerts``). Callers send and record only the new ones; the others say what still
  holds. A key stays the same while its episode lasts and is new once it ends and starts again.
  Keys are unique within one program. Run it whenever a log or red-flag answer is saved and once
  a day, because low adherence has no log to trigger it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean

__all__ = [
    "EMERGENCY_RED_FLAGS",
    "Adherence",
    "Alert",
    "AlertKind",
    "Completion",
    "PainEntry",
    "ProgramWindow",
    "PsfsEntry",
    "RedFlag",
    "RedFlagAnswer",
    "SessionEntry",
    "Severity",
    "Trend",
    "evaluate",
    "pain_trend",
    "psfs_change",
    "psfs_score",
    "streak",
    "weekly_adherence",
]

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


class Completion(enum.StrEnum):
    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"


# CLINICAL.md §4 derived: "adherence = sessions logged ÷ sessions prescribed"; a session done in
# part was still done, a skipped one was not.
LOGGED = frozenset({Completion.DONE, Completion.PARTLY})


class Trend(enum.StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSE = "worse"


class Severity(enum.StrEnum):
    """How pressing an alert is, most pressing first."""

    EMERGENCY = "emergency"  # emergency care now
    URGENT = "urgent"  # a doctor today
    HIGH = "high"  # book with the therapist now
    MODERATE = "moderate"  # book a follow-up
    LOW = "low"  # a nudge to the patient


_RANK = {severity: rank for rank, severity in enumerate(Severity)}


def severity_rank(severity: Severity) -> int:
    """Return 0 for the most pressing severity, higher for less pressing ones."""
    return _RANK[severity]


class RedFlag(enum.StrEnum):
    """Red-flag answers, with the codes of ``stride.scheduling.models.RedFlag``."""

    BOTH_LEGS = "both_legs"
    SADDLE_NUMBNESS = "saddle_numbness"
    BLADDER_BOWEL = "bladder_bowel"
    SEXUAL_DYSFUNCTION = "sexual_dysfunction"
    MAJOR_TRAUMA = "major_trauma"
    CHEST_PAIN = "chest_pain"
    FEVER = "fever"
    WEIGHT_LOSS = "weight_loss"
    LUMP = "lump"
    NIGHT_PAIN = "night_pain"
    RISK_HISTORY = "risk_history"
    MINOR_FALL_FRAGILE = "minor_fall_fragile"

    @property
    def severity(self) -> Severity:
        return Severity.EMERGENCY if self in EMERGENCY_RED_FLAGS else Severity.URGENT


# CLINICAL.md §1 "Emergency — go to the emergency department now": the first six; the other six
# are §1 "Urgent — see a doctor today".
EMERGENCY_RED_FLAGS = frozenset(
    {
        RedFlag.BOTH_LEGS,
        RedFlag.SADDLE_NUMBNESS,
        RedFlag.BLADDER_BOWEL,
        RedFlag.SEXUAL_DYSFUNCTION,
        RedFlag.MAJOR_TRAUMA,
        RedFlag.CHEST_PAIN,
    }
)


class AlertKind(enum.StrEnum):
    RED_FLAG_EMERGENCY = "red_flag_emergency"
    RED_FLAG_URGENT = "red_flag_urgent"
    GETTING_WORSE = "getting_worse"
    NOT_IMPROVING = "not_improving"
    LOW_ADHERENCE = "low_adherence"


def _check_date(value: object, name: str) -> None:
    # A datetime is a date too, but comparing one with a date raises TypeError: refuse it here.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, got {value!r}")


def _check_score(value: object, name: str) -> None:
    # CLINICAL.md §2: NPRS runs from 0 to 10; PSFS rates each activity from 0 to 10.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"{name} must be a whole number from 0 to 10, got {value!r}")


@dataclass(frozen=True, slots=True)
class PainEntry:
    """One NPRS rating; ``during_exercise`` tells pain felt while exercising from usual pain."""

    on: date
    nprs: int
    during_exercise: bool = False

    def __post_init__(self) -> None:
        _check_date(self.on, "PainEntry.on")
        _check_score(self.nprs, "PainEntry.nprs")
        if not isinstance(self.during_exercise, bool):
            raise ValueError(
                f"PainEntry.during_exercise must be a bool, got {self.during_exercise!r}"
            )


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One logged exercise session; ``completion`` also accepts its code ("done", ...)."""

    on: date
    completion: Completion
    pain_during: int | None = None

    def __post_init__(self) -> None:
        _check_date(self.on, "SessionEntry.on")
        try:
            object.__setattr__(self, "completion", Completion(self.completion))
        except ValueError:
            raise ValueError(f"unknown completion {self.completion!r}") from None
        if self.pain_during is not None:
            _check_score(self.pain_during, "SessionEntry.pain_during")


@dataclass(frozen=True, slots=True)
class ProgramWindow:
    """When a program started and how many sessions a week it prescribes.

    ``sessions_per_week`` is times a day × days a week of the prescription.
    """

    start: date
    sessions_per_week: int

    def __post_init__(self) -> None:
        _check_date(self.start, "ProgramWindow.start")
        spw = self.sessions_per_week
        if isinstance(spw, bool) or not isinstance(spw, int) or spw < 1:
            raise ValueError(f"sessions_per_week must be a whole number >= 1, got {spw!r}")


@dataclass(frozen=True, slots=True)
class PsfsEntry:
    """One PSFS form (original scale: 0 = unable, 10 = able as before; not PSFS 2.0)."""

    on: date
    ratings: tuple[int, ...]

    def __post_init__(self) -> None:
        _check_date(self.on, "PsfsEntry.on")
        ratings = tuple(self.ratings)
        object.__setattr__(self, "ratings", ratings)
        # CLINICAL.md §2 PSFS: "the patient names 3–5 activities ... and rates each 0 ... to 10".
        if not 3 <= len(ratings) <= 5:
            raise ValueError(f"PSFS rates 3 to 5 activities, got {len(ratings)}")
        for rating in ratings:
            _check_score(rating, "PsfsEntry rating")


@dataclass(frozen=True, slots=True)
class RedFlagAnswer:
    """A red-flag question answered "yes" on ``on``; ``code`` also accepts its code string."""

    on: date
    code: RedFlag

    def __post_init__(self) -> None:
        _check_date(self.on, "RedFlagAnswer.on")
        try:
            object.__setattr__(self, "code", RedFlag(self.code))
        except ValueError:
            raise ValueError(f"unknown red flag {self.code!r}") from None


@dataclass(frozen=True, slots=True)
class Adherence:
    """Sessions logged and prescribed over a week; ``ratio`` is logged ÷ prescribed, capped at 1."""

    logged: int
    prescribed: int
    ratio: float

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the patient, and perhaps their therapist, should act on.

    ``since`` is the day the episode began; ``red_flag`` is set on red-flag alerts only.
    """

    kind: AlertKind
    severity: Severity
    patient_message_key: str
    flag_therapist: bool
    suggest_booking: bool
    suspend_program: bool
    episode_key: str
    since: date
    is_new: bool
    red_flag: RedFlag | None = None


@dataclass(frozen=True, slots=True)
class _Action:
    kind: AlertKind
    severity: Severity
    message_key: str
    flag_therapist: bool
    suggest_booking: bool
    suspend_program: bool = False


# CLINICAL.md §1 derived: "any emergency answer suspends the patient's exercise program, shows
# the emergency message (no booking offered), and flags the patient for their therapist".
EMERGENCY = _Action(
    AlertKind.RED_FLAG_EMERGENCY,
    Severity.EMERGENCY,
    "escalation.red_flag.emergency",
    flag_therapist=True,
    suggest_booking=False,
    suspend_program=True,
)
# CLINICAL.md §1 derived: "An urgent answer shows the urgent message, then allows booking." §1 does
# not say whether to flag; the therapist prescribed the program, so they are told.
URGENT = _Action(
    AlertKind.RED_FLAG_URGENT,
    Severity.URGENT,
    "escalation.red_flag.urgent",
    flag_therapist=True,
    suggest_booking=True,
)
# CLINICAL.md §5 "Getting worse": "→ suggest booking now and flag".
PAIN_RISING = _Action(
    AlertKind.GETTING_WORSE,
    Severity.HIGH,
    "escalation.getting_worse.pain_rising",
    flag_therapist=True,
    suggest_booking=True,
)
EXERCISE_PAIN = _Action(
    AlertKind.GETTING_WORSE,
    Severity.HIGH,
    "escalation.getting_worse.exercise_pain",
    flag_therapist=True,
    suggest_booking=True,
)
# CLINICAL.md §5 "Not improving": "→ suggest booking a follow-up and flag the patient".
NOT_IMPROVING = _Action(
    AlertKind.NOT_IMPROVING,
    Severity.MODERATE,
    "escalation.not_improving",
    flag_therapist=True,
    suggest_booking=True,
)
# CLINICAL.md §5 "Low adherence": "nudge the patient; flag after a second week".
LOW_ADHERENCE_NUDGE = _Action(
    AlertKind.LOW_ADHERENCE,
    Severity.LOW,
    "escalation.low_adherence.nudge",
    flag_therapist=False,
    suggest_booking=False,
)
LOW_ADHERENCE_FLAG = _Action(
    AlertKind.LOW_ADHERENCE,
    Severity.LOW,
    "escalation.low_adherence.therapist_told",
    flag_therapist=True,
    suggest_booking=False,
)


def _alert(
    action: _Action,
    key: str,
    since: date,
    recorded: frozenset[str],
    red_flag: RedFlag | None = None,
) -> Alert:
    return Alert(
        kind=action.kind,
        severity=action.severity,
        patient_message_key=action.message_key,
        flag_therapist=action.flag_therapist,
        suggest_booking=action.suggest_booking,
        suspend_program=action.suspend_program,
        episode_key=key,
        since=since,
        is_new=key not in recorded,
        red_flag=red_flag,
    )


def _prescribed(window: ProgramWindow, days: int) -> int:
    """Return the sessions prescribed over ``days`` days, rounded up: part of a week owes one."""
    return -(-window.sessions_per_week * days // 7)


def _logged(sessions: Iterable[SessionEntry], first: date, end: date) -> int:
    """Count sessions logged (done or partly) on ``first`` up to, not including, ``end``."""
    return sum(1 for s in sessions if s.completion in LOGGED and first <= s.on < end)


def _below(logged: int, prescribed: int, percent: int) -> bool:
    """Return whether logged ÷ prescribed is below ``percent`` %, in exact integer arithmetic."""
    return logged * 100 < percent * prescribed


def weekly_adherence(
    sessions: Iterable[SessionEntry], window: ProgramWindow, week_start: date
) -> Adherence:
    """Return adherence over the seven days from ``week_start`` (CLINICAL.md §4).

    A week that overlaps the program start is prorated: only its days on the program count, and
    the sessions they owe are rounded up. A week wholly before the start is not a week of the
    program and raises ValueError. The week is counted whole even while it is under way.
    """
    _check_date(week_start, "week_start")
    end = week_start + WEEK
    first = max(week_start, window.start)
    days = (end - first).days
    if days <= 0:
        raise ValueError(f"the week of {week_start} ends before the program starts")
    # CLINICAL.md §4 derived: "adherence = sessions logged ÷ sessions prescribed over a week".
    prescribed = _prescribed(window, days)
    logged = _logged(sessions, first, end)
    return Adherence(logged=logged, prescribed=prescribed, ratio=min(1.0, logged / prescribed))


def _check_not_after(
    entries: Iterable[PainEntry | SessionEntry | RedFlagAnswer], today: date
) -> None:
    for entry in entries:
        if entry.on > today:
            raise ValueError(f"{type(entry).__name__} dated {entry.on} is after today, {today}")


def streak(sessions: Iterable[SessionEntry], today: date) -> int:
    """Return how many days in a row, up to today, have a done or partly session (CLINICAL.md §4).

    Today not yet logged does not break the streak: it then counts back from yesterday.
    """
    _check_date(today, "today")
    sessions = tuple(sessions)
    _check_not_after(sessions, today)
    days = {s.on for s in sessions if s.completion in LOGGED}
    day = today if today in days else today - DAY
    count = 0
    while day in days:
        count += 1
        day -= DAY
    return count


def pain_trend(baseline: int, current: int) -> Trend:
    """Compare an NPRS rating with the baseline (CLINICAL.md §2)."""
    _check_score(baseline, "baseline")
    _check_score(current, "current")
    # CLINICAL.md §2 derived: "'worse' when it rises ≥ 2 points".
    if current - baseline >= 2:
        return Trend.WORSE
    # CLINICAL.md §2 derived: "count 'improved' when the drop is ≥ 2 points **and** ≥ 30 %"; the
    # 30 % in integers (10 × drop ≥ 3 × baseline). A baseline of 0 cannot drop.
    drop = baseline - current
    if drop >= 2 and 10 * drop >= 3 * baseline:
        return Trend.IMPROVED
    return Trend.UNCHANGED


def psfs_score(entry: PsfsEntry) -> float:
    """Return the PSFS score (CLINICAL.md §2: "Score = mean of the ratings")."""
    return fmean(entry.ratings)


def psfs_change(baseline: PsfsEntry, current: PsfsEntry) -> Trend:
    """Compare two PSFS forms that rate the same activities in the same order.

    Higher PSFS is better, so a rise is an improvement.
    """
    if len(baseline.ratings) != len(current.ratings):
        raise ValueError("PSFS forms compared must rate the same activities")
    if current.on < baseline.on:
        raise ValueError(f"the current PSFS ({current.on}) predates the baseline ({baseline.on})")
    # CLINICAL.md §2 PSFS: "Meaningful change ≈ 2 points for the mean"; both forms rate n
    # activities, so the means differ by ≥ 2 exactly when the sums differ by ≥ 2n.
    diff = sum(current.ratings) - sum(baseline.ratings)
    n = len(baseline.ratings)
    if diff >= 2 * n:
        return Trend.IMPROVED
    if diff <= -2 * n:
        return Trend.WORSE
    return Trend.UNCHANGED


def _refs(entries: Sequence[PainEntry]) -> list[str]:
    """Name each entry by its date and its place among that date's entries (``2026-03-02#1``)."""
    seen: dict[date, int] = {}
    refs = []
    for entry in entries:
        seen[entry.on] = seen.get(entry.on, 0) + 1
        refs.append(f"{entry.on.isoformat()}#{seen[entry.on]}")
    return refs


def _red_flag_alerts(
    window: ProgramWindow, answers: Sequence[RedFlagAnswer], recorded: frozenset[str]
) -> list[Alert]:
    """Return one alert per red flag answered; an episode runs from its earliest answer given.

    Callers pass the answers a therapist has not yet resolved; answered again after being
    resolved, a flag starts a new episode.
    """
    since: dict[RedFlag, date] = {}
    for answer in answers:
        since[answer.code] = min(answer.on, since.get(answer.code, answer.on))
    # CLINICAL.md §5 "Red flags at any time → §1".
    return [
        _alert(
            EMERGENCY if code.severity is Severity.EMERGENCY else URGENT,
            f"red_flag:{code}:{window.start}:{since[code]}",
            since[code],
            recorded,
            red_flag=code,
        )
        for code in RedFlag
        if code in since
    ]


def _pain_rising(
    window: ProgramWindow, usual: Sequence[PainEntry], recorded: frozenset[str]
) -> list[Alert]:
    # CLINICAL.md §5 "Getting worse": "NPRS rises ≥ 2 points from baseline on two logs in a row".
    # The episode is the run of worse ratings up to the latest one; it ends with a rating that is
    # not worse, and the next run of two is a new episode.
    if not usual:
        return []
    baseline = usual[0].nprs
    first = len(usual)
    while first > 1 and pain_trend(baseline, usual[first - 1].nprs) is Trend.WORSE:
        first -= 1
    if len(usual) - first < 2:
        return []
    key = f"getting_worse:pain_rising:{window.start}:{_refs(usual)[first]}"
    return [_alert(PAIN_RISING, key, usual[first].on, recorded)]


def _exercise_pain(
    window: ProgramWindow,
    pains: Sequence[PainEntry],
    sessions: Sequence[SessionEntry],
    recorded: frozenset[str],
) -> list[Alert]:
    # CLINICAL.md §5 "Getting worse": "any session logs pain ≥ 7 during exercise". Reports on one
    # day count as that day's worst; the episode is the run of days at 7 or more up to the latest
    # day with a report. A skipped session's pain still counts: a report of high pain is heeded.
    worst: dict[date, int] = {}
    reports = [(p.on, p.nprs) for p in pains if p.during_exercise]
    reports += [(s.on, s.pain_during) for s in sessions if s.pain_during is not None]
    for on, score in reports:
        if on >= window.start:
            worst[on] = max(score, worst.get(on, 0))
    run = []
    for day in sorted(worst, reverse=True):
        if worst[day] < 7:
            break
        run.append(day)
    if not run:
        return []
    key = f"getting_worse:exercise_pain:{window.start}:{run[-1]}"
    return [_alert(EXERCISE_PAIN, key, run[-1], recorded)]


def _not_improving(
    window: ProgramWindow,
    today: date,
    usual: Sequence[PainEntry],
    sessions: Sequence[SessionEntry],
    recorded: frozenset[str],
) -> list[Alert]:
    # CLINICAL.md §5 "Not improving": "after 14 days on a program with ≥ 60 % adherence, NPRS has
    # not improved (see §2)".
    day_14 = window.start + 14 * DAY
    if today < day_14 or len(usual) < 2:
        return []
    # Adherence over the days on the program so far; today is under way, so it is left out.
    days = (today - window.start).days
    if _below(_logged(sessions, window.start, today), _prescribed(window, days), 60):
        return []
    # The latest rating must be taken on or after day 14; the episode is the run of ratings from
    # day 14 on that have not improved, up to the latest. An improved rating ends it.
    baseline = usual[0].nprs
    first = len(usual)
    while (
        first > 1
        and usual[first - 1].on >= day_14
        and pain_trend(baseline, usual[first - 1].nprs) is not Trend.IMPROVED
    ):
        first -= 1
    if first == len(usual):
        return []
    key = f"not_improving:{window.start}:{_refs(usual)[first]}"
    return [_alert(NOT_IMPROVING, key, usual[first].on, recorded)]


def _low_adherence(
    window: ProgramWindow, today: date, sessions: Sequence[SessionEntry], recorded: frozenset[str]
) -> list[Alert]:
    # CLINICAL.md §5 "Low adherence": "below 30 % for two weeks → nudge the patient; flag after a
    # second week": each program week below 30 % nudges (one episode per week), and a second
    # such week in a row also flags. Only the last week that is over is judged.
    weeks_over = (today - window.start).days // 7
    if weeks_over < 1:
        return []

    def low(week: int) -> bool:
        first = window.start + week * WEEK
        logged = _logged(sessions, first, first + WEEK)
        return _below(logged, window.sessions_per_week, 30)

    last = weeks_over - 1
    if not low(last):
        return []
    action = LOW_ADHERENCE_FLAG if last >= 1 and low(last - 1) else LOW_ADHERENCE_NUDGE
    week_start = window.start + last * WEEK
    key = f"low_adherence:{window.start}:{week_start}"
    return [_alert(action, key, week_start, recorded)]


def evaluate(
    *,
    today: date,
    window: ProgramWindow,
    pains: Iterable[PainEntry],
    sessions: Iterable[SessionEntry],
    red_flags: Iterable[RedFlagAnswer],
    previous_alerts: Iterable[str],
) -> list[Alert]:
    """Return every alert that holds today, most pressing first, each marked ``is_new``.

    ``pains`` on one date are taken in the order given (the order they were logged).
    ``red_flags`` are the answers not yet resolved by a therapist; ``previous_alerts`` holds the
    episode keys already recorded. An emergency red flag returns only emergency alerts: the
    patient needs emergency care, not exercise or a booking, so the other rules wait.
    """
    _check_date(today, "today")
    pains = tuple(pains)
    sessions = tuple(sessions)
    answers = tuple(red_flags)
    for entries in (pains, sessions, answers):
        _check_not_after(entries, today)
    recorded = frozenset(previous_alerts)

    alerts = _red_flag_alerts(window, answers, recorded)
    if any(alert.kind is AlertKind.RED_FLAG_EMERGENCY for alert in alerts):
        # CLINICAL.md §1 derived: emergency "shows the emergency message (no booking offered)".
        alerts = [alert for alert in alerts if alert.kind is AlertKind.RED_FLAG_EMERGENCY]
    else:
        # sorted() is stable, so ratings on one date keep the order given.
        usual = sorted(
            (p for p in pains if not p.during_exercise and p.on >= window.start),
            key=lambda p: p.on,
        )
        worse = _pain_rising(window, usual, recorded) + _exercise_pain(
            window, pains, sessions, recorded
        )
        alerts += worse
        # Getting worse already asks for a booking now; not improving would repeat it later.
        if not worse:
            alerts += _not_improving(window, today, usual, sessions, recorded)
        alerts += _low_adherence(window, today, sessions, recorded)
    return sorted(alerts, key=lambda alert: (_RANK[alert.severity], alert.episode_key))
