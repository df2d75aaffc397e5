"""Audit events can be added, never changed or deleted: in Python and in the database itself."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from stride.audit.models import AuditAction, AuditEvent, AuditEventImmutable
from stride.audit.services import audit_record
from stride.scheduling.tests.factories import StaffUserFactory, UserFactory


def _event() -> AuditEvent:
    return audit_record(
        action=AuditAction.RECORD_VIEW,
        actor=StaffUserFactory.create(),
        patient=UserFactory.create(),
        object_type="appointment",
        object_id=7,
    )


@pytest.mark.django_db
def test_saving_a_stored_event_again_is_refused() -> None:
    event = _event()
    event.action = AuditAction.ERASURE
    with pytest.raises(AuditEventImmutable):
        event.save()
    assert AuditEvent.objects.get().action == AuditAction.RECORD_VIEW


@pytest.mark.django_db
def test_deleting_an_event_is_refused() -> None:
    event = _event()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_queryset_update_delete_and_bulk_update_are_refused() -> None:
    event = _event()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.ERASURE)
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    event.action = AuditAction.ERASURE
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get().action == AuditAction.RECORD_VIEW


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'erasure' WHERE id = %s",
        "UPDATE audit_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(sql: str) -> None:
    event = _event()
    with (
        pytest.raises(IntegrityError, match="audit_event_append_only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor_id) == (AuditAction.RECORD_VIEW, event.actor_id)


@pytest.mark.django_db
def test_the_database_refuses_deleting_every_row_at_once() -> None:
    _event()
    _event()
    with (
        pytest.raises(IntegrityError, match="audit_event_append_only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_deleting_a_user_keeps_their_events_as_they_were() -> None:
    actor = StaffUserFactory.create(email="gone@stridept.example")
    patient = UserFactory.create(email="left@example.com")
    event = audit_record(action=AuditAction.RECORD_CHANGE, actor=actor, patient=patient)
    actor_pk, patient_pk = actor.pk, patient.pk

    actor.delete()
    patient.delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_email, stored.actor_role) == (
        actor_pk,
        "gone@stridept.example",
        "front_desk",
    )
    assert (stored.patient_id, stored.patient_ref) == (patient_pk, "left@example.com")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_leaves_the_guard_in_place() -> None:
    _event()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()

    event = _event()
    with (
        pytest.raises(IntegrityError, match="audit_event_append_only"),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    # The test database is flushed again after this test, with the event still in it.
