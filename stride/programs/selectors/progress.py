"""A program's progress: adherence, streak, pain and PSFS over time, as the rules define them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import rules
from ..models import ExerciseProgram
from .programs import rules_pains, rules_psfs, rules_sessions, rules_window

# CLINICAL.md §2 / issue: a PSFS check-in every two weeks.
PSFS_EVERY = dt.timedelta(days=14)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class WeekPoint:
    start: dt.date
    logged: int
    prescribed: int
    percent: int

    @property
    def label(self) -> str:
        return _label(self.start)


@dataclass(frozen=True)
class PainPoint:
    on: dt.date
    nprs: int

    @property
    def label(self) -> str:
        return _label(self.on)


@dataclass(frozen=True)
class PsfsPoint:
    on: dt.date
    score: float

    @property
    def label(self) -> str:
        return _label(self.on)


@dataclass(frozen=True)
class Progress:
    """What the patient and the therapist see of one program up to ``today``."""

    today: dt.date
    this_week: WeekPoint | None
    streak: int
    weeks: list[WeekPoint]
    pains: list[PainPoint]
    baseline_nprs: int | None
    latest_nprs: int | None
    pain_trend: rules.Trend | None
    psfs: list[PsfsPoint]
    psfs_trend: rules.Trend | None
    psfs_due: bool
    last_log: dt.date | None


def _week_point(adherence: rules.Adherence, start: dt.date) -> WeekPoint:
    return WeekPoint(
        start=start,
        logged=adherence.logged,
        prescribed=adherence.prescribed,
        percent=adherence.percent,
    )


def program_progress(*, program: ExerciseProgram, today: dt.date) -> Progress:
    """Return the program's progress on ``today`` (the clinic's local date); four queries."""
    window = rules_window(program)
    sessions = rules_sessions(program, today)
    pains = rules_pains(program, today)
    psfs = rules_psfs(program)

    weeks: list[WeekPoint] = []
    week_start = window.start
    while week_start <= today:
        weeks.append(_week_point(rules.weekly_adherence(sessions, window, week_start), week_start))
        week_start += rules.WEEK
    usual = [p for p in pains if p.on >= window.start]
    baseline = usual[0].nprs if usual else None
    latest = usual[-1].nprs if usual else None
    trend = (
        rules.pain_trend(baseline, latest)
        if baseline is not None and latest is not None and len(usual) > 1
        else None
    )
    psfs_points = [PsfsPoint(on=e.on, score=round(rules.psfs_score(e), 1)) for e in psfs]
    psfs_trend = (
        rules.psfs_change(psfs[0], psfs[-1])
        if len(psfs) > 1 and len(psfs[0].ratings) == len(psfs[-1].ratings)
        else None
    )
    last_psfs = psfs[-1].on if psfs else None
    psfs_due = today >= window.start and (last_psfs is None or today - last_psfs >= PSFS_EVERY)
    logged_days = [s.on for s in sessions] + [p.on for p in pains]
    return Progress(
        today=today,
        this_week=weeks[-1] if weeks else None,
        streak=rules.streak(sessions, today),
        weeks=weeks,
        pains=[PainPoint(on=p.on, nprs=p.nprs) for p in usual],
        baseline_nprs=baseline,
        latest_nprs=latest,
        pain_trend=trend,
        psfs=psfs_points,
        psfs_trend=psfs_trend,
        psfs_due=psfs_due,
        last_log=max(logged_days) if logged_days else None,
    )


def _label(day: dt.date) -> str:
    # As the template filter date:"M j" writes it, without its cost on 90 days of ratings.
    return f"{_MONTHS[day.month - 1]} {day.day}"


def progress_chart_data(progress: Progress) -> dict[str, object]:
    """Return the series the progress charts draw, as JSON-ready lists (see _progress_charts)."""
    return {
        "pain": {
            "labels": [_label(p.on) for p in progress.pains],
            "values": [p.nprs for p in progress.pains],
            "baseline": progress.baseline_nprs,
        },
        "adherence": {
            "labels": [f"Week of {_label(w.start)}" for w in progress.weeks],
            "values": [w.percent for w in progress.weeks],
        },
        "psfs": {
            "labels": [_label(p.on) for p in progress.psfs],
            "values": [p.score for p in progress.psfs],
        },
    }
