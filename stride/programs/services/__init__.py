"""Writes of the programs app: the library, programs and versions, logs, escalation, reminders."""

from .library import exercise_save, exercise_steps_set

__all__ = ["exercise_save", "exercise_steps_set"]
