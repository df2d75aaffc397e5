"""Mail backends for tests: a mail server that is down, one that refuses connections, a slow one.

Switch with ``settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.SMTPDownBackend"``
(or ``override_settings``); the outbox takes a new connection for every attempt.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend

HERE = "stride.core.tests.mail_backends"


class SMTPDownBackend(BaseEmailBackend):
    """The SMTP server answers with an error."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPException("451 4.3.0 Mail server temporarily unavailable")


class RefusingBackend(BaseEmailBackend):
    """Nothing listens on the SMTP port."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class SlowBackend(locmem.EmailBackend):
    """The in-memory backend with an SMTP-like delay, to widen race windows."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        time.sleep(0.05)
        return super().send_messages(messages)
