"""Sessions: a new key at sign-in, gone at sign-out, ended for deactivated users and idle staff."""

from __future__ import annotations

import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.test import Client

from config.settings import base
from stride.accounts.middleware import LAST_SEEN_SESSION_KEY
from stride.accounts.tests.conftest import settings_in_subprocess

PASSWORD = "correct-horse-battery-staple"  # the factories' password
STAFF_PAGE = "/staff/time-off/"
SessionStore = import_module(django_settings.SESSION_ENGINE).SessionStore


def _session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _idle_for(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time() - minutes * 60)
    session.save()


@pytest.mark.django_db
def test_signing_in_moves_the_session_to_a_new_key(client, staff):
    session = client.session
    session["planted"] = "before sign-in"
    session.save()
    before = _session_key(client)
    response = client.post("/accounts/sign-in/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    after = _session_key(client)
    assert after != before
    assert not SessionStore().exists(before)
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_signing_out_deletes_the_session(client, staff):
    client.post("/accounts/sign-in/", {"username": staff.email, "password": PASSWORD})
    key = _session_key(client)
    assert SessionStore().exists(key)
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert not SessionStore().exists(key)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_deactivated_users_sessions_stop_working_at_the_next_request(client, staff):
    client.force_login(staff)
    assert client.get(STAFF_PAGE).status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


@pytest.mark.django_db
def test_staff_are_signed_out_after_thirty_idle_minutes(client, staff, settings):
    assert settings.STRIDE_STAFF_IDLE_MINUTES == 30
    client.force_login(staff)
    assert client.get(STAFF_PAGE).status_code == 200
    assert LAST_SEEN_SESSION_KEY in client.session
    _idle_for(client, 31)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    page = client.get(response["Location"])
    assert b"signed out after 30 minutes without activity" in page.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_activity_within_the_idle_limit_keeps_them_signed_in(client, staff):
    client.force_login(staff)
    client.get(STAFF_PAGE)
    _idle_for(client, 29)
    assert client.get(STAFF_PAGE).status_code == 200
    # The request counted as activity: the clock starts again.
    assert client.session[LAST_SEEN_SESSION_KEY] >= int(time.time()) - 5


@pytest.mark.django_db
def test_staff_idle_limit_follows_the_setting(client, staff, settings):
    settings.STRIDE_STAFF_IDLE_MINUTES = 5
    client.force_login(staff)
    client.get(STAFF_PAGE)
    _idle_for(client, 6)
    assert client.get(STAFF_PAGE).status_code == 302


@pytest.mark.django_db
def test_patients_are_not_signed_out_when_idle(client, patient):
    client.force_login(patient)
    client.get("/")
    assert LAST_SEEN_SESSION_KEY not in client.session
    _idle_for(client, 24 * 60)
    client.get("/")
    assert client.session["_auth_user_id"] == str(patient.pk)


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_same_site_lax(client, staff):
    response = client.post("/accounts/sign-in/", {"username": staff.email, "password": PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert base.SESSION_COOKIE_HTTPONLY is True
    assert base.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_session_cookie_is_secure_and_host_only(tmp_path):
    result = settings_in_subprocess(
        tmp_path,
        "(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_NAME, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE)",
        module="config.settings.production",
    )
    assert result.stdout.strip() == "(True, '__Host-sessionid', True, 'Lax')", result.stderr


@pytest.mark.django_db
def test_requests_without_a_session_cookie_leave_the_session_unread(client):
    # Reading the session would add "Vary: Cookie" and spoil caching of feeds and pages.
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
