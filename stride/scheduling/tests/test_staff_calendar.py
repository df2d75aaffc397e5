"""The staff calendar: day and week views per therapist and per location, in local time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from stride.scheduling.models import AppointmentStatus
from stride.scheduling.tests.conftest import NY, Clinic
from stride.scheduling.tests.factories import TherapistFactory, TimeOffFactory, UserFactory
from stride.scheduling.tests.test_staff_support import (
    Staff,
    appointment_at,
    at,
    signed_in,
    staff_build,
)

pytestmark = pytest.mark.django_db

# The US leaves daylight saving time on Sunday 2026-11-01 at 02:00 (EDT -> EST).
DST_WEEK = dt.date(2026, 10, 26)  # Monday
DST_SATURDAY, DST_SUNDAY = dt.date(2026, 10, 31), dt.date(2026, 11, 1)
WEEK = dt.date(2026, 12, 7)  # Monday


@pytest.fixture
def staff(clinic: Clinic) -> Staff:
    return staff_build(clinic)


def text(response: Any) -> str:
    """Return the page's visible text, whitespace collapsed (for "9:00 AM – 10:00 AM")."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.split())


def calendar_get(client: Client, **params: Any) -> Any:
    response = client.get("/staff/calendar/", params)
    assert response.status_code == 200, response.content[:2000]
    return response


def day_items(response: Any, therapist: Any = None) -> dict[dt.date, list[Any]]:
    """Return the appointments shown per day for ``therapist`` (default: the only one)."""
    rows = response.context["calendar"].therapists
    (row,) = [r for r in rows if therapist is None or r.therapist == therapist]
    return {day.date: [item.appointment for item in day.appointments] for day in row.days}


def test_week_view_lists_a_therapists_visits_by_local_day(client: Client, staff: Staff) -> None:
    visit = appointment_at(staff.therapist, at(WEEK + dt.timedelta(days=2), 14, 30), staff.patient)
    appointment_at(staff.other, at(WEEK, 10))  # someone else's: not in this view

    response = calendar_get(
        signed_in(client, staff.front_desk),
        view="week",
        date=str(WEEK + dt.timedelta(days=4)),
        therapist=staff.therapist.pk,
    )

    days = day_items(response)
    assert list(days) == [WEEK + dt.timedelta(days=n) for n in range(7)]
    assert days[WEEK + dt.timedelta(days=2)] == [visit]
    assert sum(len(v) for v in days.values()) == 1
    page = text(response)
    assert "Week of Monday, December 7, 2026" in page
    assert "2:30 PM – 3:30 PM" in page
    assert "Initial evaluation" in page
    assert "Grace Hopper" in page
    assert "Booked" in page  # the confirmed status
    assert "Times in America/New_York" in page


def test_day_view_shows_one_day(client: Client, staff: Staff) -> None:
    monday = appointment_at(staff.therapist, at(WEEK, 9))
    appointment_at(staff.therapist, at(WEEK + dt.timedelta(days=1), 9))

    response = calendar_get(
        signed_in(client, staff.front_desk),
        view="day",
        date=str(WEEK),
        therapist=staff.therapist.pk,
    )

    assert day_items(response) == {WEEK: [monday]}
    assert "Monday, December 7, 2026" in text(response)


def test_location_day_view_puts_every_therapist_side_by_side(client: Client, staff: Staff) -> None:
    mine = appointment_at(staff.therapist, at(WEEK, 9))
    theirs = appointment_at(staff.other, at(WEEK, 9))
    elsewhere = TherapistFactory.create(types=staff.clinic.types())  # another location
    appointment_at(elsewhere, at(WEEK, 9))

    response = calendar_get(
        signed_in(client, staff.front_desk),
        view="day",
        date=str(WEEK),
        location=staff.clinic.location.pk,
    )

    rows = response.context["calendar"].therapists
    assert {row.therapist for row in rows} == {staff.therapist, staff.other}
    shown = {row.therapist.pk: [i.appointment for i in row.days[0].appointments] for row in rows}
    assert shown == {staff.therapist.pk: [mine], staff.other.pk: [theirs]}
    assert b'class="calendar-columns"' in response.content


def test_location_week_view_is_a_table_that_scrolls_in_its_own_region(
    client: Client, staff: Staff
) -> None:
    appointment_at(staff.other, at(WEEK + dt.timedelta(days=3), 11))

    response = calendar_get(
        signed_in(client, staff.front_desk), date=str(WEEK), location=staff.clinic.location.pk
    )

    html = response.content.decode()
    assert re.search(
        r'<div class="table-scroll" role="region" aria-labelledby="[^"]+" tabindex="0">', html
    )
    assert html.count('<th scope="row">') == 2
    assert html.count('<th scope="col"') == 8  # therapist + seven days
    assert "11:00 AM – 12:00 PM" in text(response)


