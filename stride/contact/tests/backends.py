"""Mail backends for tests: one that always fails, as an unreachable SMTP server would."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowEmailBackend(locmem.EmailBackend):
    """The in-memory backend with an SMTP-like delay, to widen race windows in tests."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        time.sleep(0.05)
        return super().send_messages(messages)
