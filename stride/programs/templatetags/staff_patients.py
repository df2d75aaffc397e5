"""Markup of the therapist's patient list and record, built in Python.

The patient list draws 50 rows of seven cells. In the template language each variable, tag and
include costs tens of microseconds, and so does each ``format_html`` call (its lazy-aware
escaping): the rows took most of the page's time. Here each row is one string joined from
values passed through ``html.escape``, marked safe once.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from stride.core import timefmt

from .. import rules
from ..selectors.dashboard import AlertLine, PatientRow

register = template.Library()

_TRENDS = {
    rules.Trend.IMPROVED: "Improved",
    rules.Trend.WORSE: "<strong>Worse</strong>",
    rules.Trend.UNCHANGED: "Unchanged",
}
_NO_TREND = '<span class="meta">Not enough data</span>'


def _meta(text: str) -> str:
    return f'<span class="meta">{escape(text)}</span>'


def _short_date(value: dt.date) -> str:
    """Return e.g. "Nov 27", as the template filter ``date:"M j"`` writes it."""
    return f"{str(MONTHS_3[value.month]).title()} {value.day}"


def _trend(trend: rules.Trend | None) -> str:
    return _TRENDS.get(trend, _NO_TREND) if trend is not None else _NO_TREND


def _alert(line: AlertLine) -> str:
    alert = line.alert
    pressing = " status-no_show" if alert.rank <= 2 else ""
    return (
        f'<span class="status{pressing}">{escape(alert.get_severity_display())}</span> '
        f'{escape(line.reason)} <span class="meta">Since {_short_date(alert.since)}.</span>'
    )


def _safe(markup: str) -> SafeString:
    # nosemgrep: stride-mark-safe -- every value in it went through html.escape, the rest is ours
    return mark_safe(markup)  # noqa: S308 (every value in it went through html.escape)


@register.simple_tag
def pain_trend(trend: rules.Trend | None) -> SafeString:
    """Return a pain trend in words; "Worse" stands out."""
    return _safe(_trend(trend))


@register.simple_tag
def alert_line(line: AlertLine) -> SafeString:
    """Return one alert: its severity, why it fired and since when."""
    return _safe(_alert(line))


@register.simple_tag
def patient_row(row: PatientRow) -> SafeString:
    """Return one line of the patient list as a table row."""
    patient, program, visit = row.patient, row.program, row.next_appointment
    url = reverse("programs_staff:patient_detail", args=[patient.pk])
    name = f'<a href="{escape(url)}">{escape(patient.get_full_name() or patient.email)}</a>'
    if row.needs_attention:
        name += '<br><span class="status status-no_show">Needs attention</span>'
    if program is None:
        program_cell, last_log, week, trend = _meta("No program"), "", "", ""
    else:
        program_cell = f"{escape(program.title)}<br>{_meta(program.get_status_display())}"
        last_log = _short_date(row.last_log) if row.last_log else _meta("Nothing logged")
        adherence = row.this_week
        week = (
            f"{adherence.logged}/{adherence.prescribed} ({adherence.percent}%)"
            if adherence
            else _meta("—")
        )
        trend = _trend(row.pain_trend)
    if row.alerts:
        alerts = "".join(f"<li>{_alert(line)}</li>" for line in row.alerts)
        alerts = f'<ul class="away-list">{alerts}</ul>'
    else:
        alerts = _meta("None")
    if visit is None:
        next_visit = _meta("None booked")
    else:
        when = timefmt.format_datetime(visit.start, visit.timezone)
        what = f"{visit.appointment_type}, {visit.therapist}"
        next_visit = f"{escape(when)}<br>{_meta(what)}"
    attention = ' class="needs-attention"' if row.needs_attention else ""
    cells = "".join(
        f"<td>{cell}</td>\n" for cell in (program_cell, last_log, week, trend, alerts, next_visit)
    )
    return _safe(f'<tr{attention}>\n<th scope="row">{name}</th>\n{cells}</tr>')
