"""Examples of the escalation rules at their boundaries (CLINICAL.md §1, §2, §4, §5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import pytest

from stride.programs.rules import (
    EMERGENCY_RED_FLAGS,
    Adherence,
    Alert,
    AlertKind,
    Completion,
    PainEntry,
    ProgramWindow,
    PsfsEntry,
    RedFlag,
    RedFlagAnswer,
    SessionEntry,
    Severity,
    Trend,
    evaluate,
    pain_trend,
    psfs_change,
    psfs_score,
    streak,
    weekly_adherence,
)

START = date(2026, 3, 2)  # a Monday


def day(n: int) -> date:
    return START + timedelta(days=n)


def pain(n: int, nprs: int, *, during_exercise: bool = False) -> PainEntry:
    return PainEntry(on=day(n), nprs=nprs, during_exercise=during_exercise)


def sessions_on(days: Iterable[int], completion: str = "done") -> list[SessionEntry]:
    return [SessionEntry(on=day(n), completion=Completion(completion)) for n in days]


def run(
    *,
    today: int,
    pains: Iterable[PainEntry] = (),
    sessions: Iterable[SessionEntry] = (),
    red_flags: Iterable[RedFlagAnswer] = (),
    previous: Iterable[str] = (),
    sessions_per_week: int = 7,
) -> list[Alert]:
    return evaluate(
        today=day(today),
        window=ProgramWindow(start=START, sessions_per_week=sessions_per_week),
        pains=pains,
        sessions=sessions,
        red_flags=red_flags,
        previous_alerts=previous,
    )


def of_kind(alerts: list[Alert], kind: AlertKind) -> list[Alert]:
    return [alert for alert in alerts if alert.kind is kind]


# Every day of the first two weeks done: adherence never stands in the way of a pain rule.
ADHERENT = sessions_on(range(28))


# --- Validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("nprs", [-1, 11, 5.0, True, None])
def test_pain_entry_refuses_nprs_outside_0_to_10(nprs: object) -> None:
    with pytest.raises(ValueError, match="0 to 10"):
        PainEntry(on=START, nprs=nprs, during_exercise=False)  # type: ignore[arg-type]


def test_entries_refuse_a_datetime_for_a_date() -> None:
    with pytest.raises(ValueError, match="must be a date"):
        PainEntry(on=datetime(2026, 3, 2, 9, 0), nprs=3)
    with pytest.raises(ValueError, match="must be a date"):
        SessionEntry(on="2026-03-02", completion=Completion.DONE)  # type: ignore[arg-type]


def test_session_entry_takes_a_completion_code_and_refuses_unknown_ones() -> None:
    assert SessionEntry(on=START, completion="partly").completion is Completion.PARTLY  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown completion"):
        SessionEntry(on=START, completion="half")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0 to 10"):
        SessionEntry(on=START, completion=Completion.DONE, pain_during=11)


@pytest.mark.parametrize("sessions_per_week", [0, -3, True, 2.5])
def test_program_window_needs_at_least_one_session_a_week(sessions_per_week: object) -> None:
    with pytest.raises(ValueError, match="sessions_per_week"):
        ProgramWindow(start=START, sessions_per_week=sessions_per_week)  # type: ignore[arg-type]


@pytest.mark.parametrize("ratings", [(5, 5), (5,) * 6, (5, 5, 11), (5, 5, -1)])
def test_psfs_entry_rates_three_to_five_activities_0_to_10(ratings: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        PsfsEntry(on=START, ratings=ratings)


def test_psfs_entry_stores_ratings_as_a_tuple() -> None:
    assert PsfsEntry(on=START, ratings=[4, 5, 6]).ratings == (4, 5, 6)  # type: ignore[arg-type]


def test_red_flag_answer_refuses_unknown_codes() -> None:
    assert RedFlagAnswer(on=START, code="fever").code is RedFlag.FEVER  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown red flag"):
        RedFlagAnswer(on=START, code="headache")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "entries",
    [
        {"pains": [pain(6, 3)]},
        {"sessions": sessions_on([6])},
        {"red_flags": [RedFlagAnswer(on=day(6), code=RedFlag.FEVER)]},
    ],
)
def test_evaluate_refuses_entries_dated_after_today(entries: dict) -> None:
    with pytest.raises(ValueError, match="after today"):
        run(today=5, **entries)


def test_red_flag_codes_mirror_the_booking_screen() -> None:
    from stride.scheduling import models

    assert {flag.value for flag in RedFlag} == set(models.RedFlag.values)
    assert {flag.value for flag in EMERGENCY_RED_FLAGS} == {
        flag.value for flag in models.EMERGENCY_RED_FLAGS
    }
    assert RedFlag.CHEST_PAIN.severity is Severity.EMERGENCY
    assert RedFlag.NIGHT_PAIN.severity is Severity.URGENT


# --- Weekly adherence (§4) --------------------------------------------------------------------


def test_adherence_counts_done_and_partly_but_not_skipped() -> None:
    sessions = sessions_on([0, 1]) + sessions_on([2], "partly") + sessions_on([3, 4], "skipped")
    window = ProgramWindow(start=START, sessions_per_week=7)
    assert weekly_adherence(sessions, window, START) == Adherence(3, 7, 3 / 7)


def test_adherence_caps_the_ratio_at_one_but_keeps_the_count() -> None:
    window = ProgramWindow(start=START, sessions_per_week=3)
    adherence = weekly_adherence(sessions_on(range(7)), window, START)
    assert adherence == Adherence(logged=7, prescribed=3, ratio=1.0)
    assert adherence.percent == 100


def test_adherence_ignores_sessions_outside_the_week() -> None:
    window = ProgramWindow(start=START, sessions_per_week=7)
    adherence = weekly_adherence(sessions_on([6, 7, 13, 14]), window, day(7))
    assert (adherence.logged, adherence.prescribed) == (2, 7)


def test_adherence_prorates_a_week_that_overlaps_the_program_start() -> None:
    # The program starts on Thursday; the calendar week from Monday has four program days.
    window = ProgramWindow(start=day(3), sessions_per_week=7)
    sessions = sessions_on([0, 1, 3, 4])  # Monday and Tuesday predate the program.
    assert weekly_adherence(sessions, window, START) == Adherence(2, 4, 0.5)
    # 3 a week over 4 days owes 12/7 sessions, rounded up to 2.
    three_a_week = ProgramWindow(start=day(3), sessions_per_week=3)
    assert weekly_adherence([], three_a_week, START).prescribed == 2
    # A program starting on the week's last day still owes one session.
    assert (
        weekly_adherence([], ProgramWindow(start=day(6), sessions_per_week=3), START).prescribed
        == 1
    )


def test_adherence_refuses_a_week_wholly_before_the_program() -> None:
    window = ProgramWindow(start=day(7), sessions_per_week=7)
    with pytest.raises(ValueError, match="before the program starts"):
        weekly_adherence([], window, START)


# --- Streak (§4) ------------------------------------------------------------------------------


def test_streak_counts_back_from_today_when_today_is_logged() -> None:
    assert streak(sessions_on([3, 4, 5]), day(5)) == 3


def test_streak_counts_back_from_yesterday_while_today_is_not_logged() -> None:
    assert streak(sessions_on([3, 4]), day(5)) == 2


def test_streak_is_zero_when_neither_today_nor_yesterday_is_logged() -> None:
    assert streak(sessions_on([2, 3]), day(5)) == 0
    assert streak([], day(5)) == 0


def test_streak_breaks_on_a_gap_or_a_skipped_day_and_counts_partly() -> None:
    sessions = sessions_on([0, 1, 3]) + sessions_on([4], "partly") + sessions_on([5, 5])
    assert streak(sessions, day(5)) == 3
    assert streak(sessions_on([4, 6]) + sessions_on([5], "skipped"), day(6)) == 1


def test_streak_refuses_sessions_after_today() -> None:
    with pytest.raises(ValueError, match="after today"):
        streak(sessions_on([6]), day(5))


# --- NPRS and PSFS change (§2) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "trend"),
    [
        (6, 4, Trend.IMPROVED),  # 2 points and 33 %
        (7, 5, Trend.UNCHANGED),  # 2 points but 28.6 %
        (10, 7, Trend.IMPROVED),  # 3 points and exactly 30 %
        (10, 8, Trend.UNCHANGED),  # 2 points but 20 %
        (2, 0, Trend.IMPROVED),  # 2 points and 100 %
        (1, 0, Trend.UNCHANGED),  # 100 % but 1 point
        (5, 4, Trend.UNCHANGED),
        (5, 5, Trend.UNCHANGED),
        (5, 6, Trend.UNCHANGED),  # a rise of 1
        (5, 7, Trend.WORSE),  # a rise of exactly 2
        (0, 2, Trend.WORSE),
        (0, 0, Trend.UNCHANGED),  # a baseline of 0 is never "improved"
    ],
)
def test_pain_trend_at_the_clinically_important_change(
    baseline: int, current: int, trend: Trend
) -> None:
    assert pain_trend(baseline, current) is trend


def test_pain_trend_validates_its_scores() -> None:
    with pytest.raises(ValueError):
        pain_trend(11, 3)
    with pytest.raises(ValueError):
        pain_trend(3, -1)


def test_psfs_score_is_the_mean_rating() -> None:
    assert psfs_score(PsfsEntry(on=START, ratings=(2, 3, 5))) == pytest.approx(10 / 3)
    assert psfs_score(PsfsEntry(on=START, ratings=(0, 10, 5, 5, 5))) == 5.0


@pytest.mark.parametrize(
    ("baseline", "current", "trend"),
    [
        ((2, 3, 4), (4, 5, 6), Trend.IMPROVED),  # mean 3 -> 5: exactly 2
        ((2, 3, 4), (4, 5, 5), Trend.UNCHANGED),  # mean 3 -> 4.67
        ((6, 6, 6, 6), (4, 4, 4, 4), Trend.WORSE),  # mean 6 -> 4: exactly -2
        ((6, 6, 6, 6), (4, 4, 4, 5), Trend.UNCHANGED),
    ],
)
def test_psfs_change_counts_two_points_on_the_mean(
    baseline: tuple[int, ...], current: tuple[int, ...], trend: Trend
) -> None:
    before = PsfsEntry(on=START, ratings=baseline)
    after = PsfsEntry(on=day(14), ratings=current)
    assert psfs_change(before, after) is trend


def test_psfs_change_compares_the_same_activities_in_date_order() -> None:
    three = PsfsEntry(on=START, ratings=(3, 3, 3))
    with pytest.raises(ValueError, match="same activities"):
        psfs_change(three, PsfsEntry(on=day(7), ratings=(5, 5, 5, 5)))
    with pytest.raises(ValueError, match="predates"):
        psfs_change(PsfsEntry(on=day(7), ratings=(3, 3, 3)), three)


# --- Not improving (§5) -----------------------------------------------------------------------


def test_not_improving_waits_for_14_days_on_the_program() -> None:
    assert run(today=13, pains=[pain(0, 6), pain(13, 6)], sessions=ADHERENT[:13]) == []
    [alert] = run(today=14, pains=[pain(0, 6), pain(14, 6)], sessions=ADHERENT[:14])
    assert alert.kind is AlertKind.NOT_IMPROVING
    assert alert.severity is Severity.MODERATE
    assert alert.suggest_booking and alert.flag_therapist and not alert.suspend_program
    assert alert.since == day(14)
    assert alert.is_new


def test_not_improving_needs_a_rating_from_day_14_on() -> None:
    assert run(today=20, pains=[pain(0, 6), pain(13, 6)], sessions=ADHERENT[:20]) == []


def test_not_improving_needs_a_rating_besides_the_baseline() -> None:
    assert run(today=20, pains=[pain(15, 6)], sessions=ADHERENT[:20]) == []


@pytest.mark.parametrize(
    ("sessions_per_week", "logged", "alerted"),
    [(50, 59, False), (50, 60, True), (5, 5, False), (5, 6, True)],
)
def test_not_improving_needs_60_percent_adherence(
    sessions_per_week: int, logged: int, alerted: bool
) -> None:
    # 14 days owe 2 × sessions_per_week sessions: 100 or 10.
    sessions = [SessionEntry(on=day(n % 14), completion=Completion.DONE) for n in range(logged)]
    alerts = run(
        today=14,
        pains=[pain(0, 6), pain(14, 6)],
        sessions=sessions,
        sessions_per_week=sessions_per_week,
    )
    assert bool(of_kind(alerts, AlertKind.NOT_IMPROVING)) is alerted


def test_not_improving_leaves_out_sessions_logged_today() -> None:
    # 5 of the 10 owed over days 0-13; the sixth, logged today, belongs to a day not yet over.
    sessions = sessions_on([0, 2, 4, 6, 8, 14])
    alerts = run(today=14, pains=[pain(0, 6), pain(14, 6)], sessions=sessions, sessions_per_week=5)
    assert of_kind(alerts, AlertKind.NOT_IMPROVING) == []


@pytest.mark.parametrize(("baseline", "current", "alerted"), [(6, 4, False), (7, 5, True)])
def test_not_improving_uses_the_two_point_and_30_percent_change(
    baseline: int, current: int, alerted: bool
) -> None:
    alerts = run(today=14, pains=[pain(0, baseline), pain(14, current)], sessions=ADHERENT[:14])
    assert bool(of_kind(alerts, AlertKind.NOT_IMPROVING)) is alerted


def test_not_improving_baseline_is_the_first_rating_on_the_program() -> None:
    # A rating from before the program is not its baseline.
    pains = [pain(-3, 9), pain(0, 6), pain(14, 6)]
    assert of_kind(run(today=14, pains=pains, sessions=ADHERENT[:14]), AlertKind.NOT_IMPROVING)


def test_not_improving_keeps_its_key_and_is_new_again_after_an_improvement() -> None:
    pains = [pain(0, 6), pain(14, 6)]
    [first] = run(today=14, pains=pains, sessions=ADHERENT[:14])
    key = first.episode_key
    pains.append(pain(16, 5))
    [later] = run(today=16, pains=pains, sessions=ADHERENT[:16], previous=[key])
    assert later.episode_key == key and not later.is_new
    pains.append(pain(17, 3))
    assert run(today=17, pains=pains, sessions=ADHERENT[:17], previous=[key]) == []
    pains.append(pain(18, 6))
    [relapse] = run(today=18, pains=pains, sessions=ADHERENT[:18], previous=[key])
    assert relapse.kind is AlertKind.NOT_IMPROVING
    assert relapse.episode_key != key
    assert relapse.is_new and relapse.since == day(18)


# --- Getting worse (§5) -----------------------------------------------------------------------


def test_getting_worse_needs_two_ratings_in_a_row_up_by_two() -> None:
    assert run(today=3, pains=[pain(0, 4), pain(2, 6)]) == []
    [alert] = run(today=3, pains=[pain(0, 4), pain(2, 6), pain(3, 7)])
    assert alert.kind is AlertKind.GETTING_WORSE
    assert alert.severity is Severity.HIGH
    assert alert.suggest_booking and alert.flag_therapist and not alert.suspend_program
    assert alert.patient_message_key == "escalation.getting_worse.pain_rising"
    assert alert.since == day(2)


def test_getting_worse_does_not_count_ratings_that_are_not_in_a_row() -> None:
    assert run(today=4, pains=[pain(0, 4), pain(1, 6), pain(2, 5), pain(3, 6)]) == []


def test_getting_worse_counts_two_ratings_on_one_day() -> None:
    [alert] = run(today=1, pains=[pain(0, 4), pain(1, 6), pain(1, 6)])
    assert alert.since == day(1)


def test_getting_worse_keeps_its_key_while_it_lasts_and_is_new_after_recovery() -> None:
    pains = [pain(0, 4), pain(1, 6), pain(2, 6)]
    [first] = run(today=2, pains=pains)
    pains.append(pain(3, 8))
    [same] = run(today=3, pains=pains, previous=[first.episode_key])
    assert same.episode_key == first.episode_key
    assert not same.is_new
    pains.append(pain(4, 4))
    assert run(today=4, pains=pains, previous=[first.episode_key]) == []
    pains += [pain(5, 6), pain(6, 7)]
    [again] = run(today=6, pains=pains, previous=[first.episode_key])
    assert again.episode_key != first.episode_key
    assert again.is_new


def test_getting_worse_tells_same_day_episodes_apart() -> None:
    pains = [pain(0, 4), pain(1, 6), pain(1, 6)]
    [first] = run(today=1, pains=pains)
    pains += [pain(1, 4), pain(1, 6), pain(1, 6)]
    [second] = run(today=1, pains=pains, previous=[first.episode_key])
    assert second.is_new


@pytest.mark.parametrize(("pain_during", "alerted"), [(6, False), (7, True), (10, True)])
def test_getting_worse_on_pain_of_7_during_a_session(pain_during: int, alerted: bool) -> None:
    session = SessionEntry(on=day(1), completion=Completion.DONE, pain_during=pain_during)
    alerts = run(today=1, sessions=[session])
    assert bool(alerts) is alerted
    if alerted:
        assert alerts[0].kind is AlertKind.GETTING_WORSE
        assert alerts[0].patient_message_key == "escalation.getting_worse.exercise_pain"
        assert alerts[0].suggest_booking and alerts[0].flag_therapist


@pytest.mark.parametrize(("nprs", "alerted"), [(6, False), (7, True)])
def test_getting_worse_on_a_rating_of_7_during_exercise(nprs: int, alerted: bool) -> None:
    alerts = run(today=1, pains=[pain(1, nprs, during_exercise=True)])
    assert bool(of_kind(alerts, AlertKind.GETTING_WORSE)) is alerted


def test_exercise_pain_episode_ends_with_a_lower_report_and_recurs_with_a_new_key() -> None:
    def session(n: int, score: int) -> SessionEntry:
        return SessionEntry(on=day(n), completion=Completion.PARTLY, pain_during=score)

    logs = [session(1, 8)]
    [first] = run(today=1, sessions=logs)
    logs.append(session(2, 7))
    [same] = run(today=2, sessions=logs, previous=[first.episode_key])
    assert same.episode_key == first.episode_key and not same.is_new
    logs.append(session(3, 3))
    assert run(today=3, sessions=logs, previous=[first.episode_key]) == []
    logs.append(session(4, 9))
    [again] = run(today=4, sessions=logs, previous=[first.episode_key])
    assert again.is_new and again.since == day(4)


def test_ratings_during_exercise_are_not_compared_with_the_usual_pain_baseline() -> None:
    pains = [pain(0, 2), pain(1, 5, during_exercise=True), pain(2, 5, during_exercise=True)]
    assert run(today=2, pains=pains) == []


def test_getting_worse_replaces_not_improving() -> None:
    pains = [pain(0, 4), pain(14, 6), pain(15, 6)]
    alerts = run(today=15, pains=pains, sessions=ADHERENT[:15])
    assert [a.kind for a in alerts] == [AlertKind.GETTING_WORSE]


# --- Low adherence (§5) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sessions_per_week", "logged", "low"),
    [(100, 29, True), (100, 30, False), (10, 2, True), (10, 3, False), (7, 2, True), (7, 3, False)],
)
def test_low_adherence_below_30_percent_for_a_week(
    sessions_per_week: int, logged: int, low: bool
) -> None:
    sessions = [SessionEntry(on=day(n % 7), completion=Completion.DONE) for n in range(logged)]
    alerts = run(today=7, sessions=sessions, sessions_per_week=sessions_per_week)
    assert bool(of_kind(alerts, AlertKind.LOW_ADHERENCE)) is low


def test_low_adherence_judges_a_week_only_once_it_is_over() -> None:
    assert run(today=6) == []
    [alert] = run(today=7)
    assert alert.since == START


def test_one_low_week_nudges_the_patient_only() -> None:
    [alert] = run(today=13, sessions=sessions_on([0]))
    assert alert.kind is AlertKind.LOW_ADHERENCE
    assert alert.patient_message_key == "escalation.low_adherence.nudge"
    assert not alert.flag_therapist and not alert.suggest_booking and not alert.suspend_program


def test_a_second_low_week_in_a_row_also_flags_the_therapist() -> None:
    [week_1] = run(today=7)
    [week_2] = run(today=14, previous=[week_1.episode_key])
    assert week_2.flag_therapist
    assert week_2.patient_message_key == "escalation.low_adherence.therapist_told"
    assert week_2.is_new and week_2.episode_key != week_1.episode_key
    assert week_2.since == day(7)


def test_low_weeks_that_are_not_in_a_row_only_nudge() -> None:
    [alert] = run(today=21, sessions=sessions_on(range(7, 14)))
    assert not alert.flag_therapist


def test_a_low_week_keeps_its_key_through_the_next_week() -> None:
    [monday] = run(today=7)
    [sunday] = run(today=13, previous=[monday.episode_key])
    assert sunday.episode_key == monday.episode_key and not sunday.is_new


# --- Red flags (§1) ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(EMERGENCY_RED_FLAGS))
def test_an_emergency_flag_suspends_the_program_without_offering_booking(code: RedFlag) -> None:
    [alert] = run(today=3, red_flags=[RedFlagAnswer(on=day(3), code=code)])
    assert alert.kind is AlertKind.RED_FLAG_EMERGENCY
    assert alert.severity is Severity.EMERGENCY
    assert alert.suspend_program and alert.flag_therapist and not alert.suggest_booking
    assert alert.red_flag is code


@pytest.mark.parametrize("code", sorted(set(RedFlag) - EMERGENCY_RED_FLAGS))
def test_an_urgent_flag_allows_booking_and_keeps_the_program(code: RedFlag) -> None:
    [alert] = run(today=3, red_flags=[RedFlagAnswer(on=day(3), code=code)])
    assert alert.kind is AlertKind.RED_FLAG_URGENT
    assert alert.severity is Severity.URGENT
    assert alert.suggest_booking and alert.flag_therapist and not alert.suspend_program


def test_an_emergency_flag_silences_every_booking_suggestion() -> None:
    exercise_pain = SessionEntry(on=day(20), completion=Completion.DONE, pain_during=9)
    alerts = run(
        today=21,
        pains=[pain(0, 4), pain(20, 6), pain(21, 7)],
        sessions=[exercise_pain],
        red_flags=[
            RedFlagAnswer(on=day(21), code=RedFlag.SADDLE_NUMBNESS),
            RedFlagAnswer(on=day(21), code=RedFlag.FEVER),
        ],
    )
    assert [a.kind for a in alerts] == [AlertKind.RED_FLAG_EMERGENCY]
    assert not any(a.suggest_booking for a in alerts)


def test_an_urgent_flag_comes_first_among_the_other_alerts() -> None:
    alerts = run(
        today=7,
        pains=[pain(0, 4), pain(6, 6), pain(7, 6)],
        red_flags=[RedFlagAnswer(on=day(7), code=RedFlag.NIGHT_PAIN)],
    )
    assert [a.kind for a in alerts] == [
        AlertKind.RED_FLAG_URGENT,
        AlertKind.GETTING_WORSE,
        AlertKind.LOW_ADHERENCE,
    ]


def test_a_flag_answered_again_keeps_its_episode_and_a_new_flag_starts_one() -> None:
    both_legs = RedFlagAnswer(on=day(3), code=RedFlag.BOTH_LEGS)
    [first] = run(today=3, red_flags=[both_legs])
    again = RedFlagAnswer(on=day(5), code=RedFlag.BOTH_LEGS)
    chest = RedFlagAnswer(on=day(5), code=RedFlag.CHEST_PAIN)
    alerts = run(today=5, red_flags=[both_legs, again, chest], previous=[first.episode_key])
    assert [(a.red_flag, a.is_new) for a in alerts] == [
        (RedFlag.BOTH_LEGS, False),
        (RedFlag.CHEST_PAIN, True),
    ]
    # Resolved, then answered again: a new episode.
    [later] = run(today=9, red_flags=[RedFlagAnswer(on=day(9), code=RedFlag.BOTH_LEGS)])
    assert later.episode_key != first.episode_key


def test_red_flags_apply_before_the_program_starts() -> None:
    before = START - timedelta(days=2)
    alerts = evaluate(
        today=before,
        window=ProgramWindow(start=START, sessions_per_week=7),
        pains=[PainEntry(on=before, nprs=9, during_exercise=True)],
        sessions=[],
        red_flags=[RedFlagAnswer(on=before, code=RedFlag.LUMP)],
        previous_alerts=[],
    )
    assert [a.kind for a in alerts] == [AlertKind.RED_FLAG_URGENT]


# --- Episodes -----------------------------------------------------------------------------------


def test_feeding_back_the_keys_leaves_nothing_new() -> None:
    inputs = {
        "today": 21,
        "pains": [pain(0, 4), pain(20, 6), pain(21, 6)],
        "sessions": sessions_on([1, 2]),
        "red_flags": [RedFlagAnswer(on=day(21), code=RedFlag.WEIGHT_LOSS)],
    }
    first = run(**inputs)  # type: ignore[arg-type]
    assert first and all(a.is_new for a in first)
    second = run(**inputs, previous=[a.episode_key for a in first])  # type: ignore[arg-type]
    assert [a.episode_key for a in second] == [a.episode_key for a in first]
    assert not any(a.is_new for a in second)
