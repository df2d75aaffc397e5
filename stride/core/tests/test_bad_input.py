"""Send every form, query and JSON body of the site bad and hostile values: never a 500, never
half a write.

Every route of the URLconf (the URL walk's ``ROUTES``) needs a row in ``bad_input_cases``, or
the test fails, like the walk's allow-table; so does every form found on any page. A form's case
opens the page that shows it as a caller allowed to use it, reads the fields from its HTML and
their kinds from the view's Django form, and sends a valid submission with one field at a time
replaced by hostile values (``bad_input.hostile_for``): empty, 100,000 characters, its wrong
type, markup, SQL, CRLF, a NUL byte and raw non-UTF-8 bytes; then the form empty and with
unknown fields. Every route's query string (its own parameters and any other) and its path
segments get the same values, and the API's and FHIR's JSON bodies every member in turn.

What must hold, on SQLite and PostgreSQL alike:

- no answer is a 5xx, and no page carries the markup of a hostile value live;
- a value wrong for its field (any hostile value of a typed field, an empty required field, an
  oversized or NUL-carrying text) is refused: the route's refusal status, the field's own
  message (or, for a check across fields, the form's) on the page, and the database as before;
- a value a free-text field may take (markup, SQL, CRLF) is refused so or accepted; accepted
  markup is shown escaped on the pages that show it;
- no outgoing email carries an injected header or recipient;
- a GET changes nothing.

Each request runs inside a savepoint that is rolled back (``bad_input.Sender``), so each meets
the same database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import resolve
from django.utils.html import escape

from stride.core.tests.bad_input import (
    CRLF,
    EMPTY,
    NON_UTF8,
    NUL,
    OVERSIZED,
    QUERY_VALUES,
    RAW,
    UNKNOWN_VALUES,
    XSS,
    Form,
    Sender,
    Sent,
    body_text,
    context_forms,
    context_formsets,
    form_action_path,
    form_body,
    forms_parse,
    header_injections,
    json_encoded,
    json_leaves,
    json_replaced,
    live_markup,
    merged,
    segment,
    short,
    without,
)
from stride.core.tests.bad_input_cases import (
    ALL_FORMS,
    API_PARAMS,
    BOOKKEEPING,
    FHIR_PARAMS,
    FHIR_POSTS,
    FORMS,
    GET_FORMS,
    JSON_CASES,
    NOT_READ,
    PAGE_MESSAGES,
    QUERIES,
    Bad,
    FormCase,
    JsonCase,
    Probe,
    api_params,
    bad_world,
    caller,
    fhir_params,
    field_kinds,
)
from stride.core.tests.test_url_walk import (  # noqa: F401 (``world``: the fixture, reused)
    ROUTES,
    TABLE,
    World,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(world: World) -> Iterator[Bad]:  # noqa: F811 (``world`` is the imported fixture)
    cache.clear()  # the primary location is cached; this test's clinic is another one
    yield bad_world(world)
    cache.clear()


# --- Every route and every form has a case -----------------------------------------------------


def test_every_route_has_a_bad_input_case() -> None:
    missing = [route for route in ROUTES if route not in QUERIES]
    assert missing == [], "add these routes to QUERIES in bad_input_cases.py"
    posted = {
        *FORMS,
        *JSON_CASES,
        *FHIR_POSTS,
        *(r for r, probes in QUERIES.items() if any(p.method == "POST" for p in probes)),
    }
    unsafe = [r for r, row in TABLE.items() if (row.unsafe or row.post_only) and r not in posted]
    assert unsafe == [], "these routes take POSTs: add their cases to bad_input_cases.py"
    stale = [r for r in [*FORMS, *GET_FORMS, *QUERIES, *JSON_CASES, *FHIR_POSTS] if r not in ROUTES]
    assert stale == [], "these rows name routes that no longer exist"


# Routes whose answers hold no HTML form.
NOT_HTML = ("api/", "fhir/", "calendar/", "staff/^feeds/", "^media/")
NOT_HTML_ENDINGS = (".ics", ".ics$", ".pdf", ".csv", ".xml", ".txt", "feed/", "healthz", "data/")


def test_every_form_on_every_page_has_a_case(bad: Bad) -> None:
    """Open every page, and each form's own page: every form must send to a route with a case."""
    pages: list[tuple[str, str]] = []
    for route, row in TABLE.items():
        if route.startswith(NOT_HTML) or route.endswith(NOT_HTML_ENDINGS):
            continue
        # A visitor, else a patient; on staff pages each staff role, which see other actions.
        staff = ("therapist", "front_desk", "admin") if route.startswith("staff/") else ()
        allowed = [r for r in ("anonymous", "patient", *staff) if 200 in _get_statuses(row, r)]
        pages += [(role, row.path(bad.world)) for role in (allowed if staff else allowed[:1])]
    assert any(role == "front_desk" for role, _ in pages), "no staff page was opened"
    uncovered: set[str] = set()
    for role, path in pages:
        uncovered |= _forms_without_case(caller(bad, role), path)
    for case in ALL_FORMS.values():
        client = caller(bad, case.role)
        if case.setup is not None:
            case.setup(bad)
        uncovered |= _forms_without_case(client, case.page(bad, client))
    assert sorted(uncovered) == [], "add cases for these forms to bad_input_cases.py"


