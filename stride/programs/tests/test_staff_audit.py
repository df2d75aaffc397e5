"""The therapist's patient pages leave audit rows: who read or changed whose record, never what."""

from __future__ import annotations

import pytest
from django.test import Client

from stride.audit.models import AuditEvent
from stride.programs.models import SessionLog
from stride.programs.selectors.programs import program_today, version_current

from .test_staff_support import alert_add, people_build, signed_in

pytestmark = pytest.mark.django_db


def _columns(event: AuditEvent) -> str:
    return " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields)


def test_reading_a_patient_record_is_audited_without_clinical_values(client: Client) -> None:
    people = people_build()
    SessionLog.objects.create(
        program=people.program,
        version=version_current(program=people.program),
        on=program_today(people.program),
        completion="done",
        pain_during=6,
        note="SECRET-NOTE",
    )
    signed_in(client, people.therapist.user)
    assert client.get(f"/staff/patients/{people.patient.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="record_view", patient_id=people.patient.pk)
    assert event.actor_id == people.therapist.user.pk
    assert (event.object_type, event.object_id) == ("program", str(people.program.pk))
    assert "SECRET-NOTE" not in _columns(event)
    assert people.program.title not in _columns(event)


def test_the_patient_list_is_one_audit_row_per_page(client: Client) -> None:
    people = people_build()
    signed_in(client, people.admin)
    client.get("/staff/patients/")
    (event,) = AuditEvent.objects.filter(object_type="patient_list")
    assert event.patient_id is None
    assert event.detail == {"count": 3}  # the three patients people_build makes


def test_changes_to_a_program_are_audited(client: Client) -> None:
    people = people_build()
    alert = alert_add(people.program)
    signed_in(client, people.therapist.user)
    client.post(f"/staff/alerts/{alert.pk}/acknowledge/")
    client.post(f"/staff/programs/{people.program.pk}/status/", {"action": "pause"})
    changes = AuditEvent.objects.filter(action="record_change", patient_id=people.patient.pk)
    assert sorted(e.object_type for e in changes) == ["program", "program_alert"]
    assert changes.get(object_type="program").detail == {
        "fields": ["status"],
        "status": "suspended",
    }


def test_another_therapists_refused_read_leaves_no_record_view(client: Client) -> None:
    people = people_build()
    signed_in(client, people.other.user)
    assert client.get(f"/staff/patients/{people.patient.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="record_view", patient_id=people.patient.pk)
