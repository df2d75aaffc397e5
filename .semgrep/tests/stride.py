# Examples for .semgrep/stride.yml, checked by `semgrep --test`: each annotation names the rules
# that must (or must not) match the line below it. `semgrep --test` ignores the rules' `paths`;
# stride/core/tests/test_static_rules.py checks those.
from django.db import connection
from django.db.models.expressions import RawSQL
from django.shortcuts import get_list_or_404, get_object_or_404
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt

from stride.content.markdown import render_markdown


# --- stride-mark-safe ---


def escaping_off(user_input, article):
    # ruleid: stride-mark-safe
    a = mark_safe(user_input)
    # ruleid: stride-mark-safe
    b = SafeString(f"<b>{user_input}</b>")
    # ruleid: stride-mark-safe
    c = format_html(f"<b>{user_input}</b>")
    # ruleid: stride-mark-safe
    d = mark_safe(article.body_html.replace("x", user_input))
    return a, b, c, d


def escaping_kept(user_input, article):
    # ok: stride-mark-safe
    a = format_html("<b>{}</b>", user_input)
    # ok: stride-mark-safe
    b = mark_safe(render_markdown(article.body).html)
    rendered = render_markdown(article.body)
    # ok: stride-mark-safe
    c = mark_safe(rendered.html)
    # ok: stride-mark-safe
    d = mark_safe("<br>")
    # ok: stride-mark-safe
    e = mark_safe(user_input)  # nosemgrep: stride-mark-safe -- a justified exception
    return a, b, c, d, e


# --- stride-raw-sql and stride-sql-string-building ---


def raw_queries(Appointment, qs, name, table):
    # ruleid: stride-raw-sql
    Appointment.objects.raw("SELECT * FROM scheduling_appointment")
    # ruleid: stride-raw-sql
    qs.extra(where=["start > now()"])
    # ruleid: stride-raw-sql
    qs.annotate(n=RawSQL("SELECT 1", []))
    # ruleid: stride-raw-sql, stride-sql-string-building
    qs.raw(f"SELECT * FROM t WHERE name = '{name}'")
    with connection.cursor() as cursor:
        # ruleid: stride-sql-string-building
        cursor.execute(f"SELECT * FROM t WHERE name = '{name}'")
        # ruleid: stride-sql-string-building
        cursor.execute("SELECT * FROM t WHERE name = '" + name + "'")
        # ruleid: stride-sql-string-building
        cursor.execute("SELECT * FROM t WHERE name = '%s'" % name)
        # ruleid: stride-sql-string-building
        cursor.execute("SELECT * FROM t WHERE name = '{}'".format(name))
        # ruleid: stride-sql-string-building
        cursor.executemany(f"INSERT INTO {table} VALUES (%s)", [[1]])
        # ruleid: stride-sql-string-building
        cursor.execute(f"SELECT {connection.ops.quote_name(table)} WHERE x = '{name}'")
        sql = f"DELETE FROM {table}"
        # ruleid: stride-sql-string-building
        cursor.execute(sql)


def parameterised_queries(name, table, quote):
    with connection.cursor() as cursor:
        # ok: stride-sql-string-building
        cursor.execute("SELECT * FROM t WHERE name = %s", [name])
        # ok: stride-sql-string-building
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)} CASCADE")
        # ok: stride-sql-string-building
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        # ok: stride-sql-string-building
        cursor.execute("SELECT 1")


# --- stride-unscoped-object-lookup ---


def appointment_detail(request, pk):
    # ruleid: stride-unscoped-object-lookup
    a = Appointment.objects.get(pk=pk)
    # ruleid: stride-unscoped-object-lookup
    b = Appointment.objects.get(id=pk)
    # ruleid: stride-unscoped-object-lookup
    c = Appointment.objects.filter(pk=pk).first()
    # ruleid: stride-unscoped-object-lookup
    d = get_object_or_404(Appointment, pk=pk)
    # ruleid: stride-unscoped-object-lookup
    e = get_list_or_404(Appointment, patient=request.user)
    # ok: stride-unscoped-object-lookup
    f = appointment_get_for_patient(patient=request.user, pk=pk)
    # ok: stride-unscoped-object-lookup
    g = request.GET.get("pk")
    return a, b, c, d, e, f, g


# --- stride-csrf-exempt and stride-csrf-exempt-reason ---


# ruleid: stride-csrf-exempt, stride-csrf-exempt-reason
@csrf_exempt
def webhook(request): ...


# ruleid: stride-csrf-exempt
@csrf_exempt  # the token in the path is the credential
def manage_cancel(request, pk, token): ...


# ruleid: stride-csrf-exempt
exempt_view = csrf_exempt(webhook)


# ok: stride-csrf-exempt, stride-csrf-exempt-reason
def protected(request): ...


# --- stride-production-debug-hosts ---

# ruleid: stride-production-debug-hosts
DEBUG = True
# ruleid: stride-production-debug-hosts
DEBUG = env.bool("DEBUG", default=True)
# ruleid: stride-production-debug-hosts
ALLOWED_HOSTS = ["*"]
# ruleid: stride-production-debug-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["example.org", "*"])
# ok: stride-production-debug-hosts
DEBUG = False
# ok: stride-production-debug-hosts
DEBUG = env.bool("DEBUG", default=False)
# ok: stride-production-debug-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
