"""Webhooks: events written with the booking change, posted signed, retried, sent once, and
never to the server's own network."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stride.core.tests.process_race import script_run, script_start
from stride.integrations import transport
from stride.integrations.models import (
    DELIVERY_MAX_ATTEMPTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from stride.integrations.services import (
    DeliveryResult,
    webhook_deliveries_send,
    webhook_delivery_attempt,
    webhook_delivery_retry,
    webhook_event_enqueue,
)
from stride.integrations.services import webhooks as webhook_services
from stride.integrations.services.webhooks import BACKOFF, CLAIM_LEASE
from stride.integrations.targets import TargetRefused, target_resolve
from stride.integrations.tests.conftest import Receiver, receiver_serving
from stride.scheduling.models import Appointment, AppointmentStatus, RedFlag
from stride.scheduling.services import (
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
)
from stride.scheduling.services import booking as booking_services
from stride.scheduling.tests.conftest import MONDAY, NOW, Clinic, local
from stride.scheduling.tests.factories import InsurancePlanFactory, UserFactory

ALL_EVENTS = list(WebhookEvent.values)


def endpoint_create(
    url: str = "https://hooks.example.org/stride", **fields: Any
) -> WebhookEndpoint:
    """Save an endpoint without validation (tests of the send-time checks need bad URLs too)."""
    fields.setdefault("name", "Billing")
    fields.setdefault("events", ALL_EVENTS)
    return WebhookEndpoint.objects.create(url=url, **fields)


def book(clinic: Clinic, start: dt.datetime | None = None, **kwargs: Any) -> Appointment:
    kwargs.setdefault("patient", UserFactory.create())
    return appointment_book(
        therapist=clinic.therapist,
        appointment_type=clinic.evaluation,
        start=start or local(MONDAY, 10),
        now=NOW,
        **kwargs,
    )


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def fast_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.5)


# --- Outbox: one event per committed change -----------------------------------------------------


@pytest.mark.django_db
def test_booking_enqueues_one_created_event_per_subscribed_endpoint(clinic: Clinic) -> None:
    billing = endpoint_create()
    endpoint_create(name="Cancellations only", events=[WebhookEvent.APPOINTMENT_CANCELLED])
    endpoint_create(name="Paused", is_active=False)

    appointment = book(clinic)

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == billing
    assert delivery.event == "appointment.created"
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    payload = delivery.payload
    assert payload["event"] == "appointment.created"
    assert payload["id"] == str(delivery.event_id)
    assert dt.datetime.fromisoformat(payload["created"]).utcoffset() == dt.timedelta(0)
    assert payload["data"] == {
        "appointment": {
            "id": appointment.pk,
            "status": "confirmed",
            "start": "2026-12-07T10:00:00-05:00",
            "end": "2026-12-07T11:00:00-05:00",
            "timezone": "America/New_York",
            "therapist": {
                "slug": clinic.therapist.slug,
                "name": clinic.therapist.display_name,
            },
            "location": {"slug": clinic.location.slug},
            "appointment_type": {"slug": "initial-evaluation", "name": "Initial evaluation"},
            "patient": {"id": appointment.patient_id},
        }
    }


@pytest.mark.django_db
def test_no_endpoint_means_no_delivery(clinic: Clinic) -> None:
    book(clinic)

    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_payload_carries_no_clinical_or_contact_details(clinic: Clinic) -> None:
    endpoint_create()
    patient = UserFactory.create(
        email="grace.hopper@example.org", first_name="Grace", last_name="Hopper"
    )
    plan = InsurancePlanFactory.create(name="Acme Health HMO")

    book(
        clinic,
        patient=patient,
        reason="Sciatica after lifting, numb left foot",
        red_flags=[RedFlag.NIGHT_PAIN],
        insurance_plan=plan,
        has_referral=True,
    )

    text = json.dumps(WebhookDelivery.objects.get().payload).lower()
    for secret in ("sciatica", "numb", "night_pain", "reason", "red_flag", "grace", "hopper"):
        assert secret not in text, secret
    for secret in ("example.org", "acme", "insurance", "referral", "phone", "email", "token"):
        assert secret not in text, secret


@pytest.mark.django_db
def test_cancel_reschedule_and_late_cancellation_enqueue_their_events(clinic: Clinic) -> None:
    endpoint_create()
    first = book(clinic, local(MONDAY, 9))
    second = book(clinic, local(MONDAY, 14))

    appointment_reschedule(appointment=first, start=local(MONDAY, 11), by_patient=False, now=NOW)
    appointment_cancel(appointment=first, by_patient=False, now=NOW)
    appointment_cancel(appointment=first, by_patient=False, now=NOW)  # no change, no event
    appointment_mark(
        appointment=second,
        status=AppointmentStatus.LATE_CANCELLED,
        by=clinic.staff,
        now=NOW,
    )

    events = [
        (
            d.event,
            d.payload["data"]["appointment"]["id"],
            d.payload["data"]["appointment"]["status"],
        )
        for d in WebhookDelivery.objects.order_by("pk")
    ]
    assert events == [
        ("appointment.created", first.pk, "confirmed"),
        ("appointment.created", second.pk, "confirmed"),
        ("appointment.rescheduled", first.pk, "confirmed"),
        ("appointment.cancelled", first.pk, "cancelled"),
        ("appointment.cancelled", second.pk, "late_cancelled"),
    ]
    moved = WebhookDelivery.objects.get(event="appointment.rescheduled").payload
    assert moved["data"]["appointment"]["start"] == "2026-12-07T11:00:00-05:00"
    assert len(set(WebhookDelivery.objects.values_list("event_id", flat=True))) == 5


@pytest.mark.django_db
def test_staff_cancelling_on_the_calendar_enqueues_cancelled(
    clinic: Clinic, client: Client
) -> None:
    endpoint_create()
    appointment = book(clinic)
    client.force_login(clinic.staff)

    response = client.post(reverse("staff:appointment_cancel", args=[appointment.pk]))

    assert response.status_code in (302, 303)
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)) == [
        "appointment.created",
        "appointment.cancelled",
    ]


@pytest.mark.django_db
def test_a_booking_rolled_back_after_the_insert_enqueues_nothing(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint_create()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("crash after the insert, inside the transaction")

    monkeypatch.setattr(booking_services, "appointment_event_queue", fail)
    with pytest.raises(RuntimeError):
        book(clinic)

    assert not Appointment.objects.filter(start=local(MONDAY, 10)).exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_booking_inside_a_rolled_back_transaction_enqueues_nothing(clinic: Clinic) -> None:
    endpoint_create()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        book(clinic)
        assert WebhookDelivery.objects.count() == 1  # written with the booking...
        1 / 0  # noqa: B018

    assert not WebhookDelivery.objects.exists()  # ...and gone with it


@pytest.mark.django_db
def test_a_refused_booking_enqueues_nothing(clinic: Clinic) -> None:
    book(clinic)
    endpoint_create()

    with pytest.raises(SlotUnavailable):
        book(clinic)

    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(clinic: Clinic) -> None:
    endpoint_create()
    appointment = book(clinic)

    with pytest.raises(RuntimeError, match="transaction"):
        webhook_event_enqueue(event="appointment.created", appointment=appointment)
    with pytest.raises(ValueError, match="Unknown"), transaction.atomic():
        webhook_event_enqueue(event="appointment.deleted", appointment=appointment)


# --- Sending ------------------------------------------------------------------------------------


def _expected_signature(secret: str, header: str, body: bytes) -> str:
    timestamp = header.split(",")[0].removeprefix("t=")
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


@pytest.mark.django_db
def test_delivers_signed_json_to_a_local_receiver(
    clinic: Clinic, receiver: Receiver, allow_private: None
) -> None:
    endpoint = WebhookEndpoint(name="Local EHR", url=receiver.url, events=ALL_EVENTS)
    endpoint.full_clean()  # http://127.0.0.1 is allowed with STRIDE_WEBHOOKS_ALLOW_PRIVATE
    endpoint.save()
    book(clinic)
    delivery = WebhookDelivery.objects.get()

    out = io.StringIO()
    call_command("send_webhooks", stdout=out)

    assert out.getvalue().strip() == (
        "Webhooks: 1 due; 1 delivered, 0 retrying, 0 failed, 0 skipped."
    )
    (request,) = receiver.requests
    assert request.path == "/hooks/stride"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Stride-Event"] == "appointment.created"
    assert request.headers["Stride-Delivery"] == str(delivery.event_id)
    assert request.headers["User-Agent"].startswith("Stride-Webhooks/")
    assert request.json() == delivery.payload
    signature = request.headers["Stride-Signature"]
    assert signature == _expected_signature(endpoint.secret, signature, request.body)
    timestamp = int(signature.split(",")[0].removeprefix("t="))
    assert abs(time.time() - timestamp) < 60
    assert transport.signature_verify(secret=endpoint.secret, body=request.body, header=signature)
    assert not transport.signature_verify(secret="wrong", body=request.body, header=signature)
    assert not transport.signature_verify(
        secret=endpoint.secret, body=request.body + b" ", header=signature
    )
    assert not transport.signature_verify(
        secret=endpoint.secret, body=request.body, header=signature, now=timestamp + 301
    )

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert delivery.claim_id is None and delivery.claimed_at is None
    (attempt,) = WebhookDeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.status_code == 200 and attempt.error == ""

    assert webhook_deliveries_send() == {}  # nothing due any more
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_500_is_retried_on_the_backoff_schedule_then_failed(
    clinic: Clinic, receiver: Receiver, allow_private: None
) -> None:
    endpoint_create(receiver.url)
    receiver.default_status = 500
    book(clinic)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()

    waits = []
    for attempt in range(1, DELIVERY_MAX_ATTEMPTS + 1):
        if attempt > 1:  # not due a moment early
            assert webhook_deliveries_send(now=now - dt.timedelta(seconds=1)).total() == 0
        results = webhook_deliveries_send(now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        assert delivery.last_error == "HTTP 500: receiver says no"
        if attempt < DELIVERY_MAX_ATTEMPTS:
            assert results == {DeliveryResult.RETRYING: 1}
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.next_attempt_at is not None
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
        else:
            assert results == {DeliveryResult.FAILED: 1}
            assert delivery.status == DeliveryStatus.FAILED
            assert delivery.next_attempt_at is None

    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=6),
        dt.timedelta(hours=12),
    ]
    assert tuple(waits) == BACKOFF
    assert len(receiver.requests) == DELIVERY_MAX_ATTEMPTS
    assert WebhookDeliveryAttempt.objects.filter(delivery=delivery).count() == 7
    assert webhook_deliveries_send(now=now + dt.timedelta(days=30)).total() == 0

    # Staff's "retry now" gives one more attempt.
    receiver.default_status = 204
    assert webhook_delivery_retry(delivery=delivery)
    assert webhook_deliveries_send() == {DeliveryResult.DELIVERED: 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 8
    assert not webhook_delivery_retry(delivery=delivery)  # delivered ones stay delivered


@pytest.mark.django_db
def test_a_timeout_is_recorded_and_retried(
    clinic: Clinic, allow_private: None, fast_timeout: None
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (in the backlog) and never answers
    try:
        endpoint_create(f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        book(clinic)
        now = timezone.now()

        assert webhook_deliveries_send(now=now) == {DeliveryResult.RETRYING: 1}
    finally:
        silent.close()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "Timed out after 0.5 s."
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_a_refused_connection_is_recorded_and_retried(clinic: Clinic, allow_private: None) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    endpoint_create(f"http://127.0.0.1:{port}/hook")
    book(clinic)
    now = timezone.now()

    assert webhook_deliveries_send(now=now) == {DeliveryResult.RETRYING: 1}

    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == "Connection refused."
    assert delivery.attempts == 1 and delivery.next_attempt_at == now + dt.timedelta(minutes=1)
    (attempt,) = WebhookDeliveryAttempt.objects.all()
    assert attempt.error == "Connection refused." and attempt.status_code is None


@pytest.mark.django_db
def test_a_redirect_is_not_followed(
    clinic: Clinic, receiver: Receiver, allow_private: None
) -> None:
    endpoint_create(receiver.url)
    receiver.statuses = [302]
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    book(clinic)

    assert webhook_deliveries_send() == {DeliveryResult.RETRYING: 1}

    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and delivery.status == DeliveryStatus.PENDING


@pytest.mark.django_db
def test_a_second_sender_skips_a_delivery_the_first_is_posting(
    clinic: Clinic, receiver: Receiver, allow_private: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint_create(receiver.url)
    book(clinic)
    delivery = WebhookDelivery.objects.get()
    second: list[DeliveryResult] = []
    post = webhook_services.webhook_post

    def post_while_another_sender_runs(**kwargs: Any) -> transport.PostResult:
        # The first sender holds the claim while its POST is in flight.
        second.append(webhook_delivery_attempt(delivery_id=delivery.pk))
        second.extend(webhook_deliveries_send().elements())
        return post(**kwargs)

    monkeypatch.setattr(webhook_services, "webhook_post", post_while_another_sender_runs)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryResult.DELIVERED

    assert second == [DeliveryResult.SKIPPED]
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over(
    clinic: Clinic, receiver: Receiver, allow_private: None
) -> None:
    endpoint_create(receiver.url)
    book(clinic)
    now = timezone.now()
    WebhookDelivery.objects.update(claimed_at=now - CLAIM_LEASE + dt.timedelta(seconds=5))

    assert webhook_deliveries_send(now=now).total() == 0  # a worker is still on it

    assert webhook_deliveries_send(now=now + dt.timedelta(seconds=10)) == {
        DeliveryResult.DELIVERED: 1
    }


@pytest.mark.django_db
def test_a_paused_endpoint_keeps_its_deliveries_pending(
    clinic: Clinic, receiver: Receiver, allow_private: None
) -> None:
    endpoint = endpoint_create(receiver.url)
    book(clinic)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    assert webhook_deliveries_send().total() == 0

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    assert webhook_deliveries_send() == {DeliveryResult.DELIVERED: 1}


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """Return a self-signed certificate for hooks.example.org and its key."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.example.org"]
        + ["-addext", "subjectAltName=DNS:hooks.example.org"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.mark.django_db
def test_https_goes_to_the_checked_address_and_verifies_the_certificate(
    clinic: Clinic,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    answers: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_dns(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example.org":
            return real_getaddrinfo(host, port, *args, **kwargs)
        # First answer the checked one; any later lookup would get an unreachable address.
        address = "127.0.0.1" if not answers else "192.0.2.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    with receiver_serving(tls, host="hooks.example.org") as tls_receiver:
        endpoint_create(tls_receiver.url)
        book(clinic)

        # Not trusted yet: the self-signed certificate is refused.
        assert webhook_deliveries_send() == {DeliveryResult.RETRYING: 1}
        assert "CERTIFICATE_VERIFY_FAILED" in WebhookDelivery.objects.get().last_error
        assert tls_receiver.requests == []

        monkeypatch.setattr(ssl, "create_default_context", lambda: ssl_context_trusting(cert))
        answers.clear()
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert webhook_deliveries_send() == {DeliveryResult.DELIVERED: 1}

    assert answers == ["127.0.0.1"]  # resolved once, and connected there
    (request,) = tls_receiver.requests
    assert request.headers["Host"].startswith("hooks.example.org:")


def ssl_context_trusting(cert: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames and certificates
    context.load_verify_locations(cert)
    return context


# --- Where webhooks may go (SSRF) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "https://172.16.0.5/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://api.localhost/hook",
        "http://localhost:8000/hook",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused_when_not_allowed(url: str, settings: Any) -> None:
    settings.DEBUG = False
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False

    with pytest.raises(ValidationError, match="private"):
        WebhookEndpoint(name="x", url=url, events=ALL_EVENTS).full_clean()
    with pytest.raises(TargetRefused, match="private"):
        target_resolve(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/stride", "https"),
        ("ftp://hooks.example.org/stride", "https"),
        ("https://user:secret@hooks.example.org/", "passwords"),
        ("http://10.0.0.5/hook", "https"),  # private allowed, but plain http only on loopback
    ],
)
def test_urls_must_be_https_without_credentials(url: str, message: str, settings: Any) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = "private" in message or url.startswith("http://10")

    with pytest.raises(ValidationError, match=message):
        WebhookEndpoint(name="x", url=url, events=ALL_EVENTS).full_clean()


def test_private_targets_are_allowed_by_the_setting_or_debug(settings: Any) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = True
    assert target_resolve("http://localhost:8000/hook").address in ("127.0.0.1", "::1")
    assert target_resolve("https://10.1.2.3/hook").address == "10.1.2.3"
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = True
    assert target_resolve("http://127.0.0.1:8000/hook").address == "127.0.0.1"


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "127.0.0.1", "fd00::1"])
def test_a_public_name_that_resolves_to_a_private_address_is_refused(
    address: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    answers.append((family, socket.SOCK_STREAM, 6, "", (address, 443)))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)

    WebhookEndpoint(name="x", url="https://hooks.example.org/", events=ALL_EVENTS).full_clean()
    with pytest.raises(TargetRefused, match="private address"):
        target_resolve("https://hooks.example.org/")


@pytest.mark.django_db
def test_sending_to_a_name_that_resolves_privately_posts_nothing(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False
    endpoint_create("https://intranet.example.org/hook")
    book(clinic)
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )

    def no_connection(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(socket, "create_connection", no_connection)

    assert webhook_deliveries_send() == {DeliveryResult.RETRYING: 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == (
        "Refused: intranet.example.org resolves to a private address (10.0.0.7)."
    )
    assert delivery.last_status_code is None


@pytest.mark.django_db
def test_a_saved_endpoint_to_localhost_is_refused_at_send_time(
    clinic: Clinic, receiver: Receiver, settings: Any
) -> None:
    # Saved while allowed (say in development); the setting is off now.
    endpoint_create(receiver.url)
    book(clinic)
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False

    webhook_deliveries_send()

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error.startswith("Refused: ")


# --- Admin -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_shows_the_secret_once_then_masked(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "name": "Billing",
            "url": "https://hooks.example.org/stride",
            "events": ["appointment.created", "appointment.cancelled"],
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["appointment.created", "appointment.cancelled"]
    assert len(endpoint.secret) >= 43
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    change = admin_client.get(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
    )
    page = change.content.decode()
    assert endpoint.secret not in page
    assert endpoint.secret[-4:] in page
    listing = admin_client.get(reverse("admin:integrations_webhookendpoint_changelist"))
    assert endpoint.secret not in listing.content.decode()


@pytest.mark.django_db
def test_admin_replaces_a_secret_and_shows_the_new_one_once(admin_client: Client) -> None:
    endpoint = endpoint_create()
    old = endpoint.secret

    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_changelist"),
        {"action": "secret_rotate", "_selected_action": [endpoint.pk]},
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    page = response.content.decode()
    assert endpoint.secret in page and old not in page


@pytest.mark.django_db
def test_admin_refuses_a_private_endpoint(admin_client: Client, settings: Any) -> None:
    settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = False

    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {"name": "Meta", "url": "https://169.254.169.254/", "events": ["appointment.created"]},
    )

    assert response.status_code == 200
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_deliveries_are_read_only_in_the_admin_with_retry_now(
    clinic: Clinic, admin_client: Client, receiver: Receiver, allow_private: None
) -> None:
    endpoint_create(receiver.url)
    book(clinic)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(status=DeliveryStatus.FAILED, attempts=7, next_attempt_at=None)
    model_admin = site._registry[WebhookDelivery]
    assert not model_admin.has_add_permission(None)  # type: ignore[arg-type]

    listing = admin_client.get(
        reverse("admin:integrations_webhookdelivery_changelist"), {"status": "failed"}
    )
    assert listing.status_code == 200 and "appointment.created" in listing.content.decode()
    detail = admin_client.get(
        reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk])
    )
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()

    response = admin_client.post(
        reverse("admin:integrations_webhookdelivery_changelist"),
        {"action": "retry_now", "_selected_action": [delivery.pk]},
        follow=True,
    )

    assert "Retried 1: 1 delivered." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.requests) == 1