def _get_statuses(row: Any, role: str) -> frozenset[int]:
    statuses = row.statuses[role]
    return statuses if isinstance(statuses, frozenset) else frozenset()


def _forms_without_case(client: Client, path: str) -> set[str]:
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    found = set()
    for form in forms_parse(body_text(response)):
        route = resolve(form_action_path(form, path)).route
        if route not in (FORMS if form.method == "post" else GET_FORMS):
            found.add(f"{form.method.upper()} {route} (a form on {path})")
    return found


# --- Forms ---------------------------------------------------------------------------------------

# Fields a valid submission may carry that no form has: ignored, never assigned.
EXTRA_FIELDS = (
    ("zz_unknown", XSS),
    ("id", "1"),
    ("pk", "1"),
    ("role", "admin"),
    ("is_staff", "on"),
    ("patient", "1"),
    ("user", "1"),
)


@pytest.mark.parametrize("route", sorted(ALL_FORMS))
def test_form_refuses_bad_values_with_field_messages(
    bad: Bad, route: str, django_capture_on_commit_callbacks: Any
) -> None:
    failures = _form_run(bad, route, ALL_FORMS[route], django_capture_on_commit_callbacks)
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)


def _form_run(bad: Bad, route: str, case: FormCase, capture: Any) -> list[str]:
    """Send one form its valid, empty, padded and hostile submissions; return what went wrong."""
    if case.setup is not None:
        case.setup(bad)
    client = caller(bad, case.role)
    page = case.page(bad, client)
    response = client.get(page)
    assert response.status_code == 200, f"GET {page} as {case.role}: {response.status_code}"
    action = case.action(bad) if case.action else urlsplit(page).path
    form = _form_for(forms_parse(body_text(response)), action, page, case.method)
    kinds = {**field_kinds(response), **case.kinds}
    names = [n for n in form.names() if n not in NOT_READ and not re.search(case.skip, n)]
    repeats = [n for n in names if re.search(case.one_of, n)][1:]
    names = [n for n in names if n not in repeats]
    undeclared = [n for n in names if n not in kinds]
    assert undeclared == [], f"declare the kinds of {undeclared} in the case of {route}"
    baseline = merged(form.submission(), case.valid(bad, form))
    sender = Sender(client, capture, BOOKKEEPING | case.may_change)
    failures: list[str] = []

    def submit(
        label: str, expect: str, body: bytes, name: str | None = None, markup: bool = False
    ) -> Sent:
        where = f"{case.method.upper()} {action} {label}"

        def judge(sent: Sent) -> None:
            problems = _judge(bad, case, client, sent, expect, name, markup)
            failures.extend(f"{where}: {problem}" for problem in problems)

        if case.method == "get":
            sent = sender.send("GET", action, query=body, check=judge)
        else:
            sent = sender.send("POST", action, body, check=judge)
        if sent.error:
            failures.append(f"{where}: raised\n{sent.error}")
        return sent

    valid = submit("(valid)", "ok", form_body(baseline))
    assert failures == [], "the valid submission must succeed:\n" + "\n".join(failures)
    assert valid.emails or not case.emails, f"{route}: the valid submission sent no email"
    submit("with unknown fields", "ok", form_body([*baseline, *EXTRA_FIELDS]))
    submit("(empty)", "refuse" if any(kinds[n].required for n in names) else "either", b"")
    for index, name in enumerate(names):
        kind = kinds[name]
        for value in kind.values(index):
            if value.octets is not None:
                body = form_body(without(baseline, name), raw=(name, value.octets))
            else:
                body = form_body([*without(baseline, name), (name, value.text)])
            expect = "refuse" if kind.must_refuse(value) else "either"
            markup = value.kind in ("xss", "xss-attribute")
            submit(f"{name}={value}", expect, body, name, markup)
    return failures


