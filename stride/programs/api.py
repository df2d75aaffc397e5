"""The exercise-program API: the public exercise library, and a signed-in patient's own program.

``/exercises`` is public. Every ``/me/...`` endpoint answers for the signed-in patient only (a
session with CSRF, or a personal token: see ``stride.api.auth``); none takes a patient or program
id, so nobody can ask for someone else's data. Staff are refused with 403, anonymous callers
with 401. Refusals use the shared error shape of ``stride.api.errors``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from stride.api.auth import patient_auth
from stride.api.errors import ApiError, FieldsInvalid
from stride.api.schemas import Day, ErrorOut, InvalidOut, PlainText
from stride.scheduling.models import RedFlag

from .models import (
    DOSE_FIELDS,
    MAX_ITEMS,
    Completion,
    Exercise,
    ExerciseCategory,
    ExerciseProgram,
    ProgramAlert,
    ProgramItem,
    ProgramStatus,
)
from .selectors import exercise_get_public, exercise_list_public
from .selectors.programs import (
    alert_list_open,
    program_get_open_for_patient,
    program_today,
    version_current,
)
from .selectors.progress import WeekPoint, program_progress
from .services.logs import pain_score_create, session_log_create

router = Router(tags=["exercise programs"])

EXERCISE_PAGE_DEFAULT = 50
EXERCISE_PAGE_MAX = 100
_ITEM_ID = re.compile(r"^[0-9]{1,18}$")
# What the services call a field, when this API calls it something else.
_SERVICE_FIELDS = {"nprs": "pain_now", NON_FIELD_ERRORS: "body"}

ERRORS_ME = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- Output types --------------------------------------------------------------------------------


class RegionOut(Schema):
    slug: str
    name: str


class DoseOut(Schema):
    """How much to do; parts not prescribed are null."""

    sets: int | None
    reps: int | None
    hold_seconds: int | None
    minutes: int | None
    times_per_day: int | None
    days_per_week: int | None
    per_side: bool = Field(description="The reps or hold are done on each side.")


class IllustrationOut(Schema):
    url: str
    alt: str = Field(description="What the picture shows, for people who cannot see it.")
    width: int | None
    height: int | None


class ExerciseOut(Schema):
    slug: str
    name: str
    category: ExerciseCategory
    category_display: str = Field(examples=["Stretching"])
    summary: str
    regions: list[RegionOut]
    dose: DoseOut = Field(description="The library's typical starting dose.")
    dose_display: str = Field(examples=["10 reps, hold 5 seconds"])
    dose_note: str = Field(examples=["Build up to 30 reps."])
    url: str = Field(description="The exercise's page on the clinic's site.")


class ExerciseDetailOut(ExerciseOut):
    steps: list[str] = Field(description="Numbered instructions, in order.")
    cues: list[str] = Field(description="Tips for doing it well.")
    precautions: list[str] = Field(
        description="The standard precaution (stop on sharp or increasing pain) first."
    )
    equipment: list[str]
    video_url: str | None = Field(description="An https:// link to a video, or null.")
    illustration: IllustrationOut | None


class ExercisePageOut(Schema):
    count: int = Field(description="How many exercises match, on every page.")
    limit: int
    offset: int
    items: list[ExerciseOut]


class ExerciseRefOut(Schema):
    slug: str
    name: str
    category: ExerciseCategory


class ProgramItemOut(Schema):
    id: int = Field(description="The item's id: a key of `exercises` when logging a session.")
    position: int
    exercise: ExerciseRefOut
    dose: DoseOut = Field(description="The dose the therapist prescribed.")
    dose_display: str = Field(examples=["2 sets of 10 reps, twice a day"])
    notes: str = Field(description="The therapist's words to the patient.")
    steps: list[str]
    precautions: list[str]


class TherapistRefOut(Schema):
    name: str
    credentials: str = Field(examples=["PT, DPT"])


class ProgramOut(Schema):
    title: str
    status: Literal["active", "suspended"] = Field(
        description=(
            "`active`, or `suspended` (shown as Paused): the patient should not exercise until "
            "the therapist resumes it; pain can still be logged."
        )
    )
    status_display: str = Field(examples=["Active", "Paused"])
    therapist: TherapistRefOut
    start_date: dt.date
    review_date: dt.date
    sessions_per_week: int
    version: int = Field(description="The prescription's version number; it grows on changes.")
    today: dt.date = Field(description="Today in the clinic's time zone: the day logs count for.")
    timezone: str = Field(examples=["America/New_York"])
    reminder_time: dt.time | None = Field(description="Daily reminder email time (local), or null.")
    items: list[ProgramItemOut]


class AlertOut(Schema):
    """Something the rules noticed; the app shows the message for `message_key`."""

    kind: str = Field(
        description=(
            "red_flag_emergency, red_flag_urgent, getting_worse, not_improving or low_adherence."
        )
    )
    severity: str = Field(description="emergency, urgent, high, moderate or low.")
    message_key: str
    suggest_booking: bool
    since: dt.date


class LogOut(Schema):
    kind: Literal["session", "pain"]
    id: int
    on: dt.date
    completion: Completion | None = Field(description="Null for a pain log.")
    exercises: dict[int, Completion] = Field(description="Item id → completion; may be empty.")
    pain_now: int | None
    pain_during: int | None
    note: str
    symptoms: list[RedFlag]
    alerts: list[AlertOut] = Field(
        description=(
            "The program's open alerts after this log. A `red_flag_emergency` alert means the "
            "patient needs emergency care now, and the program is paused."
        )
    )


class WeekOut(Schema):
    start: dt.date
    logged: int
    prescribed: int
    percent: int = Field(description="logged ÷ prescribed, as a whole percentage.")


class PainPointOut(Schema):
    on: dt.date
    nprs: int


class PsfsPointOut(Schema):
    on: dt.date
    score: float = Field(description="The mean of the activity ratings, 0-10.")


Trend = Literal["improved", "unchanged", "worse"]


class ProgressOut(Schema):
    today: dt.date
    this_week: WeekOut | None = Field(description="The current program week; null before start.")
    streak: int = Field(description="Days in a row with a session logged.")
    weeks: list[WeekOut] = Field(description="Adherence per program week, oldest first.")
    pains: list[PainPointOut] = Field(description="Usual pain (NPRS 0-10), oldest first.")
    baseline_nprs: int | None
    latest_nprs: int | None
    pain_trend: Trend | None = Field(description="Latest against baseline; null until two ratings.")
    psfs: list[PsfsPointOut]
    psfs_trend: Trend | None
    psfs_due: bool = Field(description="A PSFS check-in is due (every two weeks).")
    last_log: dt.date | None
    alerts: list[AlertOut]


# --- Input types ---------------------------------------------------------------------------------


Nprs = Annotated[int, Field(strict=True, ge=0, le=10, description="0 (no pain) to 10 (worst).")]
Note = Annotated[
    str, Field(max_length=2000, description="Anything to tell the therapist."), PlainText
]


class ExerciseQuery(Schema):
    category: ExerciseCategory | None = Field(None, description="Only this kind of exercise.")
    region: str | None = Field(
        None, max_length=100, description="Only exercises for this body region (its slug)."
    )
    limit: int = Field(
        EXERCISE_PAGE_DEFAULT,
        ge=1,
        le=EXERCISE_PAGE_MAX,
        description=f"At most {EXERCISE_PAGE_MAX} per page (default {EXERCISE_PAGE_DEFAULT}).",
    )
    offset: int = Field(0, ge=0, le=10_000)


class LogIn(Schema):
    """A session log (`kind: session`) or a pain log (`kind: pain`) for one local date.

    - `session`: `completion`, or `exercises` (item id → completion; the overall completion
      then follows: all done, all skipped, else partly), plus optional `pain_now`,
      `pain_during`, `note`, `symptoms`. Refused with 409 `program_paused` while paused.
    - `pain`: `pain_now` (required), optional `note`, `symptoms`. Allowed while paused.

    `symptoms` are red-flag codes; an emergency one pauses the program and the answer's
    `alerts` carry a `red_flag_emergency` alert.
    """

    kind: Literal["session", "pain"] = Field(description="What is logged: session or pain.")
    on: Day = Field(
        description="The local date (YYYY-MM-DD): not in the future, not before the program "
        "started, at most 14 days back."
    )
    completion: Completion | None = Field(None, description="done, partly or skipped.")
    exercises: dict[int, Completion] | None = Field(
        None,
        description="Item ids of the current program (from `GET /me/program`) → completion.",
        examples=[{"12": "done", "13": "partly"}],
    )
    pain_now: Nprs | None = Field(None, description="Usual pain now, 0-10.")
    pain_during: Nprs | None = Field(None, description="Pain during the exercises, 0-10.")
    note: Note = ""
    symptoms: list[RedFlag] = Field(
        default_factory=list,
        max_length=len(RedFlag.values),
        description="Red-flag codes that apply now: " + ", ".join(RedFlag.values) + ".",
    )

    @field_validator("exercises", mode="before")
    @classmethod
    def _exercises_known_shape(cls, value: Any) -> Any:
        # Checked before pydantic's own parsing, so every refusal is named "exercises".
        if value is None:
            return value
        if not isinstance(value, dict):
            raise ValueError("Give an object mapping item ids to done, partly or skipped.")
        if len(value) > MAX_ITEMS:
            raise ValueError(f"A program has at most {MAX_ITEMS} exercises.")
        parsed: dict[int, str] = {}
        for key, completion in value.items():
            if not (isinstance(key, str) and _ITEM_ID.match(key)):
                raise ValueError("Use the item ids of your program as keys.")
            if not (isinstance(completion, str) and completion in Completion.values):
                raise ValueError(f"Use done, partly or skipped for exercise {key}.")
            parsed[int(key)] = completion
        return parsed

    @field_validator("symptoms", mode="before")
    @classmethod
    def _symptoms_known(cls, value: Any) -> Any:
        if isinstance(value, list) and not all(
            isinstance(code, str) and code in RedFlag.values for code in value
        ):
            raise ValueError("Use the symptom codes listed in the documentation.")
        return value


# --- Helpers -------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return urljoin(settings.SITE_URL + "/", path)


def _dose(row: Exercise | ProgramItem) -> DoseOut:
    return DoseOut(**{name: getattr(row, name) for name in DOSE_FIELDS}, per_side=row.per_side)


def _exercise_out(exercise: Exercise) -> ExerciseOut:
    return ExerciseOut(
        slug=exercise.slug,
        name=exercise.name,
        category=ExerciseCategory(exercise.category),
        category_display=exercise.get_category_display(),
        summary=exercise.summary,
        regions=[RegionOut(slug=r.slug, name=r.name) for r in exercise.regions.all()],
        dose=_dose(exercise),
        dose_display=exercise.dose_display,
        dose_note=exercise.dose_note,
        url=_absolute(exercise.get_absolute_url()),
    )


def _exercise_detail_out(exercise: Exercise) -> ExerciseDetailOut:
    illustration = None
    if exercise.illustration:
        illustration = IllustrationOut(
            url=_absolute(exercise.illustration.url),
            alt=exercise.illustration_alt,
            width=exercise.illustration_width,
            height=exercise.illustration_height,
        )
    return ExerciseDetailOut(
        **_exercise_out(exercise).model_dump(),
        steps=[step.text for step in exercise.steps.all()],
        cues=exercise.cue_list,
        precautions=exercise.precaution_list,
        equipment=[e.name for e in exercise.equipment.all()],
        video_url=exercise.video_url or None,
        illustration=illustration,
    )


def _alert_out(alert: ProgramAlert) -> AlertOut:
    return AlertOut(
        kind=alert.kind,
        severity=alert.severity,
        message_key=alert.message_key,
        suggest_booking=alert.suggest_booking,
        since=alert.since,
    )


def _week_out(week: WeekPoint) -> WeekOut:
    return WeekOut(
        start=week.start, logged=week.logged, prescribed=week.prescribed, percent=week.percent
    )


def _program_get(request: HttpRequest) -> ExerciseProgram:
    """Return the calling patient's open program, else 404 ``no_program``."""
    program = program_get_open_for_patient(patient=request.auth)  # type: ignore[attr-defined]
    if program is None:
        raise ApiError(404, "no_program", "You have no open exercise program.")
    return program