@pytest.mark.parametrize("scope", ["therapist", "location"])
def test_dst_week_shows_nine_oclock_on_both_sides_of_the_change(
    client: Client, staff: Staff, scope: str
) -> None:
    saturday = appointment_at(staff.therapist, at(DST_SATURDAY, 9))  # 13:00 UTC (EDT)
    sunday = appointment_at(staff.therapist, at(DST_SUNDAY, 9))  # 14:00 UTC (EST)
    late_sunday = appointment_at(staff.therapist, at(DST_SUNDAY, 23, 30))  # 04:30 UTC Monday
    assert saturday.start.utcoffset() != sunday.start.utcoffset()
    params = (
        {"therapist": staff.therapist.pk}
        if scope == "therapist"
        else {"location": staff.clinic.location.pk}
    )

    response = calendar_get(signed_in(client, staff.front_desk), date=str(DST_SUNDAY), **params)

    days = day_items(response, staff.therapist)
    assert days[DST_SATURDAY] == [saturday]
    assert days[DST_SUNDAY] == [sunday, late_sunday]  # the 25-hour day holds its late visit
    page = text(response)
    assert page.count("9:00 AM – 10:00 AM") == 2
    assert "11:30 PM – 12:30 AM" in page
    assert "Week of Monday, October 26, 2026" in page


def test_dst_day_view_on_the_day_after(client: Client, staff: Staff) -> None:
    monday = appointment_at(staff.therapist, at(dt.date(2026, 11, 2), 9))
    response = calendar_get(signed_in(client, staff.therapist_user), view="day", date="2026-11-02")
    assert day_items(response) == {dt.date(2026, 11, 2): [monday]}
    assert "9:00 AM – 10:00 AM" in text(response)


def test_navigation_steps_by_the_view_and_keeps_the_scope(client: Client, staff: Staff) -> None:
    signed_in(client, staff.front_desk)
    week = calendar_get(client, date="2026-12-09", therapist=staff.therapist.pk)
    assert week.context["prev_url"] == (
        f"/staff/calendar/?view=week&date=2026-12-02&therapist={staff.therapist.pk}"
    )
    assert week.context["next_url"] == (
        f"/staff/calendar/?view=week&date=2026-12-16&therapist={staff.therapist.pk}"
    )
    assert week.context["today_url"] == f"/staff/calendar/?view=week&therapist={staff.therapist.pk}"
    day = calendar_get(client, view="day", date="2026-12-09", location=staff.clinic.location.pk)
    assert day.context["next_url"] == (
        f"/staff/calendar/?view=day&date=2026-12-10&location={staff.clinic.location.pk}"
    )


def test_defaults_a_therapist_to_their_own_week_and_others_to_the_location(
    client: Client, staff: Staff
) -> None:
    own = calendar_get(signed_in(client, staff.therapist_user))
    assert own.context["therapist"] == staff.therapist
    assert own.context["view"] == "week"
    today = dt.datetime.now(tz=NY).date()
    assert own.context["first"] == today - dt.timedelta(days=today.weekday())
    desk = calendar_get(signed_in(Client(), staff.front_desk))
    assert desk.context["therapist"] is None
    assert desk.context["location"] == staff.clinic.location


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-13-45"},
        {"view": "month"},
        {"therapist": "999999"},
        {"location": "999999"},
        {"therapist": "abc"},
    ],
)
def test_bad_parameters_answer_400_with_the_form(
    client: Client, staff: Staff, params: dict[str, str]
) -> None:
    response = signed_in(client, staff.front_desk).get("/staff/calendar/", params)
    assert response.status_code == 400
    assert b'class="error-summary"' in response.content


def test_no_clinical_details_on_the_calendar(client: Client, staff: Staff) -> None:
    appointment_at(
        staff.therapist,
        at(WEEK, 9),
        staff.patient,
        reason="Secret knee history",
        red_flags=["night_pain"],
    )
    response = calendar_get(
        signed_in(client, staff.admin), date=str(WEEK), therapist=staff.therapist.pk
    )
    assert b"Secret knee history" not in response.content
    assert b"night" not in response.content.lower()
    assert "Grace Hopper" in text(response)