def _form_for(forms: list[Form], action: str, page: str, method: str) -> Form:
    for form in forms:
        if form.method == method and form_action_path(form, page) == action:
            return form
    raise AssertionError(f"no form sending {method.upper()} {action} on {page}")


def _judge(
    bad: Bad,
    case: FormCase,
    client: Client,
    sent: Sent,
    expect: str,
    name: str | None,
    markup: bool,
) -> list[str]:
    """Return what is wrong with one answer of a form (``expect``: ok, refuse or either).

    When markup was accepted, the pages that show it are opened too.
    """
    response = sent.response
    problems = [f"live markup {m!r} in the answer" for m in live_markup(response)]
    problems += [f"email with {i}" for i in header_injections(sent.emails)]
    if case.method == "get" and sent.changed:
        problems.append(f"a GET changed {sent.changed}")
    if response.status_code >= 500:
        return [*problems, f"answered {response.status_code}"]
    outcome = _outcome(case, response)
    if outcome == "refused":
        shown = _messages_shown(case, response, name)
        if expect == "ok":
            problems.append(
                f"refused ({response.status_code}): {shown or short(body_text(response), 300)}"
            )
        if sent.changed:
            problems.append(f"refused but changed {sent.changed}")
        if not shown:
            problems.append(f"refused ({response.status_code}) without a message about it")
    elif outcome == "ok":
        if expect == "refuse":
            problems.append(f"accepted ({response.status_code})")
        elif markup:
            problems += _shown_escaped(bad, case, response, client)
    else:
        problems.append(f"unexpected answer: {outcome}")
    return problems


def _outcome(case: FormCase, response: Any) -> str:
    """Return "ok" or "refused", as the route answers them, or what else it answered."""
    status = response.status_code
    if case.shown == "flash" and status in case.ok:
        return "refused" if _error_messages(response) else "ok"
    if status in case.ok and status in case.refused:
        # Both answer 200: a refusal shows the form again, with its messages.
        errors = any(form.is_bound and form.errors for form in context_forms(response))
        return "refused" if errors else "ok"
    if status in case.ok:
        return "ok"
    if status in case.refused:
        return "refused"
    return f"status {status}"


def _error_messages(response: Any) -> list[str]:
    messages = get_messages(response.wsgi_request)
    return [str(m.message) for m in messages if m.level >= message_levels.ERROR]


def _messages_shown(case: FormCase, response: Any, name: str | None) -> list[str]:
    """Return the messages a refusal shows about field ``name``, or [] when it shows none.

    The field's own messages, all of them on the page, when it has any; else any other message
    of the form shown (a check across fields, such as two passwords that differ, names the
    second field) or the page's own (``PAGE_MESSAGES``).
    """
    body = body_text(response)
    if case.message:
        return [case.message] if case.message in body else []
    if case.shown == "text":
        return [body] if body.strip() else []
    if case.shown == "flash":
        return _error_messages(response)
    own: list[str] = []
    others = [
        str(message)
        for key in PAGE_MESSAGES
        if response.context is not None and (message := response.context.get(key))
    ]
    for form in context_forms(response):
        if not form.is_bound:
            continue
        names = {form.add_prefix(n): n for n in form.fields}
        for field_name, errors in form.errors.items():
            target = own if name is not None and names.get(name) == field_name else others
            target += [str(error) for error in errors]
    for formset in context_formsets(response):
        others += [str(error) for error in formset.non_form_errors()]
    if own:
        return own if all(escape(m) in body for m in own) else []
    return [m for m in others if escape(m) in body]


