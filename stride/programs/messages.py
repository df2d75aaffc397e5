"""What Stride tells a patient about an escalation alert: one title and body per message key.

The keys are ``rules.Alert.patient_message_key`` (stored as ``ProgramAlert.message_key``). The
wording follows CLINICAL.md: modest claims, and the decision always left to the patient's
therapist or doctor. The emergency text repeats the booking flow's emergency page
(scheduling/book_emergency.html), so a patient reads the same advice wherever they meet it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Tone(enum.StrEnum):
    """How a message looks: ``danger`` and ``warning`` notices, or a plain ``info`` one."""

    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class PatientMessage:
    title: str
    body: tuple[str, ...]
    tone: Tone


EMERGENCY_KEY = "escalation.red_flag.emergency"

# CLINICAL.md §1 "Emergency": the booking flow's wording (book_emergency.html).
EMERGENCY_CALL = "Go to the nearest emergency department or call 911 now."
EMERGENCY_WHY = (
    "The signs you reported can mean a serious problem that needs a doctor straight away. "
    "Please do not wait for a physical therapy appointment."
)

MESSAGES: dict[str, PatientMessage] = {
    EMERGENCY_KEY: PatientMessage(
        title="Please get emergency care now",
        body=(
            EMERGENCY_CALL,
            EMERGENCY_WHY,
            "Your exercise program is paused: please do not do your exercises until your "
            "therapist has spoken with you. We have let your therapist know.",
        ),
        tone=Tone.DANGER,
    ),
    # CLINICAL.md §1 "Urgent": a doctor today; booking stays possible.
    "escalation.red_flag.urgent": PatientMessage(
        title="Please see a doctor today",
        body=(
            "Some of the signs you reported can mean a problem that needs a doctor's attention. "
            "Please see a doctor today or call your urgent-care line.",
            "We have let your therapist know. Once you have seen a doctor, you can book a "
            "follow-up to talk it through with your therapist.",
        ),
        tone=Tone.DANGER,
    ),
    # CLINICAL.md §5 "Getting worse".
    "escalation.getting_worse.pain_rising": PatientMessage(
        title="Your pain has gone up",
        body=(
            "Your last pain ratings are higher than when you started. That can happen, but it "
            "is worth talking to your therapist soon. We have let them know.",
            "Until then, do only the exercises that do not make your pain worse.",
        ),
        tone=Tone.WARNING,
    ),
    "escalation.getting_worse.exercise_pain": PatientMessage(
        title="Your exercises were painful",
        body=(
            "You rated your pain during exercise as 7 or more. Exercises should not cause "
            "strong pain, so please talk to your therapist soon. We have let them know.",
            "Until then, stop any exercise that causes sharp or increasing pain.",
        ),
        tone=Tone.WARNING,
    ),
    # CLINICAL.md §5 "Not improving".
    "escalation.not_improving": PatientMessage(
        title="Time to check in with your therapist",
        body=(
            "You have kept up your exercises, but your pain has not eased much yet. Your "
            "therapist may want to adjust your program, so a follow-up visit could help. "
            "We have let them know.",
        ),
        tone=Tone.INFO,
    ),
    # CLINICAL.md §5 "Low adherence": a nudge, no booking.
    "escalation.low_adherence.nudge": PatientMessage(
        title="A little often helps",
        body=(
            "You have logged fewer sessions than planned lately. Even a short session counts. "
            "If something makes the exercises hard to fit in or hard to do, tell your "
            "therapist: they can make the program fit you better.",
        ),
        tone=Tone.INFO,
    ),
    "escalation.low_adherence.therapist_told": PatientMessage(
        title="Your therapist may get in touch",
        body=(
            "You have logged fewer sessions than planned for a couple of weeks, so we have let "
            "your therapist know. They may contact you to see how to make the program easier "
            "to keep up.",
        ),
        tone=Tone.INFO,
    ),
}

FALLBACK = PatientMessage(
    title="A note about your program",
    body=("Please talk to your therapist about how your exercises are going.",),
    tone=Tone.INFO,
)


def message_for(key: str) -> PatientMessage:
    """Return the patient-facing text of alert message ``key``; a neutral note if unknown."""
    return MESSAGES.get(key, FALLBACK)