# --- Several senders at once --------------------------------------------------------------------

WORKERS = 3
DUE = 30

# Each worker: start Django on the given database, wait for the others, send, print the summary.
WORKER = """
import os, sys, time
from pathlib import Path
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ.get("W_URL") or None, database_name=os.environ.get("W_NAME") or None)
from django.conf import settings
settings.STRIDE_WEBHOOKS_ALLOW_PRIVATE = True
from django.core.management import call_command
ready = Path(os.environ["W_READY"])
(ready / str(os.getpid())).touch()
deadline = time.time() + 60
while len(list(ready.iterdir())) < int(os.environ["W_COUNT"]) and time.time() < deadline:
    time.sleep(0.01)
call_command("send_webhooks")
"""

PREPARE = """
import os
from stride.scheduling.tests.concurrency_worker import django_setup
django_setup(database_url=os.environ["W_URL"], database_name=None)
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stride.integrations.tests.test_webhooks import due_deliveries_create
due_deliveries_create(url=os.environ["W_RECEIVER"], count=int(os.environ["W_DUE"]))
"""


def due_deliveries_create(*, url: str, count: int) -> None:
    """Queue ``count`` due deliveries to ``url`` (one endpoint), as committed bookings would."""
    endpoint = endpoint_create(url)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event="appointment.created",
            event_id=f"00000000-0000-4000-8000-{n:012d}",
            payload={"event": "appointment.created", "n": n},
            next_attempt_at=now,
        )
        for n in range(count)
    )


