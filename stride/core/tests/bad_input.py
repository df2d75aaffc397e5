"""Tools of the bad-input test: hostile values, HTML forms, database summaries and a sender.

``test_bad_input`` sends every form and query of the site the values here; its cases are in
``bad_input_cases``. Nothing in this module knows Stride's routes.
"""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django import forms as django_forms
from django.apps import apps
from django.core import mail
from django.db import connection, models, transaction
from django.forms.formsets import BaseFormSet
from django.test import Client

# --- Hostile values ------------------------------------------------------------------------------

OVERSIZED = "x" * 100_000
XSS = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
# What must never reach a page as markup: the live tags of the two XSS values.
LIVE_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
CRLF = "a\r\nBcc: x@evil.example"
EVIL_DOMAIN = "evil.example"
NUL = "a\x00b"
# Raw bytes that are not UTF-8; sent unencoded in a body or query string.
NON_UTF8 = b"\xff\xfe"


@dataclass(frozen=True)
class Hostile:
    """One bad value of a class: ``text`` sent as the field's value, or raw ``octets``."""

    kind: str
    text: str = ""
    octets: bytes | None = None

    def __str__(self) -> str:
        return self.kind


EMPTY = Hostile("empty", "")
OVERSIZED_VALUE = Hostile("oversized", OVERSIZED)
HUGE_INT = Hostile("huge-int", "999999999999999999999")
NO_SUCH_DATE = Hostile("no-such-date", "2026-02-30")
MARKUP = (Hostile("xss", XSS), Hostile("xss-attribute", XSS_ATTR))
SQL = (Hostile("sql", "' OR 1=1--"), Hostile("sql-drop", '"; DROP TABLE x;--'))
CRLF_VALUE = Hostile("crlf", CRLF)
NUL_VALUE = Hostile("nul", NUL)
NON_UTF8_VALUE = Hostile("non-utf8", octets=NON_UTF8)
# What a query parameter or a path segment is sent: every class, as text.
QUERY_VALUES: tuple[Hostile, ...] = (
    EMPTY,
    OVERSIZED_VALUE,
    HUGE_INT,
    NO_SUCH_DATE,
    *MARKUP,
    SQL[0],
    CRLF_VALUE,
    NUL_VALUE,
    NON_UTF8_VALUE,
)
# An unknown parameter: is it reflected, does a NUL or raw bytes break the request?
UNKNOWN_VALUES = (MARKUP[1], NUL_VALUE, NON_UTF8_VALUE)


def hostile_for(kind: str, wrong_type: Hostile | None, index: int) -> tuple[Hostile, ...]:
    """Return the hostile values to send a field of ``kind``: one of each class, or fewer.

    Free text gets every class, both markup values (an element's and an attribute's context)
    and one of the two SQL values. A typed field (a number, date, choice, address) refuses
    anything it cannot parse by one path, so it gets its own ``wrong_type`` (a number too large
    for any column, a date that does not exist, a header break for an address) and one of
    markup, SQL and CRLF in turn, ``index`` (the field's place in its form) sharing them out
    over the form's fields. A boolean takes any value as "on": it gets only the values that
    could break the request itself.
    """
    always = (EMPTY, OVERSIZED_VALUE, NUL_VALUE, NON_UTF8_VALUE)
    if kind == "bool":
        return always
    if kind == "text":
        return (*always, *MARKUP, SQL[index % 2], CRLF_VALUE)
    own = (wrong_type,) if wrong_type is not None else ()
    turn = [v for v in (MARKUP[index % 2], SQL[index % 2], CRLF_VALUE) if v not in own]
    return (*always, *own, turn[index % len(turn)])


def form_body(pairs: Iterable[tuple[str, str]], raw: tuple[str, bytes] | None = None) -> bytes:
    """Return ``pairs`` form-encoded, plus ``raw``'s bytes unencoded as one more field."""
    body = urlencode(list(pairs)).encode("ascii")
    if raw is not None:
        name, octets = raw
        body += (b"&" if body else b"") + urlencode({name: ""}).encode("ascii") + octets
    return body


