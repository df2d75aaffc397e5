"""Daily exercise reminder emails, one per program per local day, even with several workers.

A program is due when it is active, has a ``reminder_time``, has started, its patient's account
is active, the clinic's local time (``therapist.location``) has reached the reminder time today,
and no session is logged for that local date. Local time, not UTC, decides: on a daylight-saving
day a 08:00 reminder goes at 08:00 local, and a time skipped by the change (02:30 in spring)
goes at the first moment after it.

How one reminder is claimed, sent and recorded (``exercise_reminder_send``):

1. Claim: INSERT ``ExerciseReminder(program, on=<local date>, claimed_at, claim_id)``. The unique
   key (program, on) lets one worker in; the others meet IntegrityError and skip. A claim older
   than ``CLAIM_LEASE`` that was never marked sent (its worker died) is taken over by one
   conditional UPDATE on the claim id seen, so one worker, and only one, wins it.
2. Send, outside any transaction: no lock is held while the mail server answers.
3. Record: set ``sent_at`` where the claim id is still ours. A failed send deletes our claim, so
   the next run retries the same day.

Delivery is at least once, like appointment reminders: a duplicate needs a worker to die (or
stall past the lease) after the mail server accepted the email and before step 3.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from collections import Counter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import ExerciseProgram, ExerciseReminder, ProgramStatus, SessionLog

logger = logging.getLogger(__name__)

# How long a claim holds before another worker may take the reminder over; far above
# EMAIL_TIMEOUT, so a merely slow send is not duplicated.
CLAIM_LEASE = dt.timedelta(minutes=10)
SUBJECT = "Time for your exercises"


class ReminderResult(enum.Enum):
    """What ``exercise_reminder_send`` did with one program."""

    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, already sent today, or claimed by another worker


def _programs_with_reminders() -> list[ExerciseProgram]:
    return list(
        ExerciseProgram.objects.filter(
            status=ProgramStatus.ACTIVE, reminder_time__isnull=False, patient__is_active=True
        )
        .select_related("therapist__location", "patient")
        .order_by("pk")
    )


def _local_day_if_due(program: ExerciseProgram, now: dt.datetime) -> dt.date | None:
    """Return the program's local date if its reminder time has come today, else None."""
    local = timezone.localtime(now, program.therapist.location.tzinfo)
    reminder_time = program.reminder_time
    if reminder_time is None or local.date() < program.start_date:
        return None
    return local.date() if local.time() >= reminder_time else None


def exercise_reminder_list_due(*, now: dt.datetime) -> list[tuple[int, dt.date]]:
    """Return ``(program id, local date)`` of every reminder due at ``now``; three queries.

    Leaves out programs reminded (or claimed) on that date and those with a session logged.
    """
    candidates = {
        program.pk: day
        for program in _programs_with_reminders()
        if (day := _local_day_if_due(program, now)) is not None
    }
    if not candidates:
        return []
    # A handful of distinct local dates at most (one per time zone in use).
    days = set(candidates.values())
    done = {
        *ExerciseReminder.objects.filter(program__in=candidates, on__in=days).values_list(
            "program_id", "on"
        ),
        *SessionLog.objects.filter(program__in=candidates, on__in=days).values_list(
            "program_id", "on"
        ),
    }
    return [(pk, day) for pk, day in candidates.items() if (pk, day) not in done]


def exercise_reminder_email_build(*, program: ExerciseProgram) -> EmailMultiAlternatives:
    """Build the reminder: a nudge and a link to ``/my/``; no exercise, pain or diagnosis."""
    patient = program.patient
    context = {
        "patient_name": patient.first_name or patient.get_full_name() or "there",
        "url": f"{settings.SITE_URL}/my/",
        "clinic_name": program.therapist.location.name,
    }
    email = EmailMultiAlternatives(
        subject=SUBJECT,
        body=render_to_string("programs/email/exercise_reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[patient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(
        render_to_string("programs/email/exercise_reminder.html", context), "text/html"
    )
    return email


def _claim(program_id: int, on: dt.date, now: dt.datetime, claim_id: uuid.UUID) -> bool:
    """Claim the reminder of ``program_id`` on ``on`` for ``claim_id``; return whether we got it."""
    try:
        with transaction.atomic():
            ExerciseReminder.objects.create(
                program_id=program_id, on=on, claimed_at=now, claim_id=claim_id
            )
        return True
    except IntegrityError:
        pass  # claimed (or sent) already: take it over only if that claim was abandoned
    stale = (
        ExerciseReminder.objects.filter(
            program_id=program_id, on=on, sent_at__isnull=True, claimed_at__lt=now - CLAIM_LEASE
        )
        .values_list("claim_id", flat=True)
        .first()
    )
    if stale is None:
        return False
    taken = ExerciseReminder.objects.filter(
        program_id=program_id, on=on, claim_id=stale, sent_at__isnull=True
    ).update(claimed_at=now, claim_id=claim_id)
    return taken == 1


def _claim_release(program_id: int, on: dt.date, claim_id: uuid.UUID) -> None:
    ExerciseReminder.objects.filter(
        program_id=program_id, on=on, claim_id=claim_id, sent_at__isnull=True
    ).delete()


def exercise_reminder_send(*, program_id: int, now: dt.datetime | None = None) -> ReminderResult:
    """Send today's reminder of ``program_id`` if it is due and no other worker has it.

    Never raises for a mail failure. Locks: none held across the send; the claim is one INSERT
    (or one conditional UPDATE of an abandoned claim). See the module docstring.
    """
    now = now if now is not None else timezone.now()
    program = (
        ExerciseProgram.objects.select_related("therapist__location", "patient")
        .filter(pk=program_id, status=ProgramStatus.ACTIVE, patient__is_active=True)
        .first()
    )
    on = _local_day_if_due(program, now) if program is not None else None
    if program is None or on is None:
        return ReminderResult.SKIPPED
    claim_id = uuid.uuid4()
    if not _claim(program_id, on, now, claim_id):
        return ReminderResult.SKIPPED
    # Checked after the claim, so a session logged before it is never followed by a reminder.
    if SessionLog.objects.filter(program_id=program_id, on=on).exists():
        _claim_release(program_id, on, claim_id)
        return ReminderResult.SKIPPED

    try:
        exercise_reminder_email_build(program=program).send()
    except Exception as exc:  # SMTP down, timeouts, refused recipients, bad templates.
        _claim_release(program_id, on, claim_id)
        logger.warning(
            "program %s: exercise reminder failed (%s); left for the next run",
            program_id,
            type(exc).__name__,
        )
        return ReminderResult.FAILED

    recorded = ExerciseReminder.objects.filter(
        program_id=program_id, on=on, claim_id=claim_id
    ).update(sent_at=now)
    if recorded != 1:
        logger.warning("program %s: exercise reminder claim lost while sending", program_id)
    else:
        logger.info("program %s: exercise reminder sent for %s", program_id, on)
    return ReminderResult.SENT


def exercise_reminders_send_due(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> Counter[ReminderResult]:
    """Send every due exercise reminder (at most ``limit``); count sent, failed and skipped.

    Safe to run from cron every few minutes and on several machines at once.
    """
    now = now if now is not None else timezone.now()
    results: Counter[ReminderResult] = Counter()
    for program_id, _ in exercise_reminder_list_due(now=now)[:limit]:
        results[exercise_reminder_send(program_id=program_id, now=now)] += 1
    return results
