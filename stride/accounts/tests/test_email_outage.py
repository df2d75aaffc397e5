"""Sign-in links and password resets while the mail server is down: the visitor sees the usual
page, the email waits in the outbox and is delivered by the retry within the link's lifetime,
never after it; its stored copy (a working link) is erased once sent or expired."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from stride.accounts.models import SignInLink, User
from stride.core.models import OutgoingEmail
from stride.core.outbox import SendResult, emails_expire, emails_send_due
from stride.core.tests.mail_backends import HERE as BACKENDS

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example.org"
DOWN = f"{BACKENDS}.SMTPDownBackend"
REFUSING = f"{BACKENDS}.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


def link_request(client: Client, email: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/accounts/sign-in/email/", {"email": email})


def reset_request(client: Client, email: str) -> Any:
    return client.post("/accounts/password-reset/", {"email": email})


def path_in(body: Any, pattern: str) -> str:
    match = re.search(re.escape(SITE) + pattern, str(body))
    assert match is not None, body
    return match.group(1)


def pending_secret() -> OutgoingEmail:
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.secret) == ("pending", 1, True)
    return email


@pytest.mark.parametrize("backend", [DOWN, REFUSING])
def test_a_sign_in_link_asked_for_during_an_outage_arrives_within_its_lifetime(
    backend: str, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    with override_settings(EMAIL_BACKEND=LOCMEM):
        usual = link_request(
            Client(), "someone.else@example.com", django_capture_on_commit_callbacks
        )
    with override_settings(EMAIL_BACKEND=backend):
        response = link_request(Client(), patient.email, django_capture_on_commit_callbacks)

    assert (response.status_code, response["Location"]) == (usual.status_code, usual["Location"])
    assert response["Location"] == "/accounts/sign-in/email/sent/"
    email = pending_secret()
    link = SignInLink.objects.get(user=patient)
    assert (email.kind, email.expires_at) == ("accounts.sign_in", link.expires_at)
    assert mail.outbox == []

    with override_settings(EMAIL_BACKEND=LOCMEM):
        later = timezone.now() + dt.timedelta(minutes=5)
        assert emails_send_due(now=later) == {SendResult.SENT: 1}
        assert emails_send_due(now=later + dt.timedelta(minutes=20)) == {}
    (sent,) = mail.outbox
    assert sent.to == [patient.email]
    email.refresh_from_db()
    assert (email.status, email.body, email.alternatives) == ("sent", "", [])

    browser = Client()
    opened = browser.get(path_in(sent.body, r"(/accounts/link/\d+/[\w-]+/)"))
    assert opened.status_code == 302
    signed_in = browser.post(opened["Location"])
    assert (signed_in.status_code, signed_in["Location"]) == (303, "/my/")


def test_a_sign_in_link_is_never_sent_after_it_expires(
    patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    with override_settings(EMAIL_BACKEND=DOWN):
        link_request(Client(), patient.email, django_capture_on_commit_callbacks)
    email = pending_secret()
    link = SignInLink.objects.get(user=patient)
    assert abs(link.expires_at - email.created_at - dt.timedelta(minutes=30)) < dt.timedelta(
        seconds=5
    )

    with override_settings(EMAIL_BACKEND=LOCMEM):
        after = link.expires_at + dt.timedelta(seconds=1)
        assert emails_send_due(now=after) == {}
        assert emails_expire(now=after) == 1
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.body, email.alternatives) == ("expired", "", [])
    assert str(link.pk) not in email.subject


def test_an_invitation_waits_as_long_as_its_seven_day_link(
    patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    from stride.accounts.services import patient_invite

    with override_settings(EMAIL_BACKEND=DOWN), django_capture_on_commit_callbacks(execute=True):
        patient_invite(user=patient, subject="A new program", intro="Your program is ready.")
    email = pending_secret()
    assert email.kind == "accounts.invitation"
    assert email.expires_at == SignInLink.objects.get(user=patient).expires_at
    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert emails_send_due(now=timezone.now() + dt.timedelta(days=2)) == {SendResult.SENT: 1}
    assert "Your program is ready." in mail.outbox[0].body


@pytest.mark.parametrize("backend", [DOWN, REFUSING])
def test_a_password_reset_during_an_outage_shows_the_usual_page_and_arrives_later(
    backend: str, staff: User
) -> None:
    with override_settings(EMAIL_BACKEND=LOCMEM):
        usual = reset_request(Client(), "nobody@stridept.example")
    with override_settings(EMAIL_BACKEND=backend):
        response = reset_request(Client(), staff.email)

    assert (response.status_code, response["Location"]) == (usual.status_code, usual["Location"])
    assert response["Location"] == "/accounts/password-reset/sent/"
    email = pending_secret()
    assert email.kind == "accounts.password_reset"
    assert email.expires_at is not None
    assert abs(email.expires_at - email.created_at - dt.timedelta(hours=1)) < dt.timedelta(
        seconds=5
    )
    assert mail.outbox == []

    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert emails_send_due(now=timezone.now() + dt.timedelta(minutes=6)) == {SendResult.SENT: 1}
    (sent,) = mail.outbox
    assert sent.to == [staff.email] and sent.subject == "Reset your password"
    email.refresh_from_db()
    assert (email.status, email.body) == ("sent", "")

    browser = Client()
    opened = browser.get(path_in(sent.body, r"(/accounts/reset/[^/\s]+/[^/\s]+/)"))
    password = "a brand new passphrase for the clinic"
    done = browser.post(opened["Location"], {"new_password1": password, "new_password2": password})
    assert done["Location"] == "/accounts/reset/done/"
    staff.refresh_from_db()
    assert staff.check_password(password)


def test_a_password_reset_is_never_sent_after_its_hour(staff: User) -> None:
    with override_settings(EMAIL_BACKEND=DOWN):
        reset_request(Client(), staff.email)
    email = pending_secret()
    assert email.expires_at is not None
    after = email.expires_at + dt.timedelta(seconds=1)

    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert emails_send_due(now=after) == {}
        assert emails_expire(now=after) == 1
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.body, email.alternatives) == ("expired", "", [])
