"""Properties of the escalation rules, checked with Hypothesis over random program histories."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stride.programs.rules import (
    EMERGENCY_RED_FLAGS,
    LOGGED,
    Alert,
    AlertKind,
    Completion,
    PainEntry,
    ProgramWindow,
    PsfsEntry,
    RedFlag,
    RedFlagAnswer,
    SessionEntry,
    Trend,
    evaluate,
    pain_trend,
    psfs_change,
    psfs_score,
    streak,
    weekly_adherence,
)

START = date(2026, 3, 2)
scores = st.integers(0, 10)
URGENT_FLAGS = sorted(set(RedFlag) - EMERGENCY_RED_FLAGS)
MOSTLY_DONE = st.sampled_from([Completion.DONE] * 3 + [Completion.PARTLY, Completion.SKIPPED])


def on_or_before(today: int) -> st.SearchStrategy[date]:
    return st.integers(-5, today).map(lambda n: START + timedelta(days=n))


@dataclass(frozen=True)
class Case:
    today: date
    window: ProgramWindow
    pains: tuple[PainEntry, ...]
    sessions: tuple[SessionEntry, ...]
    red_flags: tuple[RedFlagAnswer, ...]

    def evaluate(self, previous: frozenset[str] = frozenset(), **changes: object) -> list[Alert]:
        case = replace(self, **changes)  # type: ignore[arg-type]
        return evaluate(
            today=case.today,
            window=case.window,
            pains=case.pains,
            sessions=case.sessions,
            red_flags=case.red_flags,
            previous_alerts=previous,
        )


@st.composite
def cases(draw: st.DrawFn, flags: st.SearchStrategy[RedFlag] | None = None) -> Case:
    today = draw(st.integers(-2, 45))
    day = on_or_before(today)
    # Ratings near one level, so runs of worse and not-improved ratings are common.
    level = draw(st.integers(2, 8))
    near = st.integers(max(0, level - 4), min(10, level + 4))
    pains = draw(
        st.lists(
            st.builds(
                PainEntry, on=day, nprs=near, during_exercise=st.sampled_from([False, False, True])
            ),
            max_size=25,
        )
    )
    sessions = draw(
        st.lists(
            st.builds(
                SessionEntry,
                on=day,
                completion=MOSTLY_DONE,
                pain_during=st.one_of(st.none(), st.none(), st.none(), scores),
            ),
            max_size=60,
        )
    )
    if draw(st.booleans()):
        # A diligent patient: one session every day so far, so the adherence gate opens.
        sessions += [SessionEntry(START + timedelta(days=n), Completion.DONE) for n in range(today)]
    codes = flags if flags is not None else st.sampled_from(RedFlag)
    answers = draw(
        st.one_of(
            st.just([]),
            st.just([]),
            st.lists(st.builds(RedFlagAnswer, on=day, code=codes), max_size=3),
        )
    )
    return Case(
        today=START + timedelta(days=today),
        window=ProgramWindow(start=START, sessions_per_week=draw(st.integers(1, 10))),
        pains=tuple(pains),
        sessions=tuple(sessions),
        red_flags=tuple(answers),
    )


@settings(max_examples=200, deadline=None)
@given(
    sessions=st.lists(
        st.builds(SessionEntry, on=on_or_before(30), completion=st.sampled_from(Completion)),
        max_size=80,
    ),
    sessions_per_week=st.integers(1, 70),
    week_offset=st.integers(-6, 30),
)
def test_weekly_adherence_ratio_lies_between_0_and_1(
    sessions: list[SessionEntry], sessions_per_week: int, week_offset: int
) -> None:
    window = ProgramWindow(start=START, sessions_per_week=sessions_per_week)
    adherence = weekly_adherence(sessions, window, START + timedelta(days=week_offset))
    assert 0.0 <= adherence.ratio <= 1.0
    assert 1 <= adherence.prescribed <= sessions_per_week
    assert adherence.ratio == min(1.0, adherence.logged / adherence.prescribed)
    assert 0 <= adherence.logged <= sum(1 for s in sessions if s.completion in LOGGED)
    if week_offset >= 0:
        assert adherence.prescribed == sessions_per_week


@settings(max_examples=200, deadline=None)
@given(week_offset=st.integers(-60, -7), sessions_per_week=st.integers(1, 70))
def test_weekly_adherence_refuses_weeks_before_the_program(
    week_offset: int, sessions_per_week: int
) -> None:
    window = ProgramWindow(start=START, sessions_per_week=sessions_per_week)
    with pytest.raises(ValueError):
        weekly_adherence([], window, START + timedelta(days=week_offset))


@settings(max_examples=200, deadline=None)
@given(cases(), st.frozensets(st.text(max_size=8), max_size=3))
def test_evaluate_is_deterministic_and_marks_new_keys(case: Case, noise: frozenset[str]) -> None:
    alerts = case.evaluate(noise)
    assert alerts == case.evaluate(noise)
    keys = [alert.episode_key for alert in alerts]
    assert len(keys) == len(set(keys))
    assert all(alert.is_new is (alert.episode_key not in noise) for alert in alerts)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_feeding_back_the_keys_yields_nothing_new(case: Case) -> None:
    first = case.evaluate()
    recorded = frozenset(alert.episode_key for alert in first)
    second = case.evaluate(recorded)
    assert not any(alert.is_new for alert in second)
    assert second == [replace(alert, is_new=False) for alert in first]


@settings(max_examples=200, deadline=None)
@given(cases())
def test_evaluate_ignores_the_order_of_sessions_flags_and_days(case: Case) -> None:
    # Ratings on one date keep their order; everything else may come in any order.
    shuffled = case.evaluate(
        sessions=case.sessions[::-1],
        red_flags=case.red_flags[::-1],
        pains=tuple(sorted(case.pains, key=lambda p: p.on)),
    )
    assert shuffled == case.evaluate()


@settings(max_examples=200, deadline=None)
@given(cases(flags=st.sampled_from(RedFlag)), st.sampled_from(sorted(EMERGENCY_RED_FLAGS)))
def test_an_emergency_flag_always_suspends_and_never_offers_booking(
    case: Case, emergency: RedFlag
) -> None:
    alerts = case.evaluate(
        red_flags=(*case.red_flags, RedFlagAnswer(on=case.today, code=emergency))
    )
    assert alerts
    assert all(alert.kind is AlertKind.RED_FLAG_EMERGENCY for alert in alerts)
    assert all(alert.suspend_program and not alert.suggest_booking for alert in alerts)


@settings(max_examples=200, deadline=None)
@given(cases(flags=st.sampled_from(URGENT_FLAGS)))
def test_without_an_emergency_nothing_suspends_the_program(case: Case) -> None:
    assert not any(alert.suspend_program for alert in case.evaluate())


@settings(max_examples=200, deadline=None)
@given(scores, scores, scores)
def test_pain_trend_is_consistent(baseline: int, current: int, other: int) -> None:
    trend = pain_trend(baseline, current)
    assert (trend is Trend.WORSE) is (current - baseline >= 2)
    if trend is Trend.IMPROVED:
        assert current < baseline
        assert pain_trend(current, baseline) is Trend.WORSE
    if baseline == current:
        assert trend is Trend.UNCHANGED
    # Less pain never reads as a worse trend.
    order = [Trend.IMPROVED, Trend.UNCHANGED, Trend.WORSE]
    lower, higher = sorted((current, other))
    assert order.index(pain_trend(baseline, lower)) <= order.index(pain_trend(baseline, higher))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(3, 5).flatmap(lambda n: st.tuples(*[st.lists(scores, min_size=n, max_size=n)] * 2))
)
def test_psfs_change_is_symmetric(pair: tuple[list[int], list[int]]) -> None:
    a = PsfsEntry(on=START, ratings=tuple(pair[0]))
    b = PsfsEntry(on=START, ratings=tuple(pair[1]))
    assert 0.0 <= psfs_score(a) <= 10.0
    mirror = {
        Trend.IMPROVED: Trend.WORSE,
        Trend.WORSE: Trend.IMPROVED,
        Trend.UNCHANGED: Trend.UNCHANGED,
    }
    assert psfs_change(b, a) is mirror[psfs_change(a, b)]
    n = len(pair[0])
    change = Fraction(sum(pair[1]), n) - Fraction(sum(pair[0]), n)
    assert (psfs_change(a, b) is Trend.IMPROVED) is (change >= 2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(SessionEntry, on=on_or_before(20), completion=st.sampled_from(Completion)),
        max_size=40,
    )
)
def test_streak_counts_only_logged_days_in_a_row(sessions: list[SessionEntry]) -> None:
    today = START + timedelta(days=20)
    days = {s.on for s in sessions if s.completion in LOGGED}
    count = streak(sessions, today)
    assert 0 <= count <= len(days)
    if count:
        last = today if today in days else today - timedelta(days=1)
        assert all(last - timedelta(days=n) in days for n in range(count))
        assert last - timedelta(days=count) not in days
    else:
        assert today not in days and today - timedelta(days=1) not in days