@contextmanager
def _refusals(program: ExerciseProgram) -> Iterator[None]:
    """Turn the log services' ValidationErrors into API errors.

    Errors naming fields are 422 on those fields (renamed to this API's names); a refusal of
    the whole log is 409: ``program_paused`` (no sessions while paused) or ``program_ended``.
    """
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise FieldsInvalid(
                {
                    _SERVICE_FIELDS.get(name, name): messages[0]
                    for name, messages in exc.message_dict.items()
                }
            ) from exc
        status = ExerciseProgram.objects.filter(pk=program.pk).values_list("status", flat=True)
        paused = status.first() == ProgramStatus.SUSPENDED
        code = "program_paused" if paused else "program_ended"
        raise ApiError(409, code, exc.messages[0]) from exc


def _pain_only_fields(data: LogIn) -> dict[str, str]:
    """Return the session-only fields a pain log was given, each with a message."""
    given = [
        name
        for name in ("completion", "exercises", "pain_during")
        if getattr(data, name) not in (None, {})
    ]
    return dict.fromkeys(given, 'Only a session log takes this; use kind "session".')


# --- Endpoints -----------------------------------------------------------------------------------


@router.get(
    "/exercises",
    response={200: ExercisePageOut, 422: InvalidOut},
    summary="List the exercise library",
)
def exercise_list(request: HttpRequest, query: Query[ExerciseQuery]) -> ExercisePageOut:
    """Return published exercises by name, a page at a time (`limit` at most 100).

    An unknown `region` gives an empty list; an unknown `category` is 422.
    """
    exercises = exercise_list_public(
        category=query.category.value if query.category else None, region_slug=query.region
    )
    page = exercises[query.offset : query.offset + query.limit]
    return ExercisePageOut(
        count=exercises.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_exercise_out(exercise) for exercise in page],
    )


