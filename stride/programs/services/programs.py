"""Prescribe and revise home exercise programs; every change is a new version.

Locking: ``program_create`` and ``program_revise`` lock the patient's user row
(``select_for_update``) so two therapists saving at once cannot give the patient two open
programs or one program two versions with the same number; the database's unique keys back both.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.scheduling.models import Therapist

from ..models import (
    DOSE_FIELDS,
    MAX_ITEMS,
    OPEN_STATUSES,
    Exercise,
    ExerciseProgram,
    ProgramItem,
    ProgramStatus,
    ProgramTemplate,
    ProgramVersion,
)

logger = logging.getLogger(__name__)

INVITATION_INTRO = "Your therapist has prepared a home exercise program for you."


@dataclass(frozen=True)
class ItemInput:
    """One exercise of a prescription, in the order given; dose parts left None are not set."""

    exercise: Exercise
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    times_per_day: int | None = None
    days_per_week: int | None = None
    per_side: bool = False
    notes: str = ""

    @classmethod
    def from_default(cls, exercise: Exercise, notes: str = "") -> ItemInput:
        """Return the exercise at its library dose."""
        dose = {name: getattr(exercise, name) for name in DOSE_FIELDS}
        return cls(exercise=exercise, per_side=exercise.per_side, notes=notes, **dose)


@dataclass(frozen=True)
class Prescription:
    """What a version prescribes: its dates, weekly sessions and exercises in order."""

    start_date: dt.date
    review_date: dt.date
    sessions_per_week: int
    items: Sequence[ItemInput] = field(default_factory=tuple)


def template_prescription(*, template: ProgramTemplate, start_date: dt.date) -> Prescription:
    """Return the template's exercises and doses as a prescription starting on ``start_date``."""
    items = [
        ItemInput(exercise=item.exercise, notes=item.notes, **item.dose_values())
        for item in template.items.select_related("exercise").order_by("position")
    ]
    return Prescription(
        start_date=start_date,
        review_date=start_date + dt.timedelta(weeks=template.review_after_weeks),
        sessions_per_week=template.sessions_per_week,
        items=items,
    )


def _check_prescription(prescription: Prescription) -> None:
    errors: dict[str, list[str]] = {}
    if not prescription.items:
        errors["items"] = ["Add at least one exercise."]
    elif len(prescription.items) > MAX_ITEMS:
        errors["items"] = [f"A program holds at most {MAX_ITEMS} exercises; 2-4 work best."]
    elif len({item.exercise.pk for item in prescription.items}) < len(prescription.items):
        errors["items"] = ["Each exercise may appear once."]
    if prescription.review_date < prescription.start_date:
        errors["review_date"] = ["The review date cannot be before the start date."]
    if errors:
        raise ValidationError(errors)


def _version_add(
    *, program: ExerciseProgram, number: int, prescription: Prescription, by: User, note: str
) -> ProgramVersion:
    version = ProgramVersion(
        program=program,
        number=number,
        created_by=by,
        change_note=note.strip(),
        start_date=prescription.start_date,
        review_date=prescription.review_date,
        sessions_per_week=prescription.sessions_per_week,
    )
    version.full_clean()
    version.save()
    for position, item_input in enumerate(prescription.items, start=1):
        item = ProgramItem(
            version=version,
            position=position,
            exercise=item_input.exercise,
            notes=item_input.notes.strip(),
            per_side=item_input.per_side,
            **{name: getattr(item_input, name) for name in DOSE_FIELDS},
        )
        try:
            item.full_clean(exclude=["version"])
        except ValidationError as error:
            raise ValidationError({f"items.{position}": error.messages}) from error
        item.save()
    return version


def _lock_patient(patient: User) -> User:
    return User.objects.select_for_update().get(pk=patient.pk)