def segment(value: Hostile) -> str:
    """Return ``value`` percent-encoded for a path segment."""
    return quote(value.octets if value.octets is not None else value.text, safe="")


def without(pairs: list[tuple[str, str]], name: str) -> list[tuple[str, str]]:
    """Return ``pairs`` without those of ``name``."""
    return [(n, v) for n, v in pairs if n != name]


def merged(
    pairs: list[tuple[str, str]], values: dict[str, str | list[str]]
) -> list[tuple[str, str]]:
    """Return ``pairs`` with each name of ``values`` given its value(s) instead."""
    result = list(pairs)
    for name, value in values.items():
        result = without(result, name)
        result += [(name, v) for v in ([value] if isinstance(value, str) else value)]
    return result


def short(text: str, limit: int = 90) -> str:
    """Return ``text`` cut to ``limit`` characters, for failure messages about huge values."""
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} characters)"


# --- JSON bodies ---------------------------------------------------------------------------------

RAW = "\ue000raw\ue000"  # stands for raw bytes in a JSON body until it is encoded
JsonPath = tuple[str | int, ...]


def json_leaves(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Yield the path of every value of a JSON document that is not an object or array."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_leaves(item, (*path, index))
    else:
        yield path


def json_replaced(document: Any, path: JsonPath, value: Any) -> Any:
    """Return a copy of ``document`` with the value at ``path`` replaced."""
    copied = copy.deepcopy(document)
    target = copied
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copied


def json_encoded(document: Any) -> bytes:
    """Return ``document`` as JSON, each ``RAW`` string replaced by raw non-UTF-8 bytes."""
    return json.dumps(document).encode().replace(json.dumps(RAW).encode(), b'"' + NON_UTF8 + b'"')


# --- HTML forms ------------------------------------------------------------------------------


@dataclass
class Control:
    """One named control of a form, as a browser sees it."""

    name: str
    tag: str
    type: str
    value: str | None  # None: no value attribute (a checkbox then sends "on")
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    """A ``<form>``: its method, action and named controls in document order."""

    method: str
    action: str
    controls: list[Control] = field(default_factory=list)

    def names(self) -> list[str]:
        """Return the names a user can fill, in order, without duplicates or buttons."""
        seen: dict[str, None] = {}
        for control in self.controls:
            if control.type not in ("submit", "button", "reset", "image"):
                seen.setdefault(control.name, None)
        return list(seen)

    def submission(self) -> list[tuple[str, str]]:
        """Return the pairs a browser submits untouched (no button pressed)."""
        pairs: list[tuple[str, str]] = []
        for control in self.controls:
            if control.type in ("submit", "button", "reset", "image", "file"):
                continue
            if control.type in ("checkbox", "radio"):
                if control.checked:
                    pairs.append((control.name, "on" if control.value is None else control.value))
            elif control.tag == "select":
                chosen = [value for value, selected in control.options if selected]
                if not chosen and control.options and control.type != "select-multiple":
                    chosen = [control.options[0][0]]
                pairs.extend((control.name, value) for value in chosen)
            else:
                pairs.append((control.name, control.value or ""))
        return pairs

    def choices(self, name: str) -> list[str]:
        """Return the values a radio group, checkbox group or select offers for ``name``."""
        values: list[str] = []
        for control in self.controls:
            if control.name != name:
                continue
            if control.tag == "select":
                values.extend(value for value, _ in control.options)
            elif control.type in ("checkbox", "radio"):
                values.append("on" if control.value is None else control.value)
        return values


@dataclass
class _Option:
    value: str | None
    selected: bool
    text: str = ""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: _Option | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag == "form":
            method = (given.get("method") or "get").lower()
            self._form = Form(method=method, action=given.get("action") or "")
            self.forms.append(self._form)
            return
        name = given.get("name")
        if self._form is None:
            return
        kind = (given.get("type") or "").lower()
        if tag == "input" and name:
            control = Control(name, tag, kind or "text", given.get("value"), "checked" in given)
            self._form.controls.append(control)
        elif tag == "button" and name:
            self._form.controls.append(Control(name, tag, kind or "submit", given.get("value")))
        elif tag == "textarea" and name:
            self._textarea = Control(name, tag, "textarea", "")
            self._form.controls.append(self._textarea)
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in given else "select-one"
            self._select = Control(name, tag, kind, "")
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = _Option(given.get("value"), "selected" in given)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data
        if self._option is not None:
            self._option.text += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            option = self._option
            value = option.value if option.value is not None else option.text.strip()
            self._select.options.append((value, option.selected))
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea.value or ""
            self._textarea.value = text[1:] if text.startswith("\n") else text  # as browsers do
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None


def forms_parse(html: str) -> list[Form]:
    """Return every ``<form>`` of ``html`` with its named controls."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_action_path(form: Form, page_path: str) -> str:
    """Return the path ``form`` submits to from the page at ``page_path``."""
    return urlsplit(form.action).path or urlsplit(page_path).path


# --- Answers ---------------------------------------------------------------------------------


def body_text(response: Any) -> str:
    """Return the body of ``response`` as text, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def live_markup(response: Any) -> list[str]:
    """Return the hostile markup a page carries live (JSON, CSV and iCalendar cannot run it)."""
    if "html" not in response.get("Content-Type", ""):
        return []
    body = body_text(response)
    return [markup for markup in LIVE_MARKUP if markup in body]


def header_injections(emails: list[Any]) -> list[str]:
    """Return the injected headers or recipients of ``emails`` (a CRLF value got in)."""
    found = []
    for email in emails:
        recipients = [*email.to, *email.cc, *email.bcc, *getattr(email, "reply_to", [])]
        found += [f"recipient {r!r}" for r in recipients if EVIL_DOMAIN in r or "\n" in r]
        for name, value in email.message().items():
            text = str(value)
            if EVIL_DOMAIN in text or "\n" in text.replace("\n ", "").replace("\n\t", ""):
                found.append(f"header {name}: {text!r}")
    return found


def _context_values(response: Any) -> Iterator[Any]:
    contexts = response.context
    if contexts is None:
        return
    for context in contexts if isinstance(contexts, list) else [contexts]:
        yield from context.flatten().values()


def context_forms(response: Any) -> list[django_forms.BaseForm]:
    """Return the Django forms a page was rendered with, formsets' forms included."""
    found: dict[int, django_forms.BaseForm] = {}
    for value in _context_values(response):
        if isinstance(value, BaseFormSet):
            for form in [*value.forms, value.management_form]:
                found.setdefault(id(form), form)
        elif isinstance(value, django_forms.BaseForm):
            found.setdefault(id(value), value)
    return list(found.values())


def context_formsets(response: Any) -> list[BaseFormSet]:
    """Return the formsets a page was rendered with."""
    found: dict[int, BaseFormSet] = {}
    for value in _context_values(response):
        if isinstance(value, BaseFormSet):
            found.setdefault(id(value), value)
    return list(found.values())


# --- The database's state ------------------------------------------------------------------


class Fingerprint:
    """A summary of every table but ``ignored`` that changes whenever one of its rows does.

    Per table: the row count and, per column, the count of values, the smallest and largest
    value as text and the total length of the values as text. Summing every table after each
    request would be slow, so only the tables written since the last look are summed again:
    on PostgreSQL those the transaction's statistics name (they count writes that were rolled
    back too, hence the sums decide), on SQLite all of them once anything was written.
    """

    def __init__(self, ignored: frozenset[str]) -> None:
        existing = set(connection.introspection.table_names())
        quote_name = connection.ops.quote_name
        self.parts: dict[str, str] = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in ignored or table not in existing or model._meta.proxy:
                continue
            aggregates = ["CAST(COUNT(*) AS TEXT)"]
            for column_field in model._meta.concrete_fields:
                if isinstance(column_field, models.BinaryField):
                    continue
                column = quote_name(str(column_field.column))
                text = f"CAST({column} AS TEXT)"
                aggregates += [
                    f"CAST(COUNT({column}) AS TEXT)",
                    f"COALESCE(MIN({text}), '')",
                    f"COALESCE(MAX({text}), '')",
                    f"CAST(COALESCE(SUM(LENGTH({text})), 0) AS TEXT)",
                ]
            joined = " || '|' || ".join(aggregates)
            # Names from the model registry, quoted by the backend; no value is spliced in.
            self.parts[table] = f"(SELECT {joined} FROM {quote_name(table)})"  # noqa: S608 (model-registry names only)
        self.tables = sorted(self.parts)
        self._writes = self._write_counts()

    def _write_counts(self) -> dict[str, int]:
        """Return how many rows each table had written so far (SQLite: all tables together).

        The counts only grow, rolled back or not, so equal counts mean nothing was written.
        """
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT total_changes()")
                return {"*": cursor.fetchone()[0]}
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            )
            return {name: count for name, count in cursor.fetchall() if name in self.parts}

    def take(self, tables: list[str] | None = None) -> dict[str, object]:
        """Return the summary of ``tables`` (default: all) as they are now."""
        tables = self.tables if tables is None else tables
        if not tables:
            return {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(self.parts[t] for t in tables))
            row = cursor.fetchone() or ()
        return dict(zip(tables, row, strict=True))

    def changed(self, before: dict[str, object]) -> list[str]:
        """Return the tables whose rows differ from ``before`` (a full ``take``)."""
        writes = self._write_counts()
        touched = [t for t, n in writes.items() if n != self._writes.get(t, 0)]
        self._writes = writes
        if touched == ["*"]:
            touched = self.tables
        after = {**before, **self.take(touched)}
        return [t for t in self.tables if after[t] != before[t]]


