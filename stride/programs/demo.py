"""Load the demo exercise library, program templates and a demo patient; idempotent.

Rows are matched by slug, many-to-many fields are set rather than appended, steps are
numbered in place, and unchanged exercises are not saved again (their ``updated_at`` stays).
Templates are matched by slug and their items by position. The demo patient gets a program
only once: loading again leaves it, and its logs, as they are.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from stride.accounts.models import Role, User
from stride.content.models import Condition
from stride.scheduling.models import Therapist

from .models import (
    DOSE_FIELDS,
    BodyRegion,
    Equipment,
    Exercise,
    ExerciseProgram,
    PainScore,
    ProgramTemplate,
    ProgramTemplateItem,
    PsfsActivity,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
)
from .selectors.programs import program_today, version_current
from .services import exercise_save, exercise_steps_set
from .services.escalation import program_evaluate
from .services.programs import program_create, template_prescription

logger = logging.getLogger(__name__)

DEMO_DATA_MODULE = "stride.programs.demo_data"


@dataclass(frozen=True)
class LoadResult:
    exercises: int
    regions: int
    equipment: int


def _import_data() -> ModuleType | None:
    try:
        return importlib.import_module(DEMO_DATA_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEMO_DATA_MODULE:
            raise
        logger.warning("%s is missing; no demo exercises loaded.", DEMO_DATA_MODULE)
        return None


def _by_slug(
    model: type[BodyRegion] | type[Equipment], rows: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        row["slug"]: model.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"]}
        )[0]
        for row in rows
    }


def _condition(name: str) -> Condition:
    # Same slug rule as the content demo, so both loaders share one "Low back pain".
    condition, _ = Condition.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return condition


def _exercise_values(row: dict[str, Any]) -> dict[str, Any]:
    dose = row.get("dose", {})
    return {
        "name": row["name"],
        "category": row["category"],
        "summary": row["summary"],
        **{field: dose.get(field) for field in DOSE_FIELDS},
        "per_side": bool(dose.get("per_side", False)),
        "dose_note": row.get("dose_note", ""),
        "cues": "\n".join(row.get("cues", [])),
        "precautions": "\n".join(row.get("precautions", [])),
        "video_url": row.get("video_url", ""),
        "is_published": bool(row.get("is_published", True)),
    }


def _load_exercise(
    row: dict[str, Any], regions: dict[str, BodyRegion], equipment: dict[str, Equipment]
) -> Exercise:
    exercise = Exercise.objects.filter(slug=row["slug"]).first() or Exercise(slug=row["slug"])
    changed = exercise.pk is None
    for name, value in _exercise_values(row).items():
        if getattr(exercise, name) != value:
            setattr(exercise, name, value)
            changed = True
    if changed:
        exercise_save(exercise)
    exercise.regions.set([regions[slug] for slug in row.get("regions", [])])
    exercise.equipment.set([equipment[slug] for slug in row.get("equipment", [])])
    exercise.conditions.set([_condition(name) for name in row.get("conditions", [])])
    exercise_steps_set(exercise=exercise, texts=row.get("steps", []))
    return exercise


@transaction.atomic
def load(data: ModuleType | None = None) -> LoadResult:
    """Create or update the demo exercise library; running it again creates nothing twice.

    ``data`` defaults to ``stride.programs.demo_data``; without it nothing is loaded.
    """
    data = data or _import_data()
    if data is None:
        return LoadResult(exercises=0, regions=0, equipment=0)
    regions = _by_slug(BodyRegion, list(getattr(data, "REGIONS", [])))
    equipment = _by_slug(Equipment, list(getattr(data, "EQUIPMENT", [])))
    rows = list(getattr(data, "EXERCISES", []))
    for row in rows:
        _load_exercise(row, regions, equipment)
    for template in getattr(data, "PROGRAM_TEMPLATES", []):
        _load_template(template)
    if hasattr(data, "DEMO_PATIENT"):
        _load_patient(data)
    return LoadResult(exercises=len(rows), regions=len(regions), equipment=len(equipment))


def _template_item_values(exercise: Exercise, dose: dict[str, Any], notes: str) -> dict[str, Any]:
    return {
        "exercise": exercise,
        **{field: dose.get(field) for field in DOSE_FIELDS},
        "per_side": bool(dose.get("per_side", False)),
        "notes": notes,
    }


def _load_template(row: dict[str, Any]) -> ProgramTemplate:
    """Create or update one template; its items are matched by position, extra ones removed."""
    values = {
        "name": row["name"],
        "description": row.get("description", ""),
        "sessions_per_week": row["sessions_per_week"],
        "review_after_weeks": row["review_after_weeks"],
        "is_active": True,
    }
    template = ProgramTemplate.objects.filter(slug=row["slug"]).first()
    if template is None:
        template = ProgramTemplate(slug=row["slug"], **values)
        template.full_clean()
        template.save()
    elif any(getattr(template, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(template, name, value)
        template.full_clean()
        template.save()
    existing = {item.position: item for item in template.items.all()}
    exercises = Exercise.objects.in_bulk([slug for slug, _, _ in row["items"]], field_name="slug")
    for position, (slug, dose, notes) in enumerate(row["items"], start=1):
        wanted = _template_item_values(exercises[slug], dose, notes)
        item = existing.pop(position, None) or ProgramTemplateItem(
            template=template, position=position
        )
        if item.pk is None or any(getattr(item, k) != v for k, v in wanted.items()):
            for name, value in wanted.items():
                setattr(item, name, value)
            item.full_clean()
            item.save()
    ProgramTemplateItem.objects.filter(pk__in=[item.pk for item in existing.values()]).delete()
    return template


def _demo_therapist() -> Therapist | None:
    from stride.scheduling import demo as scheduling_demo

    return (
        Therapist.objects.select_related("user", "location")
        .filter(slug=scheduling_demo.THERAPISTS[0]["slug"])
        .first()
    )


def _load_patient(data: ModuleType) -> None:
    """Give the demo patient a program from the first demo therapist, with two weeks of logs.

    Runs once: a demo patient who already has a program is left alone. The logs are written
    directly rather than through the logging services, which refuse logs older than 14 days and
    re-run the escalation rules after each one; the rules then run once, as the daily
    evaluation would, and find that pain has not improved (CLINICAL.md §5).
    """
    therapist = _demo_therapist()
    if therapist is None:
        logger.warning("The demo therapists are missing; no demo patient loaded.")
        return
    details = dict(data.DEMO_PATIENT)
    patient, created = User.objects.get_or_create(
        email=details.pop("email"), defaults={**details, "role": Role.PATIENT}
    )
    if created:
        patient.set_password(data.DEMO_PATIENT_PASSWORD)
        patient.save(update_fields=["password"])
    if ExerciseProgram.objects.filter(patient=patient).exists():
        return
    template = ProgramTemplate.objects.get(slug=data.DEMO_PROGRAM_TEMPLATE)
    today = timezone.localdate(timezone=therapist.location.tzinfo)
    start = today - dt.timedelta(days=data.DEMO_PROGRAM_DAYS)
    program = program_create(
        patient=patient,
        therapist=therapist,
        title=template.name,
        prescription=template_prescription(template=template, start_date=start),
        created_by=therapist.user,
        template=template,
        invite=False,
    )
    _logs_add(program, data, start)
    program_evaluate(program=program, today=program_today(program))


def _logs_add(program: ExerciseProgram, data: ModuleType, start: dt.date) -> None:
    version = version_current(program=program)
    for offset, (completion, pain_now, pain_during, note) in enumerate(data.DEMO_LOGS):
        on = start + dt.timedelta(days=offset)
        session = None
        if completion is not None:
            session = SessionLog.objects.create(
                program=program,
                version=version,
                on=on,
                completion=completion,
                pain_during=pain_during if completion != "skipped" else None,
                note=note,
            )
        PainScore.objects.create(
            program=program, session=session, on=on, nprs=pain_now, note="" if session else note
        )
    activities = [
        PsfsActivity.objects.create(program=program, position=position, name=name)
        for position, name in enumerate(data.DEMO_PSFS_ACTIVITIES, start=1)
    ]
    for offset, ratings in data.DEMO_PSFS:
        checkin = PsfsCheckin.objects.create(program=program, on=start + dt.timedelta(days=offset))
        PsfsRating.objects.bulk_create(
            PsfsRating(checkin=checkin, activity=activity, score=score)
            for activity, score in zip(activities, ratings, strict=True)
        )