@transaction.atomic
def program_create(
    *,
    patient: User,
    therapist: Therapist,
    title: str,
    prescription: Prescription,
    created_by: User,
    template: ProgramTemplate | None = None,
    invite: bool = True,
) -> ExerciseProgram:
    """Prescribe a new program (version 1) and, after commit, email the patient an invitation.

    Refuse a patient who is not a patient or already has an open program. Locks the patient row.
    """
    patient = _lock_patient(patient)
    if patient.role != Role.PATIENT:
        raise ValidationError({"patient": ["Programs are for patients."]})
    if ExerciseProgram.objects.filter(patient=patient, status__in=OPEN_STATUSES).exists():
        raise ValidationError({"patient": ["This patient already has an open program."]})
    _check_prescription(prescription)
    previous = (
        ExerciseProgram.objects.filter(patient=patient, reminder_time__isnull=False)
        .order_by("-pk")
        .values_list("reminder_time", flat=True)
        .first()
    )
    program = ExerciseProgram(
        patient=patient,
        therapist=therapist,
        title=title.strip(),
        template=template,
        start_date=prescription.start_date,
        review_date=prescription.review_date,
        sessions_per_week=prescription.sessions_per_week,
        # A patient who chose a reminder time keeps it on their next program.
        reminder_time=previous,
    )
    program.full_clean()
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError as error:
        raise ValidationError({"patient": ["This patient already has an open program."]}) from error
    _version_add(program=program, number=1, prescription=prescription, by=created_by, note="")
    if invite:
        # robust: a mail server failure after commit must not turn a saved program into an error.
        transaction.on_commit(lambda: program_invite(program=program), robust=True)
    return program


def program_invite(*, program: ExerciseProgram) -> None:
    """Email the patient a sign-in link to their program (no clinical details in the email)."""
    from stride.accounts.services import patient_invite

    try:
        patient_invite(
            user=program.patient, subject="You have a new exercise program", intro=INVITATION_INTRO
        )
    except ValueError:
        logger.warning(
            "program %s: patient %s cannot get sign-in links", program.pk, program.patient_id
        )
        return
    ExerciseProgram.objects.filter(pk=program.pk).update(invited_at=timezone.now())


@transaction.atomic
def program_revise(
    *, program: ExerciseProgram, prescription: Prescription, revised_by: User, note: str = ""
) -> ProgramVersion:
    """Add the next version of an open program; logs keep pointing at the version they followed.

    Locks the patient row, like ``program_create``.
    """
    _lock_patient(program.patient)
    program = ExerciseProgram.objects.select_for_update().get(pk=program.pk)
    if not program.is_open:
        raise ValidationError("An ended program cannot be changed.")
    _check_prescription(prescription)
    number = (program.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = _version_add(
        program=program, number=number + 1, prescription=prescription, by=revised_by, note=note
    )
    program.start_date = prescription.start_date
    program.review_date = prescription.review_date
    program.sessions_per_week = prescription.sessions_per_week
    program.full_clean()
    program.save(update_fields=["start_date", "review_date", "sessions_per_week", "updated_at"])
    return version


@transaction.atomic
def program_status_set(*, program: ExerciseProgram, status: ProgramStatus) -> ExerciseProgram:
    """Pause, resume or end ``program``; an ended program stays ended."""
    program = ExerciseProgram.objects.select_for_update().get(pk=program.pk)
    if program.status == ProgramStatus.ENDED and status != ProgramStatus.ENDED:
        raise ValidationError("An ended program cannot be reopened; prescribe a new one.")
    if program.status != status:
        program.status = status
        program.status_changed_at = timezone.now()
        program.save(update_fields=["status", "status_changed_at", "updated_at"])
    return program


@transaction.atomic
def program_reminder_set(*, program: ExerciseProgram, at: dt.time | None) -> ExerciseProgram:
    """Set the patient's daily exercise reminder time (local), or None to stop reminders."""
    ExerciseProgram.objects.filter(pk=program.pk).update(reminder_time=at)
    program.reminder_time = at
    return program
