"""The programs app's models: the exercise library, programs and their versions, logs, alerts."""

from .alerts import ExerciseReminder, ProgramAlert
from .library import (
    DOSE_FIELDS,
    STANDARD_PRECAUTION,
    BodyRegion,
    Dose,
    Equipment,
    Exercise,
    ExerciseCategory,
    ExerciseStep,
)
from .logs import (
    Completion,
    ExerciseLog,
    PainScore,
    PsfsActivity,
    PsfsCheckin,
    PsfsRating,
    SessionLog,
    SymptomReport,
)
from .programs import (
    MAX_ITEMS,
    MAX_SESSIONS_PER_WEEK,
    OPEN_STATUSES,
    ExerciseProgram,
    ProgramItem,
    ProgramStatus,
    ProgramTemplate,
    ProgramTemplateItem,
    ProgramVersion,
)

__all__ = [
    "DOSE_FIELDS",
    "MAX_ITEMS",
    "MAX_SESSIONS_PER_WEEK",
    "OPEN_STATUSES",
    "STANDARD_PRECAUTION",
    "BodyRegion",
    "Completion",
    "Dose",
    "Equipment",
    "Exercise",
    "ExerciseCategory",
    "ExerciseLog",
    "ExerciseProgram",
    "ExerciseReminder",
    "ExerciseStep",
    "PainScore",
    "ProgramAlert",
    "ProgramItem",
    "ProgramStatus",
    "ProgramTemplate",
    "ProgramTemplateItem",
    "ProgramVersion",
    "PsfsActivity",
    "PsfsCheckin",
    "PsfsRating",
    "SessionLog",
    "SymptomReport",
]
