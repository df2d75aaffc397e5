"""Record what the patient logs, then re-run the escalation rules on the program.

Each service locks the program row (``select_for_update``) so a log and the escalation it
triggers are serialised per program, and refuses dates in the future (clinic time) or before the
program started. Logs older than ``BACKDATE_LIMIT`` are refused: a late log would rewrite weeks
the rules have already judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from stride.scheduling.models import RedFlag

from ..models import (
    Completion,
    ExerciseLog,
    ExerciseProgram,
    PainScore,
    ProgramStatus,
    PsfsActivity,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
    SymptomReport,
)
from ..selectors.programs import program_today, version_current
from .escalation import program_evaluate, program_lock

BACKDATE_LIMIT = dt.timedelta(days=14)
PSFS_MIN, PSFS_MAX = 3, 5


def _lock_open(program: ExerciseProgram) -> ExerciseProgram:
    locked = program_lock(program.pk)
    if locked.status == ProgramStatus.ENDED:
        raise ValidationError("This program has ended; your therapist can prescribe a new one.")
    return locked


def _check_day(program: ExerciseProgram, on: dt.date) -> dt.date:
    today = program_today(program)
    if on > today:
        raise ValidationError({"on": ["The date cannot be in the future."]})
    if on < program.start_date:
        raise ValidationError({"on": ["The date is before your program started."]})
    if on < today - BACKDATE_LIMIT:
        raise ValidationError({"on": ["Logs can go back at most 14 days."]})
    return today


def _check_score(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ValidationError({name: ["Give a number from 0 to 10."]})


def _symptoms_add(program: ExerciseProgram, on: dt.date, codes: Sequence[str]) -> None:
    unknown = [code for code in codes if code not in RedFlag.values]
    if unknown:
        raise ValidationError({"symptoms": [f"Unknown symptom {unknown[0]!r}."]})
    for code in dict.fromkeys(codes):
        SymptomReport.objects.create(program=program, on=on, code=code)


def _overall(completions: Mapping[int, str]) -> str:
    values = set(completions.values())
    if values == {Completion.DONE}:
        return Completion.DONE
    if values == {Completion.SKIPPED}:
        return Completion.SKIPPED
    return Completion.PARTLY


@transaction.atomic
def session_log_create(
    *,
    program: ExerciseProgram,
    on: dt.date,
    completion: str | None = None,
    exercises: Mapping[int, str] | None = None,
    pain_now: int | None = None,
    pain_during: int | None = None,
    note: str = "",
    symptoms: Sequence[str] = (),
) -> SessionLog:
    """Log one session against the current version, whole or exercise by exercise.

    ``exercises`` maps item ids of the current version to a completion; when ``completion`` is
    not given it follows from them (all done, all skipped, else partly). ``pain_now`` is saved
    as a ``PainScore`` of the day. A paused program takes no session (the patient was told to
    stop), but pain and symptoms can still be logged with ``pain_score_create``.
    """
    program = _lock_open(program)
    if program.status == ProgramStatus.SUSPENDED:
        raise ValidationError(
            "Your program is paused. Please do not exercise until your therapist resumes it."
        )
    today = _check_day(program, on)
    _check_score("pain_now", pain_now)
    _check_score("pain_during", pain_during)
    version = version_current(program=program)
    items = {item.pk: item for item in version.items.all()}
    exercises = dict(exercises or {})
    for item_id, value in exercises.items():
        if item_id not in items:
            raise ValidationError({"exercises": [f"Exercise {item_id} is not in your program."]})
        if value not in Completion.values:
            raise ValidationError({"exercises": [f"Unknown completion {value!r}."]})
    if completion is None:
        if not exercises:
            raise ValidationError({"completion": ["Say whether you did the session."]})
        completion = _overall(exercises)
    elif completion not in Completion.values:
        raise ValidationError({"completion": [f"Unknown completion {completion!r}."]})
    if completion == Completion.SKIPPED and pain_during is not None:
        raise ValidationError({"pain_during": ["A skipped session has no pain during exercise."]})

    session = SessionLog(
        program=program,
        version=version,
        on=on,
        completion=completion,
        pain_during=pain_during,
        note=note.strip(),
    )
    session.full_clean()
    session.save()
    ExerciseLog.objects.bulk_create(
        ExerciseLog(session=session, item=items[item_id], completion=value)
        for item_id, value in exercises.items()
    )
    if pain_now is not None:
        PainScore.objects.create(program=program, session=session, on=on, nprs=pain_now)
    _symptoms_add(program, on, symptoms)
    program_evaluate(program=program, today=today)
    return session


@transaction.atomic
def pain_score_create(
    *,
    program: ExerciseProgram,
    on: dt.date,
    nprs: int,
    note: str = "",
    symptoms: Sequence[str] = (),
) -> PainScore:
    """Log the patient's usual pain on a day, with or without exercise, and any symptoms."""
    program = _lock_open(program)
    today = _check_day(program, on)
    _check_score("nprs", nprs)
    score = PainScore(program=program, on=on, nprs=nprs, note=note.strip())
    score.full_clean()
    score.save()
    _symptoms_add(program, on, symptoms)
    program_evaluate(program=program, today=today)
    return score


@transaction.atomic
def psfs_checkin_create(
    *,
    program: ExerciseProgram,
    on: dt.date,
    ratings: Sequence[int],
    activities: Sequence[str] = (),
) -> PsfsCheckin:
    """Record a PSFS check-in; the first one names the 3-5 activities (CLINICAL.md §2).

    Later check-ins rate the same activities in the same order, so scores stay comparable.
    """
    program = _lock_open(program)
    _check_day(program, on)
    existing = list(PsfsActivity.objects.filter(program=program).order_by("position"))
    if not existing:
        names = [name.strip() for name in activities if name.strip()]
        if not PSFS_MIN <= len(names) <= PSFS_MAX:
            raise ValidationError({"activities": ["Name 3 to 5 activities you find hard."]})
        if len({n.casefold() for n in names}) < len(names):
            raise ValidationError({"activities": ["Name each activity once."]})
        for name in names:
            if len(name) > 120:
                raise ValidationError({"activities": ["Keep each activity under 120 characters."]})
        existing = [
            PsfsActivity.objects.create(program=program, position=position, name=name)
            for position, name in enumerate(names, start=1)
        ]
    if len(ratings) != len(existing):
        raise ValidationError({"ratings": [f"Rate each of your {len(existing)} activities."]})
    for rating in ratings:
        if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 10:
            raise ValidationError({"ratings": ["Rate each activity from 0 to 10."]})
    checkin = PsfsCheckin.objects.create(program=program, on=on)
    PsfsRating.objects.bulk_create(
        PsfsRating(checkin=checkin, activity=activity, score=score)
        for activity, score in zip(existing, ratings, strict=True)
    )
    return checkin
