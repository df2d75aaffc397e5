"""Sign-in lockout (django-axes) by email and client IP, answered with the 429 page."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client

from config.settings import base
from stride.accounts.lockout import NOT_AN_EMAIL
from stride.accounts.tests.conftest import settings_in_subprocess
from stride.scheduling.tests.factories import StaffUserFactory

PASSWORD = "correct-horse-battery-staple"  # the factories' password
WRONG = "not-the-password"
SIGN_IN = "/accounts/sign-in/"
FAILURE_TEXT = b"Your email and password didn't match"


def _sign_in(client: Client, email: str, password: str, ip: str, path: str = SIGN_IN):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail(client: Client, email: str, ip: str, times: int) -> list[int]:
    return [_sign_in(client, email, WRONG, ip).status_code for _ in range(times)]


def test_axes_is_set_up_as_the_first_backend_and_last_middleware():
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert base.AXES_RESET_ON_SUCCESS is True


def test_lockout_settings_come_from_the_environment(tmp_path):
    expression = (
        "(settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT, "
        "settings.AXES_COOLOFF_TIME.total_seconds())"
    )
    defaults = settings_in_subprocess(tmp_path, expression, module="config.settings.base")
    assert defaults.stdout.strip() == "(True, 5, 900.0)", defaults.stderr
    custom = settings_in_subprocess(
        tmp_path,
        expression,
        module="config.settings.base",
        STRIDE_LOGIN_FAILURE_LIMIT="8",
        STRIDE_LOGIN_COOLOFF_MINUTES="30",
        STRIDE_RATE_LIMITS="off",
    )
    assert custom.stdout.strip() == "(False, 8, 1800.0)", custom.stderr


@pytest.mark.django_db
def test_fifth_wrong_password_locks_out_that_email_from_that_ip_with_429(client, staff):
    before = [_sign_in(client, staff.email, WRONG, "10.2.0.1") for _ in range(4)]
    assert [response.status_code for response in before] == [200] * 4
    assert all(FAILURE_TEXT in response.content for response in before)
    locked = _sign_in(client, staff.email, WRONG, "10.2.0.1")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert b"Too many requests" in locked.content
    # Even the right password is refused until the cool-off ends.
    assert _sign_in(client, staff.email, PASSWORD, "10.2.0.1").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_looks_the_same_for_unknown_and_known_emails(staff):
    known, unknown = Client(), Client()
    known_statuses = _fail(known, staff.email, "10.2.1.1", 5)
    unknown_statuses = _fail(unknown, "nobody@stridept.example", "10.2.1.2", 5)
    assert known_statuses == unknown_statuses == [200, 200, 200, 200, 429]
    known_page = _sign_in(known, staff.email, WRONG, "10.2.1.1")
    unknown_page = _sign_in(unknown, "nobody@stridept.example", WRONG, "10.2.1.2")
    assert known_page.status_code == unknown_page.status_code == 429
    assert known_page.content == unknown_page.content
    assert known_page["Retry-After"] == unknown_page["Retry-After"]


@pytest.mark.django_db
def test_lockout_holds_only_for_that_email_and_ip_pair(client, staff):
    other = StaffUserFactory.create(email="maya@stridept.example")
    _fail(client, staff.email, "10.2.2.1", 5)
    assert _sign_in(client, staff.email, PASSWORD, "10.2.2.1").status_code == 429
    # The same person from another network, and a colleague on the same network, sign in.
    assert _sign_in(Client(), staff.email, PASSWORD, "10.2.2.2").status_code == 302
    assert _sign_in(Client(), other.email, PASSWORD, "10.2.2.1").status_code == 302


@pytest.mark.django_db
def test_changing_the_case_of_the_email_does_not_dodge_the_lockout(client, staff):
    spellings = ["desk@stridept.example", "DESK@stridept.example", " Desk@StridePT.example "]
    statuses = [_sign_in(client, spellings[i % 3], WRONG, "10.2.3.1").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_a_correct_password_resets_the_count(client, staff):
    assert _fail(client, staff.email, "10.2.4.1", 4) == [200] * 4
    assert _sign_in(client, staff.email, PASSWORD, "10.2.4.1").status_code == 302
    client.post("/accounts/sign-out/")
    assert _fail(client, staff.email, "10.2.4.1", 4) == [200] * 4


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, staff):
    _fail(client, staff.email, "10.2.5.1", 5)
    assert _sign_in(client, staff.email, PASSWORD, "10.2.5.1").status_code == 429
    # Axes stamps attempts with the real clock; move them 16 minutes into the past.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=16)
        attempt.save(update_fields=["attempt_time"])
    assert _sign_in(client, staff.email, PASSWORD, "10.2.5.1").status_code == 302


@pytest.mark.django_db
def test_admin_sign_in_is_locked_out_too(client, staff):
    statuses = [
        _sign_in(client, staff.email, WRONG, "10.2.6.1", path="/admin/login/").status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert _sign_in(client, staff.email, WRONG, "10.2.6.1").status_code == 429


@pytest.mark.django_db
def test_failure_limit_follows_the_setting(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert _fail(client, staff.email, "10.2.7.1", 2) == [200, 429]


@pytest.mark.django_db
def test_lockout_off_lets_every_attempt_through_to_the_password_check(client, staff, settings):
    settings.AXES_ENABLED = False
    assert _fail(client, staff.email, "10.2.8.1", 6) == [200] * 6
    assert _sign_in(client, staff.email, PASSWORD, "10.2.8.1").status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_ip_rate_limit_still_applies_before_the_lockout(client, staff, settings):
    settings.STRIDE_RATE_LIMIT_LOGIN = "3/600"
    emails = [f"person{n}@example.com" for n in range(4)]
    statuses = [_sign_in(client, email, WRONG, "10.2.9.1").status_code for email in emails]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_a_password_typed_into_the_email_box_is_not_stored(client):
    _sign_in(client, "hunter2 my secret", WRONG, "10.2.10.1")
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == NOT_AN_EMAIL
    assert attempt.ip_address == "10.2.10.1"
    stored = f"{attempt.username} {attempt.get_data} {attempt.post_data}"
    assert "hunter2" not in stored
    assert WRONG not in stored