@router.get(
    "/exercises/{slug}",
    response={200: ExerciseDetailOut, 404: ErrorOut},
    summary="Read one exercise",
)
def exercise_detail(request: HttpRequest, slug: str) -> ExerciseDetailOut:
    """Return a published exercise with its steps, cues, precautions and equipment."""
    try:
        exercise = exercise_get_public(slug=slug)
    except Exercise.DoesNotExist:
        raise ApiError(404, "not_found", "No such exercise.") from None
    return _exercise_detail_out(exercise)


@router.get(
    "/me/program",
    response={200: ProgramOut, **ERRORS_ME},
    auth=patient_auth(),
    summary="Read my exercise program",
)
def my_program(request: HttpRequest) -> ProgramOut:
    """Return the signed-in patient's open program with the current version's exercises.

    404 `no_program` when the patient has no active or paused program.
    """
    program = _program_get(request)
    version = version_current(program=program)
    location = program.therapist.location
    items = [
        ProgramItemOut(
            id=item.pk,
            position=item.position,
            exercise=ExerciseRefOut(
                slug=item.exercise.slug,
                name=item.exercise.name,
                category=ExerciseCategory(item.exercise.category),
            ),
            dose=_dose(item),
            dose_display=item.dose_display,
            notes=item.notes,
            steps=[step.text for step in item.exercise.steps.all()],
            precautions=item.exercise.precaution_list,
        )
        for item in version.items.all()
    ]
    return ProgramOut(
        title=program.title,
        status=program.status,  # type: ignore[arg-type]
        status_display=program.get_status_display(),
        therapist=TherapistRefOut(
            name=program.therapist.display_name, credentials=program.therapist.credentials
        ),
        start_date=program.start_date,
        review_date=program.review_date,
        sessions_per_week=program.sessions_per_week,
        version=version.number,
        today=program_today(program),
        timezone=location.timezone,
        reminder_time=program.reminder_time,
        items=items,
    )


