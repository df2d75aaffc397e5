"""Password reset by email: same answer for every address, one-hour single-use links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from config.settings import base
from stride.scheduling.tests.factories import UserFactory

NEW_PASSWORD = "a brand new passphrase for the clinic"
SITE = "https://clinic.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def _request_reset(client: Client, email: str, ip: str = "10.1.0.1"):
    return client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def _reset_path(email) -> str:
    match = re.search(re.escape(SITE) + r"(/accounts/reset/[^/\s]+/[^/\s]+/)", email.body)
    assert match is not None, email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert match.group(0) in html
    return match.group(1)


def _set_password(client: Client, path: str, password: str = NEW_PASSWORD):
    opened = client.get(path)
    assert opened.status_code == 302  # Django moves the token out of the URL first
    form_path = opened["Location"]
    return form_path, client.post(form_path, {"new_password1": password, "new_password2": password})


def test_reset_links_last_one_hour():
    assert base.PASSWORD_RESET_TIMEOUT == 3600


@pytest.mark.django_db
def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, staff):
    known = _request_reset(client, "DESK@stridept.example", ip="10.1.0.1")
    assert len(mail.outbox) == 1
    unknown = _request_reset(client, "nobody@stridept.example", ip="10.1.0.2")
    assert len(mail.outbox) == 1  # nothing more was sent
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    assert known["Location"] == "/accounts/password-reset/sent/"
    page = client.get(known["Location"])
    assert page.status_code == 200
    assert b"If that address belongs to an account with a password" in page.content


@pytest.mark.django_db
def test_patients_without_a_password_and_inactive_accounts_get_no_email(client):
    UserFactory.create(email="linkonly@example.com", password=None)
    UserFactory.create(email="gone@example.com", is_active=False)
    for email in ("linkonly@example.com", "gone@example.com"):
        response = _request_reset(client, email)
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_email_links_to_site_url_whatever_the_host_header(client, staff):
    client.post(
        "/accounts/password-reset/",
        {"email": staff.email},
        HTTP_HOST="localhost",
        REMOTE_ADDR="10.1.0.3",
    )
    (email,) = mail.outbox
    assert email.to == [staff.email]
    assert email.subject == "Reset your password"
    assert "within 60 minutes" in email.body
    assert "localhost" not in email.body
    assert _reset_path(email).startswith("/accounts/reset/")


@pytest.mark.django_db
def test_reset_link_sets_a_new_password_once(client, staff):
    _request_reset(client, staff.email)
    path = _reset_path(mail.outbox[0])
    form_path, done = _set_password(client, path)
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert client.get("/accounts/reset/done/").status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)

    # The same link, opened again in a fresh browser, is refused ...
    again = Client().get(path, follow=True)
    assert b"expired or was already used" in again.content
    assert b"new_password1" not in again.content
    # ... and so is posting again from the first browser.
    reused = client.post(
        form_path, {"new_password1": "yet another passphrase!", "new_password2": "x"}
    )
    assert b"expired or was already used" in reused.content
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_reset_link_refuses_weak_passwords(client, staff):
    _request_reset(client, staff.email)
    _, response = _set_password(client, _reset_path(mail.outbox[0]), password="password1234")
    assert response.status_code == 200
    assert b"This password is too common" in response.content


@pytest.mark.django_db
def test_reset_link_expires_after_an_hour(client, staff, monkeypatch):
    _request_reset(client, staff.email)
    path = _reset_path(mail.outbox[0])
    later = dt.datetime.now() + dt.timedelta(minutes=61)  # noqa: DTZ005 (Django's tokens use naive local time)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    response = client.get(path, follow=True)
    assert b"expired or was already used" in response.content


@pytest.mark.django_db
def test_password_reset_ends_every_session_of_the_user(client, staff):
    elsewhere = Client()
    elsewhere.force_login(staff)
    assert elsewhere.get("/accounts/password/").status_code == 200
    _request_reset(client, staff.email)
    _set_password(client, _reset_path(mail.outbox[0]))
    assert elsewhere.get("/accounts/password/").status_code == 302


@pytest.mark.django_db
def test_reset_requests_are_rate_limited_per_ip(client, staff, settings):
    assert settings.STRIDE_RATE_LIMIT_PASSWORD_RESET == "5/900"
    statuses = [_request_reset(client, staff.email).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5
    # Another IP is counted on its own.
    assert _request_reset(client, staff.email, ip="10.1.9.9").status_code == 302


@pytest.mark.django_db
def test_rate_limits_off_lets_reset_requests_through(client, staff, settings):
    settings.STRIDE_RATE_LIMITS = False
    statuses = [_request_reset(client, "nobody@example.com").status_code for _ in range(7)]
    assert statuses == [302] * 7


@pytest.mark.django_db
def test_reset_form_asks_again_for_a_malformed_address(client):
    response = _request_reset(client, "not-an-address")
    assert response.status_code == 200
    assert b"Enter an email address like name@example.com." in response.content
    assert mail.outbox == []
