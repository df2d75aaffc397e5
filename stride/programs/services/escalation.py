"""Turn what ``rules.evaluate`` says into records, a paused program and a therapist's email.

``program_evaluate`` runs after every log (services/logs.py) and once a day for every open
program (``manage.py evaluate_programs``), because low adherence has no log to trigger it. The
caller holds the program row lock, or ``program_evaluate`` takes it, so one episode is recorded
once; the unique key (program, episode_key) guarantees it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from stride.accounts.models import User
from stride.core.outbox import email_queue

from .. import rules
from ..models import OPEN_STATUSES, ExerciseProgram, ProgramAlert, ProgramStatus, SymptomReport
from ..selectors.programs import (
    program_today,
    rules_pains,
    rules_red_flags,
    rules_sessions,
    rules_window,
)

logger = logging.getLogger(__name__)


def program_lock(pk: int) -> ExerciseProgram:
    """Lock program ``pk`` until commit and return it with its therapist, user and location.

    One query: only the program row is locked (``of``; SQLite, which locks the whole database
    for writes, ignores it).
    """
    return (
        ExerciseProgram.objects.select_for_update(of=("self",))
        .select_related("therapist__location", "therapist__user")
        .get(pk=pk)
    )


def _alert_record(program: ExerciseProgram, alert: rules.Alert) -> ProgramAlert | None:
    try:
        with transaction.atomic():
            return ProgramAlert.objects.create(
                program=program,
                kind=alert.kind.value,
                severity=alert.severity.value,
                episode_key=alert.episode_key,
                message_key=alert.patient_message_key,
                red_flag=alert.red_flag.value if alert.red_flag else "",
                since=alert.since,
                flag_therapist=alert.flag_therapist,
                suggest_booking=alert.suggest_booking,
            )
    except IntegrityError:
        return None  # recorded already by a concurrent evaluation


def _therapist_notify(program: ExerciseProgram) -> None:
    """Queue the therapist's "a patient needs attention" email; it names no clinical detail.

    Runs in the evaluation's transaction, so the email exists exactly when the alert does; the
    outbox sends it after commit and retries it while the mail server is down.
    """
    try:
        body = render_to_string(
            "programs/email/therapist_attention.txt",
            {
                "program": program,
                "url": f"{settings.SITE_URL}/staff/patients/{program.patient_id}/",
            },
        )
        email_queue(
            message=EmailMessage(
                "A patient needs your attention",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [program.therapist.user.email],
            ),
            kind="programs.attention",
        )
    except Exception:  # the alert is recorded; the dashboard shows it even without the email
        logger.exception("could not queue the email to the therapist of program %s", program.pk)


@transaction.atomic
def program_evaluate(
    *, program: ExerciseProgram, today: dt.date | None = None
) -> list[ProgramAlert]:
    """Record the alerts that newly hold for ``program`` and clear those that no longer do.

    Returns the new alerts. An emergency red flag pauses the program (CLINICAL.md §1). Locks
    the program row.
    """
    program = program_lock(program.pk)
    if program.status not in OPEN_STATUSES:
        return []
    today = today or program_today(program)
    recorded = set(program.alerts.values_list("episode_key", flat=True))
    alerts = rules.evaluate(
        today=today,
        window=rules_window(program),
        pains=rules_pains(program, today),
        sessions=rules_sessions(program, today),
        red_flags=rules_red_flags(program, today),
        previous_alerts=recorded,
    )
    new = [row for a in alerts if a.is_new and (row := _alert_record(program, a)) is not None]
    holding = {a.episode_key for a in alerts}
    program.alerts.filter(cleared_at__isnull=True).exclude(episode_key__in=holding).update(
        cleared_at=timezone.now()
    )
    if any(a.suspend_program for a in alerts) and program.status == ProgramStatus.ACTIVE:
        program.status = ProgramStatus.SUSPENDED
        program.status_changed_at = timezone.now()
        program.save(update_fields=["status", "status_changed_at", "updated_at"])
    if any(row.flag_therapist for row in new):
        _therapist_notify(program)
    return new


def program_evaluate_all(*, now: dt.datetime | None = None) -> int:
    """Evaluate every open program on its clinic's date; return how many new alerts fired."""
    count = 0
    for program in ExerciseProgram.objects.filter(status__in=OPEN_STATUSES).select_related(
        "therapist__location"
    ):
        count += len(program_evaluate(program=program, today=program_today(program, now)))
    return count


@transaction.atomic
def alert_acknowledge(*, alert: ProgramAlert, by: User) -> ProgramAlert:
    """Mark an alert as seen and dealt with by the therapist; it leaves the attention list."""
    alert = ProgramAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


@transaction.atomic
def symptoms_resolve(*, program: ExerciseProgram, by: User, resume: bool) -> ExerciseProgram:
    """Mark the program's red-flag reports as dealt with and, if asked, resume the program.

    Call this once the therapist has spoken with the patient; the rules then stop counting the
    reports, and the red-flag alert clears at the next evaluation.
    """
    program = ExerciseProgram.objects.select_for_update().get(pk=program.pk)
    SymptomReport.objects.filter(program=program, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    if resume and program.status == ProgramStatus.SUSPENDED:
        program.status = ProgramStatus.ACTIVE
        program.status_changed_at = timezone.now()
        program.save(update_fields=["status", "status_changed_at", "updated_at"])
    program_evaluate(program=program)
    return program
