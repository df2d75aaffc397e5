"""The patient-facing texts of the escalation alerts: one for every key the rules use, modest,
and the emergency advice worded as on the booking flow's emergency page."""

from __future__ import annotations

from pathlib import Path

import pytest

from stride.programs import messages, rules


def rule_keys() -> set[str]:
    return {value.message_key for value in vars(rules).values() if isinstance(value, rules._Action)}


def test_every_rule_has_a_message() -> None:
    keys = rule_keys()
    assert len(keys) == 7
    assert keys == set(messages.MESSAGES)


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_each_message_has_a_title_a_body_and_leaves_decisions_to_professionals(key: str) -> None:
    message = messages.message_for(key)
    assert message.title and message.body
    text = " ".join(message.body).lower()
    assert "therapist" in text or "doctor" in text
    for claim in ("will cure", "guarantee", "definitely", "you have cauda equina"):
        assert claim not in text


def test_an_unknown_key_gets_a_neutral_note() -> None:
    message = messages.message_for("escalation.something_new")
    assert message is messages.FALLBACK
    assert "therapist" in message.body[0]


def test_the_emergency_message_repeats_the_booking_flows_advice() -> None:
    page = Path(__file__).resolve().parents[2] / (
        "scheduling/templates/scheduling/book_emergency.html"
    )
    booking = page.read_text()
    emergency = messages.message_for(messages.EMERGENCY_KEY)
    assert messages.EMERGENCY_CALL in booking
    assert emergency.body[0] == messages.EMERGENCY_CALL
    assert "Please do not wait for a physical therapy appointment." in booking
    assert "Please do not wait for a physical therapy appointment." in emergency.body[1]
    assert "paused" in emergency.body[2]
    assert emergency.tone == messages.Tone.DANGER


def test_only_urgent_and_emergency_red_flags_send_to_a_doctor() -> None:
    assert "doctor today" in " ".join(messages.message_for("escalation.red_flag.urgent").body)
    for key in ("escalation.not_improving", "escalation.low_adherence.nudge"):
        assert "doctor" not in " ".join(messages.message_for(key).body)
