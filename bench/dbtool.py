"""The bench's look into its database, run with the same settings as the server under test.

``python bench/dbtool.py prepare`` signs in the bench's patient, therapist and clinic admin by
writing sessions straight into the session store (the staff ones confirmed by a TOTP device, as
after a real second factor, so production settings stay as they are) and prints, as JSON, the
cookies and the ids the scenarios need. ``python bench/dbtool.py check`` prints the double
bookings and the appointments of the bench's booking clients; ``cache-off`` and ``cache-on``
stop and restart the caching of free slots, to measure what computing them costs.

Only for the throwaway bench databases: it creates staff sessions without a password.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402 (after the path and settings above)

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from stride.accounts.middleware import LAST_SEEN_SESSION_KEY  # noqa: E402
from stride.accounts.models import Role, User  # noqa: E402
from stride.content.selectors import article_queryset_public  # noqa: E402
from stride.core.benchseed import appointment_overlap_count  # noqa: E402
from stride.core.benchseed.patients import EMAIL  # noqa: E402
from stride.core.generations import BOOKING, generation_bump, generation_cached  # noqa: E402
from stride.core.models import CacheGeneration  # noqa: E402
from stride.programs.models import ExerciseProgram  # noqa: E402
from stride.programs.selectors.programs import patient_queryset_for_staff  # noqa: E402
from stride.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType, Location  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"
# The booking clients (bench/wrk/booking.lua) give the reason "bench <run>".
BOOKING_REASON = "bench "


def _session(user: User) -> str:
    """Return the key of a new signed-in session of ``user``; staff confirmed by a device."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.has_staff_access:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[LAST_SEEN_SESSION_KEY] = int(time.time())
    session.create()
    return str(session.session_key)


def prepare() -> dict[str, Any]:
    patient = User.objects.get(email=EMAIL.format(1))
    program = ExerciseProgram.objects.select_related("therapist__user").get(patient=patient)
    therapist = program.therapist
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise SystemExit("no clinic admin in the bench database")
    location = Location.objects.get(pk=therapist.location_id)
    # The longest public article: the page whose HTML nginx serves as the ceiling.
    article = max(article_queryset_public(), key=lambda a: (a.word_count, -a.pk))
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {
            "patient": _session(patient),
            "therapist": _session(therapist.user),
            "admin": _session(admin),
        },
        # Those on the therapist's list: a program from them or a visit with them.
        "patients_of_therapist": patient_queryset_for_staff(user=therapist.user).count(),
        "patients": User.objects.filter(role=Role.PATIENT).count(),
        "appointments": Appointment.objects.count(),
        "therapist": therapist.pk,
        "location": location.pk,
        "therapists_at_location": location.therapists.count(),
        "types": dict(AppointmentType.objects.values_list("slug", "pk")),
        "article": article.get_absolute_url(),
        "article_words": article.word_count,
        "today": timezone.localdate(timezone=location.tzinfo).isoformat(),
        # Bench patients with a visit on record: they may book a follow-up online.
        "returning_patients": [
            int(email.split("@")[0].removeprefix("patient"))
            for email in User.objects.filter(
                email__endswith=EMAIL.split("@")[1],
                appointments__status__in=ACTIVE_STATUSES,
            )
            .distinct()
            .order_by("email")
            .values_list("email", flat=True)[:500]
        ],
    }


def check() -> dict[str, Any]:
    booked = Appointment.objects.filter(
        reason__startswith=BOOKING_REASON, status__in=ACTIVE_STATUSES
    )
    return {
        "overlaps": appointment_overlap_count(),
        "bench_booked": dict(
            booked.values("reason").annotate(n=Count("pk")).values_list("reason", "n")
        ),
        "appointments": Appointment.objects.count(),
    }


def cache_off() -> dict[str, Any]:
    """Stop caching free slots: a booking generation that was never bumped caches nothing.

    For measuring what each availability answer costs to compute (after every booking,
    cancellation or move the cached answers are stale and computed again).
    """
    CacheGeneration.objects.filter(name=BOOKING).delete()
    # Check that it holds: a value computed twice under the booking generation.
    computed = []

    def compute() -> tuple[int, None]:
        computed.append(1)
        return len(computed), None

    generation_cached(BOOKING, "bench:cache-off-probe", compute)
    generation_cached(BOOKING, "bench:cache-off-probe", compute)
    return {"booking_cache": len(computed) != 2}


def cache_on() -> dict[str, Any]:
    generation_bump(BOOKING)
    return {"booking_cache": True}


if __name__ == "__main__":
    actions = {"prepare": prepare, "check": check, "cache-off": cache_off, "cache-on": cache_on}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        raise SystemExit(f"usage: {sys.argv[0]} {'|'.join(actions)}")
    json.dump(actions[sys.argv[1]](), sys.stdout)
