"""Passwords: Argon2, the validators (12 to 128 characters), and the change page."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from config.settings import base
from stride.accounts.models import User
from stride.accounts.validators import MaximumLengthValidator

OLD_PASSWORD = "correct-horse-battery-staple"  # the factories' password
PASSPHRASE_64 = "pelican lighthouse marmalade quietly 64 tangerine orbit sandcastle"[:64]
PASSPHRASE_128 = (PASSPHRASE_64 + " " + "juniper velvet harbour cobalt meadow lantern " * 2)[:128]


def _codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {error.code or "" for error in exc.error_list}
    return set()


def test_argon2_hashes_new_passwords_outside_the_test_suite():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("a long enough passphrase", "saltsaltsalt")
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("a long enough passphrase", encoded)


def test_passphrase_lengths_are_exactly_what_the_suite_tests():
    assert len(PASSPHRASE_64) == 64
    assert len(PASSPHRASE_128) == 128


@pytest.mark.django_db
def test_validators_refuse_short_common_and_user_like_passwords(staff):
    assert "password_too_short" in _codes("Tr0ub4dor&3")  # 11 characters
    assert _codes("Tr0ub4dor&3x") == set()  # 12
    assert "password_too_common" in _codes("password1234")
    assert "password_too_similar" in _codes("desk@stridept.example", staff)


@pytest.mark.django_db
def test_validators_accept_passphrases_of_64_and_128_characters_and_refuse_129(staff):
    assert _codes(PASSPHRASE_64, staff) == set()
    assert _codes(PASSPHRASE_128, staff) == set()
    assert _codes(PASSPHRASE_128 + "x", staff) == {"password_too_long"}


def test_maximum_length_validator_explains_its_bound():
    validator = MaximumLengthValidator(max_length=128)
    assert "128" in validator.get_help_text()
    with pytest.raises(ValidationError) as exc:
        validator.validate("x" * 129)
    assert exc.value.error_list[0].code == "password_too_long"


@pytest.mark.django_db
def test_password_change_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=/accounts/password/")


@pytest.mark.django_db
@pytest.mark.parametrize("new_password", [PASSPHRASE_64, PASSPHRASE_128])
def test_password_change_accepts_long_passphrases(client, staff, new_password):
    client.force_login(staff)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": OLD_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    staff.refresh_from_db()
    assert staff.check_password(new_password)
    assert client.get("/accounts/password/done/").status_code == 200


@pytest.mark.django_db
def test_password_change_refuses_a_wrong_current_password_or_a_short_new_one(client, staff):
    client.force_login(staff)
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "not it", "new_password1": PASSPHRASE_64, "new_password2": PASSPHRASE_64},
    )
    assert wrong_old.status_code == 200
    assert b"error-summary" in wrong_old.content
    too_short = client.post(
        "/accounts/password/",
        {"old_password": OLD_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert too_short.status_code == 200
    assert b"at least 12 characters" in too_short.content
    staff.refresh_from_db()
    assert staff.check_password(OLD_PASSWORD)


@pytest.mark.django_db
def test_password_change_ends_the_users_other_sessions_and_keeps_this_one(client, staff):
    elsewhere = Client()
    elsewhere.force_login(staff)
    assert elsewhere.get("/accounts/password/").status_code == 200
    client.force_login(staff)
    client.post(
        "/accounts/password/",
        {
            "old_password": OLD_PASSWORD,
            "new_password1": PASSPHRASE_64,
            "new_password2": PASSPHRASE_64,
        },
    )
    assert client.get("/accounts/password/").status_code == 200
    signed_out = elsewhere.get("/accounts/password/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/accounts/sign-in/")


@pytest.mark.django_db
def test_password_change_posts_are_rate_limited_per_ip(client, staff, settings):
    settings.STRIDE_RATE_LIMIT_LOGIN = "2/600"
    client.force_login(staff)
    data = {"old_password": "guess", "new_password1": "x", "new_password2": "x"}
    assert [client.post("/accounts/password/", data).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
