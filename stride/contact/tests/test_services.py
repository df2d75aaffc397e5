"""Services of the contact inbox: create, notify, reply, mark handled."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from stride.contact.models import NOTIFICATION_MAX_ATTEMPTS, ContactMessage
from stride.contact.services import (
    ContactReplyError,
    NotifyResult,
    contact_message_create,
    contact_message_mark_handled,
    contact_message_mark_new,
    contact_message_notify,
    contact_message_reply,
)

from .factories import ContactMessageFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "stride.contact.tests.backends.FailingEmailBackend"


def test_create_saves_before_notifying_on_commit(clinic_inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = contact_message_create(
            name="Alex",
            email="alex@example.com",
            message="Please call me about my appointment.",
            user_agent="agent\x00with nul",
        )
    assert ContactMessage.objects.filter(pk=message.pk).exists()
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert message.user_agent == "agentwith nul"
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_create_validates_with_the_models_rules():
    with pytest.raises(ValidationError) as excinfo:
        contact_message_create(
            name="Alex\nBcc: x@example.com",
            email="alex@example.com",
            message="Please call me.",
            preferred_contact="phone",
        )
    assert set(excinfo.value.message_dict) >= {"name"}
    assert ContactMessage.objects.count() == 0


def test_database_refuses_phone_preference_without_phone():
    from django.db import IntegrityError

    message = ContactMessageFactory()
    with pytest.raises(IntegrityError):
        ContactMessage.objects.filter(pk=message.pk).update(preferred_contact="phone", phone="")


def test_notify_emails_clinic_with_details_admin_link_and_reply_to(clinic_inbox, settings):
    settings.SITE_URL = "https://clinic.example"
    LocationFactory()
    message = ContactMessageFactory(
        name="Jo Doe", email="jo@example.com", phone="555 0101", preferred_contact="phone"
    )
    assert contact_message_notify(message.pk) is NotifyResult.SENT
    (email,) = mail.outbox
    assert email.to == [clinic_inbox]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.reply_to == ["jo@example.com"]
    assert email.subject == "New contact message from Jo Doe"
    assert "Jo Doe" in email.body
    assert "jo@example.com" in email.body
    assert "555 0101" in email.body
    assert "Preferred contact: Phone" in email.body
    assert message.message in email.body
    assert f"https://clinic.example/admin/contact/contactmessage/{message.pk}/change/" in email.body
    assert "CST" in email.body or "CDT" in email.body  # the clinic's local time
    message.refresh_from_db()
    assert message.notification_sent_at is not None
    assert message.notification_attempts == 1


def test_notify_does_not_escape_html_in_plain_text(clinic_inbox):
    message = ContactMessageFactory(name="O'Brien & Sons", message="Is 5 < 6 & 7 > 3? Yes.")
    contact_message_notify(message.pk)
    assert "O'Brien & Sons" in mail.outbox[0].body
    assert "Is 5 < 6 & 7 > 3? Yes." in mail.outbox[0].body


def test_notify_subject_and_reply_to_cannot_carry_injected_headers(clinic_inbox):
    # Rows written around the validators (e.g. by a bulk import) still cannot forge headers.
    message = ContactMessageFactory()
    ContactMessage.objects.filter(pk=message.pk).update(
        name="Eve\r\nBcc: victim@example.com", email="eve@example.com\r\nBcc: victim@example.com"
    )
    assert contact_message_notify(message.pk) is NotifyResult.SENT
    (email,) = mail.outbox
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.reply_to == []
    assert email.bcc == []
    headers = email.message()
    assert headers["Bcc"] is None
    assert headers["Subject"] == "New contact message from Eve Bcc: victim@example.com"


def test_notify_twice_sends_once(clinic_inbox):
    message = ContactMessageFactory()
    assert contact_message_notify(message.pk) is NotifyResult.SENT
    assert contact_message_notify(message.pk) is NotifyResult.SKIPPED
    assert len(mail.outbox) == 1


def test_notify_failure_is_recorded_and_logged_without_content(clinic_inbox, settings, caplog):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    message = ContactMessageFactory(message="Confidential: my chronic migraine diagnosis.")
    with caplog.at_level(logging.INFO):
        assert contact_message_notify(message.pk) is NotifyResult.FAILED
        assert contact_message_notify(message.pk) is NotifyResult.FAILED
    message.refresh_from_db()
    assert message.notification_sent_at is None
    assert message.notification_attempts == 2
    assert message.last_notification_error == "SMTPServerDisconnected"
    assert "migraine" not in caplog.text
    assert message.email not in caplog.text


def test_notify_catches_any_mail_exception(clinic_inbox, monkeypatch):
    def timeout(self, fail_silently=False):
        raise TimeoutError("timed out")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", timeout)
    message = ContactMessageFactory()
    assert contact_message_notify(message.pk) is NotifyResult.FAILED
    message.refresh_from_db()
    assert message.last_notification_error == "TimeoutError"


def test_notify_without_any_inbox_warns_and_leaves_pending(settings, caplog):
    settings.STRIDE_CLINIC_INBOX = ""
    message = ContactMessageFactory()
    with caplog.at_level(logging.WARNING):
        assert contact_message_notify(message.pk) is NotifyResult.NO_RECIPIENT
    message.refresh_from_db()
    assert message.notification_sent_at is None
    assert message.notification_attempts == 0
    assert "STRIDE_CLINIC_INBOX" in caplog.text
    assert mail.outbox == []


def test_notify_gives_up_after_max_attempts(clinic_inbox):
    message = ContactMessageFactory(notification_attempts=NOTIFICATION_MAX_ATTEMPTS)
    assert contact_message_notify(message.pk) is NotifyResult.SKIPPED
    assert mail.outbox == []


def test_notify_success_clears_the_last_error(clinic_inbox):
    message = ContactMessageFactory(notification_attempts=3, last_notification_error="TimeoutError")
    assert contact_message_notify(message.pk) is NotifyResult.SENT
    message.refresh_from_db()
    assert message.notification_attempts == 4
    assert message.last_notification_error == ""


def test_reply_emails_sender_and_marks_handled(clinic_inbox, settings):
    LocationFactory(name="Stride Downtown", phone="(217) 555-0100")
    staff = UserFactory()
    message = ContactMessageFactory(name="Jo Doe", email="jo@example.com")
    result = contact_message_reply(message, staff, "  Yes, we treat that. Call us to book.  ")
    (email,) = mail.outbox
    assert email.to == ["jo@example.com"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.reply_to == [clinic_inbox]
    assert email.subject == "Reply to your message to Stride Downtown"
    assert "Hello Jo Doe," in email.body
    assert "Yes, we treat that. Call us to book." in email.body
    assert "(217) 555-0100" in email.body
    assert message.message not in email.body  # health details are not echoed by email
    message.refresh_from_db()
    assert result.pk == message.pk
    assert message.staff_reply == "Yes, we treat that. Call us to book."
    assert message.replied_at is not None
    assert message.status == ContactMessage.Status.HANDLED
    assert message.handled_at is not None
    assert message.handled_by == staff


def test_reply_failure_keeps_text_for_retry(clinic_inbox, settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    staff = UserFactory()
    message = ContactMessageFactory()
    with pytest.raises(ContactReplyError, match="SMTPServerDisconnected"):
        contact_message_reply(message, staff, "We can see you on Monday.")
    message.refresh_from_db()
    assert message.staff_reply == "We can see you on Monday."
    assert message.replied_at is None
    assert message.status == ContactMessage.Status.NEW

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    contact_message_reply(message, staff, message.staff_reply)
    message.refresh_from_db()
    assert message.replied_at is not None
    assert len(mail.outbox) == 1


def test_reply_is_sent_once(clinic_inbox):
    staff = UserFactory()
    message = ContactMessageFactory()
    contact_message_reply(message, staff, "First answer.")
    with pytest.raises(ContactReplyError, match="already"):
        contact_message_reply(message, staff, "Second answer.")
    assert len(mail.outbox) == 1


def test_reply_needs_text():
    with pytest.raises(ValidationError):
        contact_message_reply(ContactMessageFactory(), UserFactory(), "   ")


def test_reply_without_clinic_inbox_has_no_reply_to(settings):
    settings.STRIDE_CLINIC_INBOX = ""
    contact_message_reply(ContactMessageFactory(), UserFactory(), "Thanks, see you soon.")
    assert mail.outbox[0].reply_to == []


def test_mark_handled_and_new():
    staff = UserFactory()
    first, second = ContactMessageFactory.create_batch(2)
    assert contact_message_mark_handled(message_ids=[first.pk, second.pk], user=staff) == 2
    first.refresh_from_db()
    assert first.status == ContactMessage.Status.HANDLED
    assert first.handled_by == staff and first.handled_at is not None
    # Already handled: nothing changes, the first handler is kept.
    assert contact_message_mark_handled(message_ids=[first.pk], user=UserFactory()) == 0
    assert contact_message_mark_new(message_ids=[first.pk]) == 1
    first.refresh_from_db()
    assert first.status == ContactMessage.Status.NEW
    assert first.handled_at is None and first.handled_by is None