def _race(tmp_path: Path, receiver: Receiver, env: dict[str, str]) -> list[str]:
    """Run WORKERS senders at once; return the Stride-Delivery id of every request received."""
    receiver.delay = 0.02  # a receiver slow enough for the workers to overlap
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**env, "W_READY": str(ready), "W_COUNT": str(WORKERS)}
    workers = [script_start(WORKER, env) for _ in range(WORKERS)]
    delivered = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err[-3000:]
        delivered.append(int(out.strip().splitlines()[-1].split("; ")[1].split(" ")[0]))
    # Otherwise the workers did not overlap and the test proved nothing.
    assert sum(1 for count in delivered if count) >= 2, delivered
    assert sum(delivered) == DUE
    return [request.headers["Stride-Delivery"] for request in receiver.requests]


@pytest.mark.django_db(transaction=True)
def test_postgresql_senders_racing_deliver_each_event_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: an in-memory SQLite test database cannot be shared with worker "
            "processes (the SQLite file race below covers SQLite)"
        )
    due_deliveries_create(url=receiver.url, count=DUE)  # committed: the workers see it

    ids = _race(tmp_path, receiver, {"W_URL": "", "W_NAME": connection.settings_dict["NAME"]})

    assert len(ids) == DUE and len(set(ids)) == DUE
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == DUE
    assert WebhookDeliveryAttempt.objects.count() == DUE


def test_sqlite_file_senders_racing_deliver_each_event_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file race runs in the SQLite pass of the suite (DATABASE_URL unset)")
    path = tmp_path / "webhooks.sqlite3"
    env = {"W_URL": f"sqlite:///{path}", "W_NAME": "", "W_RECEIVER": receiver.url}
    script_run(PREPARE, {**env, "W_DUE": str(DUE)})

    ids = _race(tmp_path, receiver, env)

    assert len(ids) == DUE and len(set(ids)) == DUE
