"""Escalation end to end through the services: each episode recorded once, program paused on an
emergency, the therapist emailed without clinical details (CLINICAL.md §1, §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from stride.core.models import OutgoingEmail
from stride.core.outbox import SendResult, emails_send_due
from stride.programs.models import PainScore, ProgramAlert, ProgramStatus, SessionLog
from stride.programs.selectors.programs import alert_list_open, program_today, version_current
from stride.programs.services.escalation import (
    alert_acknowledge,
    program_evaluate,
    program_evaluate_all,
    symptoms_resolve,
)
from stride.programs.services.logs import pain_score_create, session_log_create
from stride.programs.tests.factories import program_prescribe

pytestmark = pytest.mark.django_db


def _log_days(program, days: range, *, pain: int, completion: str = "done") -> None:
    """Write the history as if logged day by day, then log today through the service."""
    today = program_today(program)
    version = version_current(program=program)
    for back in days:
        if back == 0:
            session_log_create(program=program, on=today, completion=completion, pain_now=pain)
            continue
        on = today - dt.timedelta(days=back)
        session = SessionLog.objects.create(
            program=program, version=version, on=on, completion=completion
        )
        PainScore.objects.create(program=program, session=session, on=on, nprs=pain)


@pytest.fixture
def program():
    # Started 14 days ago: two whole weeks are over by today.
    return program_prescribe()


def test_two_weeks_of_unchanged_pain_fires_not_improving_once(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _log_days(program, range(14, -1, -1), pain=6)
    alerts = ProgramAlert.objects.filter(program=program)
    assert [a.kind for a in alerts] == ["not_improving"]
    assert alerts[0].suggest_booking and alerts[0].flag_therapist
    # Evaluating again, and logging again, never repeats the alert or the email.
    with django_capture_on_commit_callbacks(execute=True):
        program_evaluate(program=program)
        pain_score_create(program=program, on=program_today(program), nprs=6)
    assert ProgramAlert.objects.filter(program=program).count() == 1
    assert len(mailoutbox) == 1


def test_therapist_email_carries_no_clinical_details(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _log_days(program, range(14, -1, -1), pain=6)
    (email,) = mailoutbox
    assert email.to == [program.therapist.user.email]
    text = (email.subject + email.body).lower()
    for word in ("pain", "not improving", "adherence", program.title.lower(), "6/10"):
        assert word not in text
    assert f"/staff/patients/{program.patient_id}/" in email.body


def test_improving_pain_fires_nothing(program):
    _log_days(program, range(14, 7, -1), pain=6)
    _log_days(program, range(7, -1, -1), pain=3)
    assert not ProgramAlert.objects.filter(program=program).exists()


def test_backfilled_logs_leave_no_open_alert(program):
    # Logging two weeks at once: the first logs see empty weeks, later ones clear that episode.
    today = program_today(program)
    for back in range(14, -1, -1):
        session_log_create(
            program=program, on=today - dt.timedelta(days=back), completion="done", pain_now=6
        )
    assert [a.kind for a in alert_list_open(program=program)] == ["not_improving"]


def test_pain_during_exercise_of_seven_fires_getting_worse(program):
    _log_days(program, range(14, 0, -1), pain=4)  # two good weeks of history
    session_log_create(program=program, on=program_today(program), completion="done", pain_during=7)
    (alert,) = alert_list_open(program=program)
    assert (alert.kind, alert.severity) == ("getting_worse", "high")


def test_emergency_symptom_pauses_the_program_and_alerts_only_the_emergency(program):
    _log_days(program, range(14, -1, -1), pain=6)
    pain_score_create(
        program=program, on=program_today(program), nprs=6, symptoms=["saddle_numbness"]
    )
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED
    open_alerts = alert_list_open(program=program)
    assert [a.kind for a in open_alerts] == ["red_flag_emergency"]
    assert not open_alerts[0].suggest_booking


def test_resolving_symptoms_resumes_the_program_and_clears_the_alert(program):
    _log_days(program, range(14, 0, -1), pain=4)  # two good weeks of history
    pain_score_create(program=program, on=program_today(program), nprs=6, symptoms=["chest_pain"])
    symptoms_resolve(program=program, by=program.therapist.user, resume=True)
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    alert = ProgramAlert.objects.get(program=program, kind="red_flag_emergency")
    assert alert.cleared_at is not None
    assert "red_flag_emergency" not in {a.kind for a in alert_list_open(program=program)}


def test_urgent_symptom_flags_therapist_and_allows_booking(program):
    _log_days(program, range(14, 0, -1), pain=4)  # two good weeks of history
    pain_score_create(program=program, on=program_today(program), nprs=4, symptoms=["fever"])
    alert = alert_list_open(program=program)[0]  # most pressing first
    assert (alert.kind, alert.flag_therapist, alert.suggest_booking) == (
        "red_flag_urgent",
        True,
        True,
    )
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE


def test_low_adherence_is_found_by_the_daily_run_without_any_log(program):
    assert program_evaluate_all() >= 1
    kinds = set(ProgramAlert.objects.filter(program=program).values_list("kind", flat=True))
    assert kinds == {"low_adherence"}
    assert program_evaluate_all() == 0


def test_acknowledged_alert_stays_recorded_and_is_not_recreated(program):
    _log_days(program, range(14, -1, -1), pain=6)
    alert = ProgramAlert.objects.get(program=program)
    alert_acknowledge(alert=alert, by=program.therapist.user)
    program_evaluate(program=program)
    assert ProgramAlert.objects.filter(program=program).count() == 1
    assert ProgramAlert.objects.get().acknowledged_by == program.therapist.user


def test_a_concurrent_duplicate_episode_is_refused_by_the_database(program):
    _log_days(program, range(14, -1, -1), pain=6)
    from stride.programs import rules
    from stride.programs.services.escalation import _alert_record

    alert = ProgramAlert.objects.get(program=program)
    duplicate = rules.Alert(
        kind=rules.AlertKind(alert.kind),
        severity=rules.Severity(alert.severity),
        patient_message_key=alert.message_key,
        flag_therapist=True,
        suggest_booking=True,
        suspend_program=False,
        episode_key=alert.episode_key,
        since=alert.since,
        is_new=True,
    )
    assert _alert_record(program, duplicate) is None
    assert ProgramAlert.objects.filter(program=program).count() == 1


def test_ended_programs_are_not_evaluated(program):
    program.status = ProgramStatus.ENDED
    program.save()
    assert program_evaluate(program=program) == []


def test_the_therapist_email_waits_out_a_mail_server_outage(
    program, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.SMTPDownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _log_days(program, range(14, -1, -1), pain=6)
    assert [a.kind for a in ProgramAlert.objects.filter(program=program)] == ["not_improving"]
    email = OutgoingEmail.objects.get(kind="programs.attention")
    assert (email.status, email.attempts, email.to) == (
        "pending",
        1,
        [program.therapist.user.email],
    )
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + dt.timedelta(minutes=1)
    assert emails_send_due(now=later) == {SendResult.SENT: 1}
    assert emails_send_due(now=later + dt.timedelta(hours=1)) == {}
    assert [m.subject for m in mailoutbox] == ["A patient needs your attention"]
