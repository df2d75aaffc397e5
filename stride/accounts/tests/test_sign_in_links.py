"""Sign-in links: creation, single-use redemption, expiry, and the emails that carry them."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

import pytest
from django.core import mail

from stride.accounts.models import (
    INVITATION_LINK_LIFETIME,
    SIGN_IN_LINK_LIFETIME,
    Role,
    SignInLink,
    User,
)
from stride.accounts.services import (
    SignInLinkInvalid,
    patient_invite,
    sign_in_link_create,
    sign_in_link_redeem,
    sign_in_link_request,
    sign_in_link_url,
)
from stride.accounts.tests.conftest import NOW, Clock, link_path_in
from stride.scheduling.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVITE_INTRO = "Your therapist has prepared a new home exercise program for you."
# Words an email about signing in has no business carrying.
CLINICAL_WORDS = (
    "diagnos",
    "pain",
    "injur",
    "treatment",
    "symptom",
    "knee",
    "shoulder",
    "sciatica",
    "exercise",
    "program",
    "appointment",
    "therapist",
)


def clinical_words_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in CLINICAL_WORDS if word in lowered]


def test_create_stores_only_the_token_hash(patient: User) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    link.refresh_from_db()
    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(link).values()}
    assert link.used_at is None
    assert link.created_at == NOW


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [
        (SignInLink.Purpose.SIGN_IN, dt.timedelta(minutes=30)),
        (SignInLink.Purpose.INVITATION, dt.timedelta(days=7)),
    ],
)
def test_links_live_thirty_minutes_and_invitations_seven_days(
    patient: User, purpose: str, lifetime: dt.timedelta
) -> None:
    link, _ = sign_in_link_create(user=patient, purpose=purpose)
    assert link.expires_at == NOW + lifetime
    assert SignInLink.LIFETIMES[purpose] == lifetime
    assert {SIGN_IN_LINK_LIFETIME, INVITATION_LINK_LIFETIME} == set(SignInLink.LIFETIMES.values())


def test_each_link_gets_its_own_token(patient: User) -> None:
    first = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    second = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    assert first[1] != second[1]
    assert first[0].token_hash != second[0].token_hash


def test_url_is_the_link_path(patient: User) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    assert sign_in_link_url(link=link, token=token) == f"/accounts/link/{link.pk}/{token}/"


def test_redeem_returns_the_user_and_marks_the_link_used(patient: User, clock: Clock) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    clock.now = NOW + dt.timedelta(minutes=5)
    assert sign_in_link_redeem(pk=link.pk, token=token) == patient
    link.refresh_from_db()
    assert link.used_at == NOW + dt.timedelta(minutes=5)


def test_a_link_works_once(patient: User) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    sign_in_link_redeem(pk=link.pk, token=token)
    with pytest.raises(SignInLinkInvalid):
        sign_in_link_redeem(pk=link.pk, token=token)


def test_a_sign_in_link_expires_after_thirty_minutes(patient: User, clock: Clock) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    clock.now = NOW + dt.timedelta(minutes=30)
    with pytest.raises(SignInLinkInvalid):
        sign_in_link_redeem(pk=link.pk, token=token)
    link.refresh_from_db()
    assert link.used_at is None


def test_a_sign_in_link_still_works_just_before_it_expires(patient: User, clock: Clock) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    clock.now = NOW + dt.timedelta(minutes=29, seconds=59)
    assert sign_in_link_redeem(pk=link.pk, token=token) == patient


def test_an_invitation_works_for_seven_days(patient: User, clock: Clock) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.INVITATION)
    clock.now = NOW + dt.timedelta(days=6, hours=23)
    assert sign_in_link_redeem(pk=link.pk, token=token) == patient

    late, late_token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.INVITATION)
    clock.now += dt.timedelta(days=7)
    with pytest.raises(SignInLinkInvalid):
        sign_in_link_redeem(pk=late.pk, token=late_token)


def test_every_failure_is_the_same_error(patient: User, clock: Clock) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    other, other_token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    messages = set()
    for pk, attempt in [
        (link.pk, token[:-1] + ("A" if token[-1] != "A" else "B")),  # wrong token
        (link.pk, other_token),  # another link's token
        (other.pk + 100, token),  # no such link
        (link.pk, ""),
    ]:
        with pytest.raises(SignInLinkInvalid) as excinfo:
            sign_in_link_redeem(pk=pk, token=attempt)
        messages.add(str(excinfo.value))
    sign_in_link_redeem(pk=link.pk, token=token)
    with pytest.raises(SignInLinkInvalid) as excinfo:  # used
        sign_in_link_redeem(pk=link.pk, token=token)
    messages.add(str(excinfo.value))
    clock.now = NOW + dt.timedelta(hours=1)
    with pytest.raises(SignInLinkInvalid) as excinfo:  # expired
        sign_in_link_redeem(pk=other.pk, token=other_token)
    messages.add(str(excinfo.value))
    assert messages == {"This link has expired or was already used."}


def test_a_deactivated_patient_cannot_redeem(patient: User) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.INVITATION)
    patient.is_active = False
    patient.save()
    with pytest.raises(SignInLinkInvalid):
        sign_in_link_redeem(pk=link.pk, token=token)


@pytest.mark.parametrize(
    "changes",
    [{"role": Role.THERAPIST}, {"is_staff": True}, {"is_superuser": True}],
    ids=["therapist", "is_staff", "superuser"],
)
def test_a_link_never_opens_an_account_with_staff_powers(
    patient: User, changes: dict[str, Any]
) -> None:
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    User.objects.filter(pk=patient.pk).update(**changes)
    with pytest.raises(SignInLinkInvalid):
        sign_in_link_redeem(pk=link.pk, token=token)


def test_request_emails_a_patient_a_working_link(
    patient: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email="Pat@Example.com ")
    (email,) = mailoutbox
    assert email.to == ["pat@example.com"]
    assert email.subject == "Your sign-in link"
    assert "Hello Pat," in email.body
    assert "within 30 minutes" in email.body
    assert clinical_words_in(email.body) == []
    assert clinical_words_in(email.alternatives[0][0]) == []
    link = SignInLink.objects.get()
    assert link.purpose == SignInLink.Purpose.SIGN_IN
    token = link_path_in(email).rstrip("/").rsplit("/", 1)[1]
    assert sign_in_link_redeem(pk=link.pk, token=token) == patient


def test_the_email_leaves_only_after_commit(
    patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_in_link_request(email=patient.email)
    assert mail.outbox == []
    assert len(callbacks) == 1


@pytest.mark.parametrize("email", ["nobody@example.com", "", "not an address"])
def test_request_for_an_unknown_address_does_nothing(
    patient: User, email: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sign_in_link_request(email=email) is None
    assert callbacks == []
    assert mailoutbox == []
    assert not SignInLink.objects.exists()


def test_request_for_a_staff_address_does_nothing(
    staff: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email=staff.email)
    assert mailoutbox == []
    assert not SignInLink.objects.exists()


def test_request_for_a_deactivated_patient_does_nothing(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    inactive = UserFactory.create(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email=inactive.email)
    assert mailoutbox == []
    assert not SignInLink.objects.exists()


def test_a_failing_mail_server_is_logged_without_the_address(
    patient: User,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "stride.core.tests.mail_backends.RefusingBackend"
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email=patient.email)
    assert "(accounts.sign_in): attempt 1 failed (ConnectionRefusedError)" in caplog.text
    assert patient.email not in caplog.text


def test_invite_emails_the_intro_and_a_seven_day_link(
    patient: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        patient_invite(user=patient, subject="A new program\nis ready", intro=INVITE_INTRO)
    (email,) = mailoutbox
    assert email.subject == "A new program is ready"
    assert INVITE_INTRO in email.body
    assert INVITE_INTRO in email.alternatives[0][0]
    assert "within 7 days" in email.body
    # Nothing clinical beyond the caller's introduction.
    assert clinical_words_in(email.body.replace(INVITE_INTRO, "")) == []
    link = SignInLink.objects.get()
    assert link.purpose == SignInLink.Purpose.INVITATION
    assert link_path_in(email).startswith(f"/accounts/link/{link.pk}/")


def test_invite_escapes_the_intro_in_html(
    patient: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        patient_invite(user=patient, subject="Hello", intro="<b>Welcome</b> & more")
    (email,) = mailoutbox
    assert "<b>Welcome</b> & more" in email.body
    assert "&lt;b&gt;Welcome&lt;/b&gt; &amp; more" in email.alternatives[0][0]


@pytest.mark.parametrize("changes", [{"role": Role.THERAPIST}, {"is_active": False}])
def test_invite_refuses_staff_and_inactive_accounts(
    patient: User, changes: dict[str, Any], mailoutbox: list[Any]
) -> None:
    User.objects.filter(pk=patient.pk).update(**changes)
    patient.refresh_from_db()
    with pytest.raises(ValueError, match="active patients"):
        patient_invite(user=patient, subject="Hello", intro=INVITE_INTRO)
    assert not SignInLink.objects.exists()
    assert mailoutbox == []
