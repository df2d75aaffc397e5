"""A staff member's API token is never a way around their second factor.

It is made only with a current authenticator code, expires after STRIDE_STAFF_API_TOKEN_DAYS,
and stops working when the account's authenticator is removed (``staff_2fa_reset`` revokes it).
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from stride.accounts.models import Role, User
from stride.accounts.services import recovery_codes_replace, two_factor_reset
from stride.api.auth import api_token_create, api_token_user
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STRIDE_STAFF_2FA = True
    settings.STRIDE_STAFF_API_TOKEN_DAYS = 30


@pytest.fixture
def staff() -> User:
    return StaffUserFactory.create(role=Role.FRONT_DESK, email="desk@stridept.example")


@pytest.fixture
def authenticator(staff: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True)


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def fhir(token: str):
    return Client().get("/fhir/Appointment", headers={"Authorization": f"Bearer {token}"})


def test_a_staff_token_without_a_code_is_refused(staff, authenticator):
    with pytest.raises(ValidationError) as refused:
        api_token_create(user=staff)
    assert "otp" in refused.value.message_dict


def test_a_staff_token_with_a_wrong_code_is_refused(staff, authenticator):
    wrong = "000000" if code(authenticator) != "000000" else "111111"
    with pytest.raises(ValidationError) as refused:
        api_token_create(user=staff, otp_code=wrong)
    assert "otp" in refused.value.message_dict


def test_staff_without_an_authenticator_get_no_token(staff):
    with pytest.raises(ValidationError, match="Set up two-factor"):
        api_token_create(user=staff, otp_code="123456")


def test_a_current_code_makes_a_token_that_expires(staff, authenticator):
    before = timezone.now()
    row, token = api_token_create(user=staff, otp_code=code(authenticator))
    assert row.expires_at is not None
    assert before + dt.timedelta(days=30) <= row.expires_at <= timezone.now() + dt.timedelta(30)
    assert fhir(token).status_code == 200
    assert api_token_user(token=token, now=row.expires_at - dt.timedelta(seconds=1)) == staff
    assert api_token_user(token=token, now=row.expires_at) is None


def test_a_code_used_for_a_token_cannot_be_used_again(staff, authenticator):
    current = code(authenticator)
    api_token_create(user=staff, otp_code=current)
    with pytest.raises(ValidationError):
        api_token_create(user=staff, otp_code=current)


def test_a_recovery_code_works_once_for_a_token(staff, authenticator):
    recovery = recovery_codes_replace(user=staff)[0]
    api_token_create(user=staff, otp_code=recovery)
    with pytest.raises(ValidationError):
        api_token_create(user=staff, otp_code=recovery)


def test_resetting_two_factor_revokes_the_staffs_tokens(staff, authenticator):
    row, token = api_token_create(user=staff, otp_code=code(authenticator))
    two_factor_reset(user=staff)
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert fhir(token).status_code == 401


def test_a_staff_token_stops_when_the_authenticator_is_deleted(staff, authenticator):
    _, token = api_token_create(user=staff, otp_code=code(authenticator))
    authenticator.delete()  # e.g. in the admin, without staff_2fa_reset
    assert api_token_user(token=token) is None
    assert fhir(token).status_code == 401


def test_patient_tokens_need_no_code_and_do_not_expire():
    row, token = api_token_create(user=UserFactory.create())
    assert row.expires_at is None
    assert api_token_user(token=token, now=timezone.now() + dt.timedelta(days=3650)) is not None


def test_with_two_factor_off_staff_tokens_still_expire(settings, staff):
    settings.STRIDE_STAFF_2FA = False
    row, token = api_token_create(user=staff)
    assert row.expires_at is not None
    assert api_token_user(token=token) == staff


def test_the_command_takes_the_code_and_prints_the_expiry(staff, authenticator):
    with pytest.raises(CommandError, match="authenticator"):
        call_command("api_token_create", staff.email, stdout=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token_create", staff.email, "--otp", code(authenticator), stdout=out, stderr=err
    )
    assert api_token_user(token=out.getvalue().strip()) == staff
    assert "expires" in err.getvalue()