def test_therapist_sees_colleagues_visits_without_their_actions(
    client: Client, staff: Staff
) -> None:
    mine = appointment_at(staff.therapist, at(WEEK, 9))
    theirs = appointment_at(staff.other, at(WEEK, 9), staff.patient)

    response = calendar_get(
        signed_in(client, staff.therapist_user),
        view="day",
        date=str(WEEK),
        location=staff.clinic.location.pk,
    )

    html = response.content.decode()
    assert "Grace Hopper" in html  # names are shared for coordination
    assert f"/staff/appointments/{mine.pk}/mark/" in html
    assert f"/staff/appointments/{theirs.pk}/" not in html


def test_outcome_buttons_follow_the_status_and_the_clock(client: Client, staff: Staff) -> None:
    past = appointment_at(staff.therapist, at(dt.date(2026, 10, 6), 9))
    future = appointment_at(staff.therapist, at(dt.date(2099, 10, 5), 9))
    cancelled = appointment_at(
        staff.therapist, at(dt.date(2026, 10, 6), 11), status=AppointmentStatus.CANCELLED
    )
    signed_in(client, staff.front_desk)

    def marks(day: str, pk: int) -> tuple[str, ...]:
        response = calendar_get(client, view="day", date=day, therapist=staff.therapist.pk)
        (item,) = [
            i
            for i in response.context["calendar"].therapists[0].days[0].appointments
            if i.appointment.pk == pk
        ]
        return item.marks

    assert marks("2026-10-06", past.pk) == ("arrived", "completed", "no_show", "late_cancelled")
    assert marks("2099-10-05", future.pk) == ("arrived", "late_cancelled")
    assert marks("2026-10-06", cancelled.pk) == ()
    response = calendar_get(client, view="day", date="2026-10-06", therapist=staff.therapist.pk)
    assert f"/staff/appointments/{cancelled.pk}/" not in response.content.decode()
    assert "Cancelled" in text(response)


def test_time_off_shows_as_away_with_details_only_for_its_owner_and_the_desk(
    client: Client, staff: Staff
) -> None:
    TimeOffFactory.create(
        therapist=staff.other, start=at(WEEK, 13), end=at(WEEK, 17), kind="sick", note="Dentist"
    )
    TimeOffFactory.create(
        therapist=staff.therapist,
        start=at(WEEK + dt.timedelta(days=1), 0),
        end=at(WEEK + dt.timedelta(days=3), 0),
        kind="vacation",
    )
    params = {"date": str(WEEK), "location": staff.clinic.location.pk}

    as_therapist = text(calendar_get(signed_in(client, staff.therapist_user), **params))
    assert "Away: 1:00 PM – 5:00 PM" in as_therapist  # the colleague's, without details
    assert "Dentist" not in as_therapist
    assert as_therapist.count("Away (vacation): all day") == 2  # own: Tuesday and Wednesday
    as_desk = text(calendar_get(signed_in(Client(), staff.front_desk), **params))
    assert "Away (sick leave): 1:00 PM – 5:00 PM · Dentist" in as_desk


def _busy_location(staff: Staff, therapists: int, per_therapist: int) -> None:
    team = [staff.therapist, staff.other]
    team += [
        TherapistFactory.create(location=staff.clinic.location, types=staff.clinic.types())
        for _ in range(therapists - len(team))
    ]
    for member in team:
        for n in range(per_therapist):
            day = WEEK + dt.timedelta(days=n % 7)
            appointment_at(member, at(day, 8 + n // 7), UserFactory.create())
        TimeOffFactory.create(therapist=member, start=at(WEEK, 18), end=at(WEEK, 19))


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("scope", ["therapist", "location"])
def test_queries_do_not_grow_with_appointments_or_therapists(
    client: Client, staff: Staff, django_assert_num_queries: Any, view: str, scope: str
) -> None:
    signed_in(client, staff.therapist_user)
    params: dict[str, Any] = {"view": view, "date": str(WEEK)}
    params[scope] = staff.therapist.pk if scope == "therapist" else staff.clinic.location.pk
    calendar_get(client, **params)  # warm the primary-location cache
    # session, user, content generation (the clinic's cached details), therapists, locations,
    # appointments, time off, the audit event
    with django_assert_num_queries(8):
        calendar_get(client, **params)
    _busy_location(staff, therapists=6, per_therapist=12)
    calendar_get(client, **params)  # new therapists: public content changed, warm it again
    with django_assert_num_queries(8):
        response = calendar_get(client, **params)
    assert response.context["calendar"].appointment_count >= (2 if view == "day" else 12)