def _shown_escaped(bad: Bad, case: FormCase, response: Any, client: Client) -> list[str]:
    """Open the pages that show what was accepted; return any that carries it as markup."""
    pages: list[tuple[Client, str]] = []
    location = response.get("Location", "")
    if response.status_code in (301, 302, 303) and location.startswith("/"):
        pages.append((client, location))
    pages += [(caller(bad, role), path(bad)) for role, path in case.shows]
    problems = []
    for visitor, path in pages:
        problems += [f"{path} shows {m!r} live" for m in live_markup(visitor.get(path))]
    return problems


# --- Query strings and path segments -----------------------------------------------------------

# Routes probed together, in one world each: the URL's first segment, or the site's own pages.
AREAS = {"accounts", "api", "appointments", "book", "fhir", "my", "staff"}


def _area(route: str) -> str:
    head = route.lstrip("^").split("/")[0]
    return head if head in AREAS else "site"


@pytest.mark.parametrize("area", sorted({_area(route) for route in QUERIES}))
def test_query_strings_and_path_segments_never_break_a_route(
    bad: Bad, area: str, django_capture_on_commit_callbacks: Any
) -> None:
    failures = [
        failure
        for route in sorted(QUERIES)
        if _area(route) == area
        for probe in QUERIES[route]
        for failure in _probe_run(bad, probe, django_capture_on_commit_callbacks)
    ]
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)


def _probe_run(bad: Bad, probe: Probe, capture: Any) -> list[str]:
    """Send one probe's hostile query strings and path segments; return what went wrong."""
    if probe.setup is not None:
        probe.setup(bad)
    sender = Sender(caller(bad, probe.role), capture, BOOKKEEPING | probe.may_change)
    base, _, query = probe.path(bad).partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    params = probe.params
    if params == API_PARAMS:
        params = api_params(base)
    elif params == FHIR_PARAMS:
        params = fhir_params(base, search=probe.method == "POST")
    failures: list[str] = []

    def send(where: str, path: str, body: bytes) -> None:
        where = f"{probe.method} {short(where)}"
        if probe.method == "GET":
            sent = sender.send("GET", path, query=body)
        else:
            sent = sender.send(probe.method, path, body)
        if sent.error:
            failures.append(f"{where}: raised\n{sent.error}")
            return
        if sent.response.status_code >= 500:
            failures.append(f"{where}: answered {sent.response.status_code}")
        failures.extend(f"{where}: live markup {m!r}" for m in live_markup(sent.response))
        if sent.changed and probe.method == "GET":
            failures.append(f"{where}: a GET changed {sent.changed}")

    for param in (*params, "zz_unknown"):
        rest = without(pairs, param)
        for value in QUERY_VALUES if param != "zz_unknown" else UNKNOWN_VALUES:
            if value.octets is not None:
                body = form_body(rest, raw=(param, value.octets))
            else:
                body = form_body([*rest, (param, value.text)])
            send(f"{base}?{param}={value}", base, body)
    if probe.segment is not None:
        for value in QUERY_VALUES:
            if value is not EMPTY:
                path = probe.segment(bad, segment(value))
                send(f"{path} ({value})", path, form_body(pairs))
    return failures


# --- JSON bodies ---------------------------------------------------------------------------------

# Whole bodies that are not the JSON asked for.
MALFORMED: tuple[tuple[str, bytes], ...] = (
    ("an empty body", b""),
    ("malformed JSON", b'{"a": '),
    ("a JSON array", b"[]"),
    ("JSON null", b"null"),
    ("raw non-UTF-8 bytes", NON_UTF8),
    ("JSON nested 100,000 deep", b"[" * 100_000),
)
# What a free-text member may accept: it is text like any other, stored as given (JSON answers
# carry it as data; pages show it escaped).
TEXT_MAY_TAKE = frozenset({"xss", "sql", "crlf", "a number for text"})


def _json_values(text: bool) -> tuple[tuple[str, Any], ...]:
    """Return (label, value) of the hostile values one JSON member is given."""
    return (
        ("empty", ""),
        ("oversized", OVERSIZED),
        ("huge-int", 10**21),
        ("a number for text" if text else "not-a-number", 123 if text else "abc"),
        ("null", None),
        ("an object", {"$ne": 1}),
        ("xss", XSS),
        ("sql", "' OR 1=1--"),
        ("crlf", CRLF),
        ("nul", NUL),
        ("non-utf8", RAW),
    )


