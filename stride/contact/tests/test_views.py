"""The public contact form: store, redirect, re-display errors, trap bots, limit rates."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from stride.contact.models import ContactMessage

from .factories import LocationFactory

pytestmark = pytest.mark.django_db

URL = "/contact/"
THANKS = "/contact/thanks/"


def valid_data(**overrides):
    data = {
        "name": "Alex Rivera",
        "email": "alex@example.com",
        "phone": "+1 (217) 555-0123",
        "preferred_contact": "email",
        "message": "Do you treat shoulder pain after surgery? I'd like to book an evaluation.",
        "website": "",
    }
    data.update(overrides)
    return data


def test_urls_are_named_in_the_contact_namespace():
    assert reverse("contact:form") == URL
    assert reverse("contact:thanks") == THANKS


def test_form_renders_labelled_fields_and_hidden_honeypot(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for field in ("name", "email", "phone", "message"):
        assert f'<label for="id_{field}"' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="tel"' in html
    assert 'type="tel"' in html
    assert "(required)" in html
    assert 'value="email" id="id_preferred_contact_0" checked' in html
    assert "Leave this field empty" in html
    assert 'name="website"' in html and 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert "call 911" in html
    assert "style=" not in html and "<script" not in html


def test_valid_post_stores_message_and_redirects_303_to_thanks(
    client, clinic_inbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            valid_data(),
            HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400,
            REMOTE_ADDR="198.51.100.4",
        )
    assert response.status_code == 303
    assert response["Location"] == THANKS
    message = ContactMessage.objects.get()
    assert message.name == "Alex Rivera"
    assert message.email == "alex@example.com"
    assert message.phone == "+1 (217) 555-0123"
    assert message.preferred_contact == "email"
    assert message.status == ContactMessage.Status.NEW
    assert message.client_ip == "198.51.100.4"
    assert len(message.user_agent) == 300
    assert message.notification_sent_at is not None
    assert message.notification_attempts == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [clinic_inbox]
    assert email.reply_to == ["alex@example.com"]
    assert email.subject == "New contact message from Alex Rivera"


def test_notification_goes_to_the_clinic_location_when_no_inbox_is_set(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STRIDE_CLINIC_INBOX = ""
    LocationFactory(email="desk@location.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid_data())
    assert [m.to for m in mailoutbox] == [["desk@location.example"]]


def test_thanks_page_says_when_we_answer_and_shows_clinic_phone_and_911(client):
    LocationFactory(phone="(217) 555-0100")
    response = client.get(THANKS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "within one working day" in html
    assert "(217) 555-0100" in html
    assert "If this is an emergency, call 911" in html


def test_thanks_page_renders_without_a_clinic(client):
    response = client.get(THANKS)
    assert response.status_code == 200
    assert "If this is an emergency, call 911" in response.content.decode()


def test_thanks_page_refuses_post(client):
    assert client.post(THANKS).status_code == 405


@pytest.mark.parametrize(
    ("overrides", "field", "kept"),
    [
        ({"name": ""}, "name", "alex@example.com"),
        ({"email": "not-an-email"}, "email", "not-an-email"),
        ({"preferred_contact": "phone", "phone": ""}, "phone", "Do you treat shoulder pain"),
        ({"phone": "call me maybe"}, "phone", "call me maybe"),
        ({"message": "x" * 5001}, "message", "x" * 5001),
        ({"message": "hi"}, "message", "Alex Rivera"),
        ({"message": "Hello\x00there, please call"}, "message", "Alex Rivera"),
        ({"name": "Alex\x00Rivera"}, "name", "alex@example.com"),
        ({"name": "Alex\r\nBcc: victim@example.com"}, "name", "Bcc: victim@example.com"),
        ({"email": "alex@example.com\r\nBcc: victim@example.com"}, "email", "Alex Rivera"),
        ({"phone": "555 0123\r\nBcc: x@y.z"}, "phone", "Alex Rivera"),
    ],
)
def test_invalid_post_redisplays_form_with_errors_and_keeps_input(
    client, mailoutbox, overrides, field, kept
):
    response = client.post(URL, valid_data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert f'href="#id_{field}"' in html
    assert f'id="id_{field}_error"' in html
    assert "aria-invalid" in html
    form = response.context["form"]
    assert list(form.errors) == [field]
    bound = form[field]
    assert bound.field.widget.attrs.get("aria-invalid") is None  # set per render, not shared
    assert 'aria-invalid="true"' in str(bound)
    assert f"id_{field}_error" in str(bound)
    assert kept in html
    assert response.context["form"].data["name"] == valid_data(**overrides)["name"]
    assert ContactMessage.objects.count() == 0
    assert mailoutbox == []


def test_missing_preferred_contact_defaults_to_email(client, django_capture_on_commit_callbacks):
    data = valid_data()
    del data["preferred_contact"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 303
    assert ContactMessage.objects.get().preferred_contact == "email"


def test_phone_preference_with_a_phone_number_is_accepted(client):
    response = client.post(URL, valid_data(preferred_contact="phone", phone="217.555.0123"))
    assert response.status_code == 303
    assert ContactMessage.objects.get().preferred_contact == "phone"


def test_windows_line_breaks_in_message_count_once(client):
    line = "a" * 99 + "\r\n"  # 101 characters as sent, 100 as typed in the browser
    message = (line * 50).strip()
    assert len(message) > 5000
    response = client.post(URL, valid_data(message=message))
    assert response.status_code == 303
    assert "\r" not in ContactMessage.objects.get().message


def test_honeypot_stores_nothing_sends_nothing_and_looks_like_success(
    client, clinic_inbox, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    secret = "Buy cheap pills at spam.example"
    with (
        caplog.at_level(logging.INFO, logger="stride.contact"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(URL, valid_data(website="https://spam.example", message=secret))
    assert response.status_code == 303
    assert response["Location"] == THANKS
    assert ContactMessage.objects.count() == 0
    assert mailoutbox == []
    assert any("honeypot" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text


def test_rate_limit_answers_429_with_retry_after(client, settings):
    settings.STRIDE_RATE_LIMIT_CONTACT = "2/3600"
    assert client.post(URL, valid_data()).status_code == 303
    assert client.post(URL, valid_data(name="")).status_code == 200
    response = client.post(URL, valid_data())
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many requests" in response.content.decode()
    assert ContactMessage.objects.count() == 1
    # Reading the form is never limited.
    assert client.get(URL).status_code == 200


def test_rate_limit_is_per_client_ip(client, settings):
    settings.STRIDE_RATE_LIMIT_CONTACT = "1/3600"
    assert client.post(URL, valid_data(), REMOTE_ADDR="192.0.2.1").status_code == 303
    assert client.post(URL, valid_data(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post(URL, valid_data(), REMOTE_ADDR="192.0.2.2").status_code == 303


def test_rate_limits_off_switch_disables_the_limit(client, settings):
    settings.STRIDE_RATE_LIMIT_CONTACT = "2/3600"
    settings.STRIDE_RATE_LIMITS = False
    statuses = [client.post(URL, valid_data()).status_code for _ in range(4)]
    assert statuses == [303] * 4
    assert ContactMessage.objects.count() == 4


def test_failing_mail_server_still_stores_and_thanks_the_sender(
    client, settings, clinic_inbox, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "stride.contact.tests.backends.FailingEmailBackend"
    body = "Private: my pelvic floor symptoms have worsened since Tuesday."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_data(message=body))
    assert response.status_code == 303
    assert response["Location"] == THANKS
    message = ContactMessage.objects.get()
    assert message.notification_sent_at is None
    assert message.notification_attempts == 1
    assert message.last_notification_error == "SMTPServerDisconnected"
    assert "SMTPServerDisconnected" in caplog.text
    assert body not in caplog.text
    assert "pelvic" not in caplog.text


def test_unexpected_crash_after_commit_never_reaches_the_sender(
    client, clinic_inbox, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(message_id):
        raise RuntimeError("database went away")

    monkeypatch.setattr("stride.contact.services.contact_message_notify", explode)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_data())
    assert response.status_code == 303
    assert ContactMessage.objects.get().notification_sent_at is None


@pytest.mark.django_db(transaction=True)
def test_on_commit_notification_fires_in_a_real_transaction(client, clinic_inbox, mailoutbox):
    response = client.post(URL, valid_data())
    assert response.status_code == 303
    assert len(mailoutbox) == 1
    assert ContactMessage.objects.get().notification_sent_at is not None