@router.post(
    "/me/logs",
    response={201: LogOut, **ERRORS_ME, 409: ErrorOut, 422: InvalidOut},
    auth=patient_auth(),
    summary="Log a session or my pain",
)
def my_log_create(request: HttpRequest, data: LogIn) -> Status[LogOut]:
    """Log an exercise session or the patient's pain for a local date; answer 201 with it.

    422 names each bad field (a future date, a pain of 11, an unknown item id, ...). 409
    `program_paused` for a session while the program is paused (a pain log is still taken);
    `program_ended` if the program ended meanwhile. 404 `no_program` without an open program.
    """
    program = _program_get(request)
    symptoms = list(dict.fromkeys(str(code) for code in data.symptoms))
    exercises: Mapping[int, str] = data.exercises or {}
    if data.kind == "session":
        with _refusals(program):
            session = session_log_create(
                program=program,
                on=data.on,
                completion=data.completion,
                exercises=exercises,
                pain_now=data.pain_now,
                pain_during=data.pain_during,
                note=data.note,
                symptoms=symptoms,
            )
        log_id, completion, note = session.pk, session.completion, session.note
    else:
        misplaced = _pain_only_fields(data)
        if misplaced:
            raise FieldsInvalid(misplaced)
        if data.pain_now is None:
            raise FieldsInvalid({"pain_now": "Give your pain now, from 0 to 10."})
        with _refusals(program):
            score = pain_score_create(
                program=program, on=data.on, nprs=data.pain_now, note=data.note, symptoms=symptoms
            )
        log_id, completion, note = score.pk, None, score.note
    out = LogOut(
        kind=data.kind,
        id=log_id,
        on=data.on,
        completion=Completion(completion) if completion else None,
        exercises={item: Completion(value) for item, value in exercises.items()},
        pain_now=data.pain_now,
        pain_during=data.pain_during,
        note=note,
        symptoms=[RedFlag(code) for code in symptoms],
        alerts=[_alert_out(alert) for alert in alert_list_open(program=program)],
    )
    return Status(201, out)