@pytest.mark.parametrize("route", sorted({**JSON_CASES, **FHIR_POSTS}))
def test_json_bodies_are_refused_by_member_and_change_nothing(
    bad: Bad, route: str, django_capture_on_commit_callbacks: Any
) -> None:
    case = {**JSON_CASES, **FHIR_POSTS}[route]
    failures = _json_run(bad, case, django_capture_on_commit_callbacks)
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)


def _json_run(bad: Bad, case: JsonCase, capture: Any) -> list[str]:
    """Send one JSON route its hostile bodies; return what went wrong."""
    client = caller(bad, case.role)
    document = case.body(bad, client)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in case.headers(bad).items()}
    sender = Sender(client, capture, BOOKKEEPING)
    path = case.path(bad)
    failures: list[str] = []

    def send(label: str, body: bytes, expect: str, member: tuple[str | int, ...] | None) -> None:
        where = f"POST {path} {label}"
        sent = sender.send("POST", path, body, content_type=case.content_type, headers=headers)
        if sent.error:
            failures.append(f"{where}: raised\n{sent.error}")
            return
        failures.extend(f"{where}: {p}" for p in _json_judge(case, sent, expect, member))

    send("(valid)", json_encoded(document), "ok", None)
    assert failures == [], "the valid body must succeed:\n" + "\n".join(failures)
    unknown = {**document, "zz_unknown": XSS, "id": 1, "patient_id": 1}
    send("with unknown members", json_encoded(unknown), "refuse" if case.strict else "ok", None)
    for label, body in MALFORMED:
        send(label, body, "refuse" if document else "either", None)
    for leaf in json_leaves(document):
        member = ".".join(str(part) for part in leaf)
        text, optional = member in case.text, member in case.optional
        for label, value in _json_values(text):
            may_take = (text and label in TEXT_MAY_TAKE) or (
                optional and label in ("empty", "null")
            )
            body = json_encoded(json_replaced(document, leaf, value))
            # Raw bytes make the whole body invalid JSON: the refusal names the body.
            named = leaf if label != "non-utf8" else None
            send(f"{member}={label}", body, "either" if may_take else "refuse", named)
    return failures


def _json_judge(case: JsonCase, sent: Sent, expect: str, leaf: Any) -> list[str]:
    """Return what is wrong with one answer of a JSON route (``leaf``: the member replaced)."""
    response = sent.response
    status = response.status_code
    if status >= 500:
        return [f"answered {status}"]
    problems = [f"email with {i}" for i in header_injections(sent.emails)]
    if status in case.ok:
        return [*problems, f"accepted ({status})"] if expect == "refuse" else problems
    if not 400 <= status < 500:
        return [*problems, f"unexpected answer {status}"]
    if expect == "ok":
        problems.append(f"refused ({status}): {short(response.content.decode(), 300)}")
    if sent.changed:
        problems.append(f"refused but changed {sent.changed}")
    data = json.loads(response.content)
    if case.fhir:
        expressions = [e for issue in data.get("issue", []) for e in issue.get("expression", [])]
        if data.get("resourceType") != "OperationOutcome":
            problems.append(f"refused ({status}) without an OperationOutcome")
        elif leaf is not None and not any(_fhir_names(leaf, e) for e in expressions):
            problems.append(f"refused ({status}) naming {expressions}, not {leaf}")
    elif status == 422 and leaf is not None:
        member = ".".join(str(part) for part in leaf)
        fields = data.get("fields", {})
        if not any(_names(member, name) for name in fields):
            problems.append(f"refused (422) without naming {member}: {fields}")
    elif "error" not in data:
        problems.append(f"refused ({status}) without an error code: {data}")
    return problems


def _names(member: str, name: str) -> bool:
    """Return whether an error about ``name`` is about ``member`` (or its object or part)."""
    return name == member or member.startswith(f"{name}.") or name.startswith(f"{member}.")


def _fhir_names(leaf: tuple[str | int, ...], expression: str) -> bool:
    """Return whether a FHIR ``expression`` (``Appointment.participant[0].status``) names the
    element at ``leaf`` (``("participant", 0, "status")``), its parent or a child."""
    path = "Appointment" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in leaf)
    if "." not in expression:  # the whole resource names no element
        return False
    return expression == path or path.startswith(expression) or expression.startswith(path)
