"""The pages patients sign in by email with: ask for a link, open it, press "Sign in"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from stride.accounts.models import SignInLink, User
from stride.accounts.services import sign_in_link_create
from stride.accounts.tests.conftest import NOW, Clock, link_path_in
from stride.core.tests.browser import assert_accessible

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/sign-in/email/"
SENT = "/accounts/sign-in/email/sent/"
SENT_TEXT = (
    "If that address belongs to a patient, we've sent a link; it works once within 30 minutes."
)
EXPIRED_TEXT = "This link has expired or was already used"


class Opened:
    """A sign-in link with its token and the paths that open and confirm it."""

    def __init__(self, link: SignInLink, token: str) -> None:
        self.link = link
        self.token = token
        self.url = f"/accounts/link/{link.pk}/{token}/"
        self.confirm = f"/accounts/link/{link.pk}/sign-in/"


@pytest.fixture
def opened(patient: User) -> Opened:
    return Opened(*sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN))


def signed_in_as(client: Client) -> str | None:
    value = client.session.get(SESSION_KEY)
    return str(value) if value is not None else None


def html_of(response: Any) -> str:
    return response.content.decode()


# Asking for a link


def test_password_page_offers_an_emailed_link(client: Client) -> None:
    html = html_of(client.get("/accounts/sign-in/"))
    assert f'href="{REQUEST}">Patients: email me a sign-in link</a>' in html


def test_request_page_shows_one_email_field(client: Client) -> None:
    response = client.get(REQUEST)
    assert response.status_code == 200
    html = html_of(response)
    assert 'type="email" name="email"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_patient_gets_an_email_and_the_sent_page(
    client: Client,
    patient: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUEST, {"email": patient.email})
    assert response.status_code == 303
    assert response["Location"] == SENT
    assert SENT_TEXT in html_of(client.get(SENT))
    (email,) = mailoutbox
    assert email.to == [patient.email]


@pytest.mark.parametrize("who", ["unknown", "staff", "inactive"])
def test_others_get_the_same_answer_and_no_email(
    client: Client,
    patient: User,
    staff: User,
    who: str,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    if who == "inactive":
        User.objects.filter(pk=patient.pk).update(is_active=False)
    email = {"unknown": "nobody@example.com", "staff": staff.email, "inactive": patient.email}[who]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUEST, {"email": email})
    assert response.status_code == 303
    assert response["Location"] == SENT
    assert mailoutbox == []
    assert not SignInLink.objects.exists()


def test_an_invalid_address_shows_the_form_again_with_a_message(
    client: Client, mailoutbox: list[Any]
) -> None:
    response = client.post(REQUEST, {"email": "not-an-address"})
    assert response.status_code == 200
    html = html_of(response)
    assert "Enter an email address like name@example.com." in html
    assert 'value="not-an-address"' in html
    assert mailoutbox == []


def test_requests_past_the_limit_get_429(client: Client, patient: User, settings: Any) -> None:
    settings.STRIDE_RATE_LIMIT_SIGN_IN_LINK = "3/900"
    for _ in range(3):
        assert client.post(REQUEST, {"email": patient.email}).status_code == 303
    response = client.post(REQUEST, {"email": patient.email})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert SignInLink.objects.count() == 3
    # Showing the form is not limited.
    assert client.get(REQUEST).status_code == 200


def test_the_limit_is_off_with_stride_rate_limits_off(
    client: Client, patient: User, settings: Any
) -> None:
    settings.STRIDE_RATE_LIMIT_SIGN_IN_LINK = "1/900"
    settings.STRIDE_RATE_LIMITS = False
    for _ in range(3):
        assert client.post(REQUEST, {"email": patient.email}).status_code == 303


# Opening a link


def test_opening_a_link_does_not_sign_in(client: Client, opened: Opened) -> None:
    response = client.get(opened.url)
    assert response.status_code == 302
    assert response["Location"] == opened.confirm
    page = client.get(opened.confirm)
    assert page.status_code == 200
    html = html_of(page)
    assert '<form method="post">' in html
    assert ">Sign in</button>" in html
    assert opened.token not in html
    # A mail scanner that fetches the link twice uses nothing up.
    client.get(opened.url)
    client.get(opened.confirm)
    assert signed_in_as(client) is None
    opened.link.refresh_from_db()
    assert opened.link.used_at is None


def test_the_link_and_its_page_are_never_stored_or_sent_as_referer(
    client: Client, opened: Opened
) -> None:
    response = client.get(opened.url)
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    page = client.get(opened.confirm)
    assert "no-store" in page["Cache-Control"]
    # The button page has no token in its URL, so its forms may carry a normal Origin.
    assert page["Referrer-Policy"] != "no-referrer"


def test_the_link_only_answers_get(client: Client, opened: Opened) -> None:
    assert client.post(opened.url).status_code == 405
    assert signed_in_as(client) is None


def test_pressing_sign_in_signs_the_patient_in(
    client: Client, opened: Opened, patient: User, clock: Clock
) -> None:
    client.get(opened.url)
    before = client.session.session_key
    clock.now = NOW + dt.timedelta(minutes=10)
    response = client.post(opened.confirm)
    assert response.status_code == 303
    assert response["Location"] == "/my/"
    assert signed_in_as(client) == str(patient.pk)
    assert client.session.session_key != before  # rotated at sign-in
    opened.link.refresh_from_db()
    assert opened.link.used_at == NOW + dt.timedelta(minutes=10)
    patient.refresh_from_db()
    assert patient.last_login == NOW + dt.timedelta(minutes=10)


def test_a_link_signs_in_once(client: Client, opened: Opened) -> None:
    client.get(opened.url)
    client.post(opened.confirm)
    other = Client()
    other.get(opened.url)
    assert EXPIRED_TEXT in html_of(other.get(opened.confirm))
    response = other.post(opened.confirm)
    assert response.status_code == 410
    assert signed_in_as(other) is None


def test_an_expired_link_shows_a_friendly_page_to_ask_again(
    client: Client, opened: Opened, clock: Clock
) -> None:
    clock.now = NOW + dt.timedelta(minutes=31)
    response = client.get(opened.url, follow=True)
    assert response.status_code == 410
    html = html_of(response)
    assert EXPIRED_TEXT in html
    assert f'action="{REQUEST}"' in html
    assert 'name="email"' in html


def test_a_link_that_expires_while_the_page_is_open_does_not_sign_in(
    client: Client, opened: Opened, clock: Clock
) -> None:
    client.get(opened.url)
    assert client.get(opened.confirm).status_code == 200
    clock.now = NOW + dt.timedelta(minutes=30)
    response = client.post(opened.confirm)
    assert response.status_code == 410
    assert signed_in_as(client) is None


def test_a_wrong_token_looks_like_an_expired_link(client: Client, opened: Opened) -> None:
    wrong = f"/accounts/link/{opened.link.pk}/{'x' * 43}/"
    response = client.get(wrong, follow=True)
    assert response.status_code == 410
    assert EXPIRED_TEXT in html_of(response)
    assert client.post(opened.confirm).status_code == 410
    assert signed_in_as(client) is None


def test_the_button_page_needs_the_link_opened_in_this_browser(
    client: Client, opened: Opened
) -> None:
    assert client.get(opened.confirm).status_code == 410
    assert client.post(opened.confirm).status_code == 410
    # Opening link 1 does not unlock the button page of another link.
    client.get(opened.url)
    other = f"/accounts/link/{opened.link.pk + 1}/sign-in/"
    assert client.post(other).status_code == 410
    assert signed_in_as(client) is None


def test_sign_in_follows_a_next_on_this_site(client: Client, opened: Opened) -> None:
    response = client.get(f"{opened.url}?next=/my/programs/")
    assert response["Location"] == f"{opened.confirm}?next=%2Fmy%2Fprograms%2F"
    assert 'name="next" value="/my/programs/"' in html_of(client.get(response["Location"]))
    response = client.post(opened.confirm, {"next": "/my/programs/"})
    assert response["Location"] == "/my/programs/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_sign_in_refuses_to_redirect_off_site(client: Client, opened: Opened, target: str) -> None:
    response = client.get(opened.url, {"next": target})
    assert response["Location"] == opened.confirm
    response = client.post(f"{opened.confirm}?next={target}", {"next": target})
    assert response.status_code == 303
    assert response["Location"] == "/my/"


def test_the_sign_in_button_is_csrf_protected(opened: Opened) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(opened.url)
    assert client.post(opened.confirm).status_code == 403
    assert signed_in_as(client) is None

    page = client.get(opened.confirm)
    token = page.context["csrf_token"]
    response = client.post(
        opened.confirm, {"csrfmiddlewaretoken": str(token)}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 303
    assert signed_in_as(client) == str(opened.link.user_id)


def test_from_request_to_signed_in(
    client: Client,
    patient: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REQUEST, {"email": patient.email})
    path = link_path_in(mailoutbox[0])
    confirm = client.get(path)["Location"]
    assert client.post(confirm)["Location"] == "/my/"
    assert signed_in_as(client) == str(patient.pk)


@pytest.mark.browser
def test_in_chromium_the_button_signs_in_with_csrf_checks_on(page: Any, patient: User) -> None:
    # A real browser sends Origin with the POST; on a no-referrer page it would be "null"
    # and the CSRF check would refuse it, which the test client cannot show.
    link, token = sign_in_link_create(user=patient, purpose=SignInLink.Purpose.SIGN_IN)
    page.goto(f"/accounts/link/{link.pk}/{token}/")
    page.wait_for_url(f"**/accounts/link/{link.pk}/sign-in/")
    assert_accessible(page)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in").click()
    assert posted.value.status == 303
    page.wait_for_url("**/my/")
    link.refresh_from_db()
    assert link.used_at is not None


@pytest.mark.browser
def test_in_chromium_the_request_form_is_accessible(page: Any) -> None:
    page.goto(REQUEST)
    assert_accessible(page)
    page.get_by_role("button", name="Email me a sign-in link").click()
    assert page.get_by_text("Enter your email address.").first.is_visible()
    assert_accessible(page)


# Password sign-in lands each role on its own pages


@pytest.mark.parametrize(("who", "home"), [("patient", "/my/"), ("staff", "/staff/")])
def test_password_sign_in_lands_each_role_on_its_own_pages(
    client: Client, request: pytest.FixtureRequest, who: str, home: str
) -> None:
    user = request.getfixturevalue(who)
    response = client.post(
        "/accounts/sign-in/", {"username": user.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == home
    # Already signed in: the sign-in page sends them home too.
    assert client.get("/accounts/sign-in/")["Location"] == home


# Admin


def test_admin_lists_links_read_only_without_the_hash(
    admin_client: Client, opened: Opened, patient: User
) -> None:
    listing = html_of(admin_client.get("/admin/accounts/signinlink/"))
    assert str(patient) in listing
    detail = admin_client.get(f"/admin/accounts/signinlink/{opened.link.pk}/change/")
    assert detail.status_code == 200
    html = html_of(detail)
    assert opened.link.token_hash not in html
    assert opened.token not in html
    assert 'name="_save"' not in html
    assert admin_client.get("/admin/accounts/signinlink/add/").status_code == 403