@router.get(
    "/me/progress",
    response={200: ProgressOut, **ERRORS_ME},
    auth=patient_auth(),
    summary="Read my progress",
)
def my_progress(request: HttpRequest) -> ProgressOut:
    """Return adherence (this week, streak, per week), pain and PSFS series, and open alerts.

    Adherence is sessions logged ÷ sessions prescribed per program week (CLINICAL.md §4).
    """
    program = _program_get(request)
    progress = program_progress(program=program, today=program_today(program))
    return ProgressOut(
        today=progress.today,
        this_week=_week_out(progress.this_week) if progress.this_week else None,
        streak=progress.streak,
        weeks=[_week_out(week) for week in progress.weeks],
        pains=[PainPointOut(on=p.on, nprs=p.nprs) for p in progress.pains],
        baseline_nprs=progress.baseline_nprs,
        latest_nprs=progress.latest_nprs,
        pain_trend=progress.pain_trend.value if progress.pain_trend else None,
        psfs=[PsfsPointOut(on=p.on, score=p.score) for p in progress.psfs],
        psfs_trend=progress.psfs_trend.value if progress.psfs_trend else None,
        psfs_due=progress.psfs_due,
        last_log=progress.last_log,
        alerts=[_alert_out(alert) for alert in alert_list_open(program=program)],
    )
