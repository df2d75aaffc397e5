"""The contact inbox in the admin: list, read, mark handled, reply."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from stride.contact.models import ContactMessage

from .factories import ContactMessageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:contact_contactmessage_changelist")


def change_url(message: ContactMessage) -> str:
    return reverse("admin:contact_contactmessage_change", args=[message.pk])


def test_anonymous_users_are_sent_to_login(client):
    ContactMessageFactory()
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_changelist_lists_messages_with_filters_and_search(admin_client):
    ContactMessageFactory(name="Findable Person", email="find@example.com")
    ContactMessageFactory(name="Other Person")
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Findable Person" in html and "Other Person" in html
    assert "Notification sent" in html
    assert "Mark as handled" in html and "Mark as new" in html

    response = admin_client.get(CHANGELIST, {"q": "find@example"})
    assert "Findable Person" in response.content.decode()
    assert "Other Person" not in response.content.decode()
    response = admin_client.get(CHANGELIST, {"status__exact": "handled"})
    assert "Findable Person" not in response.content.decode()
    response = admin_client.get(CHANGELIST, {"preferred_contact__exact": "email"})
    assert response.status_code == 200


def test_change_page_shows_everything_and_edits_only_status_and_reply(admin_client):
    message = ContactMessageFactory(message="Please call me about my ankle.")
    response = admin_client.get(change_url(message))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please call me about my ankle." in html
    assert message.email in html
    form = response.context["adminform"].form
    assert set(form.fields) == {"status", "staff_reply"}


def test_add_is_not_offered(admin_client):
    assert admin_client.get(reverse("admin:contact_contactmessage_add")).status_code == 403


def test_mark_handled_action(admin_client, admin_user):
    first, second = ContactMessageFactory.create_batch(2)
    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_handled", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 message(s) marked as handled." in response.content.decode()
    first.refresh_from_db()
    assert first.status == ContactMessage.Status.HANDLED
    assert first.handled_by == admin_user

    admin_client.post(CHANGELIST, {"action": "mark_new", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == ContactMessage.Status.NEW


def test_changing_status_on_the_change_page_records_who(admin_client, admin_user):
    message = ContactMessageFactory()
    response = admin_client.post(change_url(message), {"status": "handled", "staff_reply": ""})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.HANDLED
    assert message.handled_by == admin_user
    assert mail.outbox == []


def test_saving_a_reply_emails_the_sender(admin_client, admin_user, clinic_inbox):
    message = ContactMessageFactory(email="pat@example.com")
    response = admin_client.post(
        change_url(message), {"status": "new", "staff_reply": "Yes, Tuesday at 10 works."}
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    message.refresh_from_db()
    assert message.replied_at is not None
    assert message.status == ContactMessage.Status.HANDLED
    assert message.handled_by == admin_user
    # Once sent, the reply is part of the record and no longer editable.
    form = admin_client.get(change_url(message)).context["adminform"].form
    assert "staff_reply" not in form.fields


def test_failed_reply_shows_error_keeps_text_and_retries(admin_client, settings, clinic_inbox):
    settings.EMAIL_BACKEND = "stride.contact.tests.backends.FailingEmailBackend"
    message = ContactMessageFactory()
    response = admin_client.post(
        change_url(message), {"status": "new", "staff_reply": "See you Monday."}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == change_url(message)
    assert "could not be sent" in html
    assert "was changed successfully" not in html
    message.refresh_from_db()
    assert message.staff_reply == "See you Monday."
    assert message.replied_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin_client.post(change_url(message), {"status": "new", "staff_reply": "See you Monday."})
    message.refresh_from_db()
    assert message.replied_at is not None
    assert len(mail.outbox) == 1


def test_staff_without_permission_cannot_see_messages(client):
    from .factories import UserFactory

    staff = UserFactory()
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