# --- Sending -------------------------------------------------------------------------------------

FORM_ENCODED = "application/x-www-form-urlencoded"


@dataclass
class Sent:
    """What one request did: its answer, the tables it changed, the emails it sent, or the
    exception it raised (with the test client, a view's exception reaches the test)."""

    response: Any
    changed: list[str]
    emails: list[Any]
    error: str = ""


class Sender:
    """Send requests as one client, each in a savepoint rolled back afterwards.

    Every request thus meets the same database, whatever the one before stored. Emails the
    request schedules on commit are sent (``capture`` is pytest-django's
    ``django_capture_on_commit_callbacks``); the client's cookies are put back afterwards, so
    a request that signs in or out does not change who sends the next one.
    """

    def __init__(self, client: Client, capture: Any, ignored: frozenset[str]) -> None:
        self.client = client
        self.capture = capture
        self.fingerprint = Fingerprint(ignored)
        self.before = self.fingerprint.take()

    def send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        query: bytes = b"",
        content_type: str = FORM_ENCODED,
        headers: dict[str, str] | None = None,
        check: Callable[[Sent], None] | None = None,
    ) -> Sent:
        """Send one request: ``query`` as the raw query string, ``headers`` as WSGI environ
        keys. ``check`` runs before the rollback, so it may open pages that show what the
        request stored."""
        cookies = copy.deepcopy(self.client.cookies)
        outbox = len(mail.outbox)
        extra: dict[str, Any] = dict(headers or {})
        if query:
            extra["QUERY_STRING"] = query.decode("latin-1")  # WSGI's bytes-as-latin-1 strings
        with transaction.atomic():
            try:
                with self.capture(execute=True):
                    response = self.client.generic(
                        method, path, body, content_type=content_type, **extra
                    )
            except Exception:
                transaction.set_rollback(True)
                lines = traceback.format_exc(limit=-3).splitlines()
                sent = Sent(None, [], [], error="\n".join(short(line, 200) for line in lines))
            else:
                changed = self.fingerprint.changed(self.before)
                sent = Sent(response, changed, list(mail.outbox[outbox:]))
                if check is not None:
                    check(sent)
                transaction.set_rollback(True)
        self.client.cookies = cookies
        del mail.outbox[outbox:]
        return sent
