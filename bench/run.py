"""`make bench`: seed the bench clinic, serve it in production mode, load it, print one table.

Runs on SQLite and PostgreSQL, each freshly created and seeded (``manage.py bench_seed``),
served by granian (``deploy/bin/stride-web``, as deployed) with ``config.settings.production``
and driven by wrk on loopback for a bounded time; every number is the median of three runs.
nginx serving the article page's HTML from a file is the ceiling. The table, with the machine's
description, goes to the terminal and to ``bench/results.md``. See the README's "Benchmarks"
section for what each row means.

Plain Python (stdlib, plus psycopg to create the PostgreSQL database); run with the project's
virtualenv: ``.venv/bin/python bench/run.py [--quick]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
BENCH = ROOT / "bench"
PYTHON = sys.executable
APP_SERVER = ROOT / "deploy" / "bin" / "stride-web"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "stride_bench"
REDIS_URL = "redis://127.0.0.1:6379/5"
CORES = os.cpu_count() or 1
# As deployed: one granian worker per core, two request threads each.
WORKERS = CORES
THREADS = 2
# One connection per request thread, so latency is service time rather than queueing.
CONNECTIONS = WORKERS * THREADS
# Every request says it came through the TLS-terminating proxy, as nginx does in production
# (SECURE_PROXY_SSL_HEADER): the app then serves it instead of redirecting to https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# Pages that cost milliseconds are asked for on a new connection each time. Kept alive, the 4
# connections stay with the worker that accepted them, so a run measured how they happened to
# fall: all on one worker (one core, half the throughput) in about half the runs. Closing
# spreads the requests over the workers as many clients do; the TCP handshake costs little
# next to such a page. Cached article pages keep their connections, as nginx's ceiling does.
CLOSE = {"Connection": "close"}


@dataclass(frozen=True)
class Plan:
    """Durations and sizes; ``--quick`` shrinks them for a smoke test of the harness."""

    seconds: int = 3
    warmup_seconds: int = 1
    booking_seconds: int = 20
    runs: int = 3
    connections: int = CONNECTIONS
    ceiling_connections: int = 64
    booking_clients: int = 50
    booking_slots: int = 200
    scales: tuple[int, ...] = (1, 4, 16)


QUICK = Plan(seconds=2, booking_seconds=4, runs=1, scales=(1, 2))


# --- Results -------------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    db: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    target: str = ""
    met: bool | None = None
    note: str = ""
    single: bool = False

    def cells(self) -> list[str]:
        verdict = {True: "yes", False: "**no**", None: ""}[self.met]
        answers = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return [
            self.scenario,
            self.db,
            str(self.connections),
            f"{self.rps:,.0f}",
            f"{self.p50_ms:.1f}",
            f"{self.p99_ms:.1f}",
            answers,
            self.target,
            verdict,
            self.note,
        ]


HEADER = [
    "Scenario",
    "DB",
    "Conc.",
    "req/s",
    "p50 ms",
    "p99 ms",
    "Answers",
    "Target",
    "Met",
    "Notes",
]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    growth: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    growth_sizes: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print("  " + " | ".join(row.cells()), flush=True)
        return row


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- Processes -----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], *, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    """Run ``cmd`` in the project folder; return its stdout, fail loudly with its output."""
    done = subprocess.run(  # noqa: S603 (fixed argument lists, no shell)
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    if not quiet and done.stdout.strip():
        print("    " + done.stdout.strip().replace("\n", "\n    "), flush=True)
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextmanager
def process(
    cmd: list[str], *, env: dict[str, str], logfile: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``cmd`` in its own process group; stop the group (and only it) afterwards."""
    with logfile.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 (fixed argument lists, no shell)
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextmanager
def app_server(env: dict[str, str], *, name: str, workers: int = WORKERS) -> Iterator[int]:
    """Serve the app as deployed (granian) on a free port until the block ends; yield the port.

    No access log: gunicorn, which the earlier results used, wrote none either.
    """
    port = free_port()
    server_env = {
        **env,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "STRIDE_WEB_THREADS": str(THREADS),
        "STRIDE_WEB_ACCESS_LOG": "off",
        "STRIDE_WEB_LOG_LEVEL": "warning",
        "STRIDE_WEB_KILL_TIMEOUT": "5",
    }
    with process([str(APP_SERVER)], env=server_env, logfile=VAR / f"app-{name}.log") as proc:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"app server ({name}) exited; see {VAR}/app-{name}.log")
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"app server ({name}) did not answer /healthz")
            time.sleep(0.3)
        yield port


NGINX_CONF = """\
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {dir}/tmp-body;
    proxy_temp_path {dir}/tmp-proxy;
    fastcgi_temp_path {dir}/tmp-fastcgi;
    uwsgi_temp_path {dir}/tmp-uwsgi;
    scgi_temp_path {dir}/tmp-scgi;
    default_type "text/html; charset=utf-8";
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        location / {{ try_files /article.html =404; }}
    }}
}}
"""


@contextmanager
def nginx(html: bytes) -> Iterator[int]:
    """Serve ``html`` for every path with nginx (the ceiling); yield its port."""
    folder = VAR / "nginx"
    (folder / "www").mkdir(parents=True, exist_ok=True)
    (folder / "www" / "article.html").write_bytes(html)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=CORES, dir=folder, port=port))
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    cmd = [nginx_bin, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"]
    with process(cmd, env=dict(os.environ), logfile=folder / "stdout.log"):
        for _ in range(100):
            try:
                if get(port, "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield port


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]
    # Timed one request at a time because no answer came within a wrk run.
    single: bool = False


def wrk(
    port: int,
    path: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str],
    script: Path = BENCH / "wrk" / "report.lua",
) -> Sample:
    threads = max(1, min(2, connections))
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["--timeout", "30s", "-s", str(script)]
    for name, value in {**PROXY_HEADERS, **headers}.items():
        cmd += ["-H", f"{name}: {value}"]
    return wrk_sample(run([*cmd, f"http://127.0.0.1:{port}{path}"], quiet=True))


def median(samples: list[Sample]) -> Sample:
    """Return the median of each number over the runs; answers and errors are summed."""
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    for sample in samples:
        for key, count in sample.statuses.items():
            statuses[key] = statuses.get(key, 0) + count
        for key, count in sample.errors.items():
            errors[key] = errors.get(key, 0) + count
    return Sample(
        rps=statistics.median(s.rps for s in samples),
        p50_ms=statistics.median(s.p50_ms for s in samples),
        p99_ms=statistics.median(s.p99_ms for s in samples),
        statuses=statuses,
        errors=errors,
    )


def measure(plan: Plan, port: int, path: str, headers: dict[str, str], connections: int) -> Sample:
    """Warm every worker up on ``path`` (caches, lazy imports, templates), then measure."""
    wrk(port, path, seconds=plan.warmup_seconds, connections=connections, headers=headers)
    sample = median(
        [
            wrk(port, path, seconds=plan.seconds, connections=connections, headers=headers)
            for _ in range(plan.runs)
        ]
    )
    return sample if sample.statuses else single_requests(plan, port, path, headers)


def single_requests(plan: Plan, port: int, path: str, headers: dict[str, str]) -> Sample:
    """Time ``plan.runs`` requests one after another, for pages slower than a wrk run.

    wrk counts only answers that arrive within its run; a page that takes longer would show
    nothing at all. The median and the slowest of these requests stand in for p50 and p99.
    """
    timings: list[float] = []
    statuses: dict[str, int] = {}
    for _ in range(plan.runs):
        began = time.perf_counter()
        status = get(port, path, headers)[0]
        timings.append((time.perf_counter() - began) * 1000)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return Sample(
        rps=1000 / statistics.mean(timings),
        p50_ms=statistics.median(timings),
        p99_ms=max(timings),
        statuses=statuses,
        errors={},
        single=True,
    )


def row_from(sample: Sample, scenario: str, db: str, connections: int, **extra: Any) -> Row:
    note = extra.pop("note", "")
    if sample.errors:
        note = (note + "; " if note else "") + "socket errors " + json.dumps(sample.errors)
    if sample.single:
        note = (note + "; " if note else "") + (
            "no answer within a run: one request at a time, p99 is the slowest of them"
        )
    if not sample.statuses:
        note = (note + "; " if note else "") + "no answer within the run"
        if extra.get("met") is not None:
            extra["met"] = False
    return Row(
        scenario=scenario,
        db=db,
        connections=connections,
        rps=sample.rps,
        p50_ms=sample.p50_ms,
        p99_ms=sample.p99_ms,
        statuses=sample.statuses,
        note=note,
        single=sample.single,
        **extra,
    )


# --- Databases and settings -----------------------------------------------------------------------


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://127.0.0.1",
            "DEBUG": "false",
            # Loopback load from one client address: the per-IP limits would refuse it.
            "STRIDE_RATE_LIMITS": "off",
            "MEDIA_ROOT": str(VAR / "media"),
            "EMAIL_FILE_PATH": str(VAR / "mail"),
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("REDIS_URL", "EMAIL_URL", "DB_CONN_MAX_AGE", "STRIDE_STAFF_2FA"):
        env.pop(name, None)
    return env


def sqlite_env(base: dict[str, str], path: Path) -> dict[str, str]:
    return {**base, "DATABASE_URL": f"sqlite:///{path}"}


def pg_env(base: dict[str, str]) -> dict[str, str]:
    # Several app servers share PostgreSQL and Redis (cache and rate-limit store), as deployed.
    return {**base, "DATABASE_URL": f"{PG_SERVER}/{PG_DATABASE}", "REDIS_URL": REDIS_URL}


def succeeds(cmd: list[str]) -> bool:
    """Return whether ``cmd`` (a fixed command) exits 0; its output is discarded."""
    done = subprocess.run(cmd, capture_output=True, check=False)  # noqa: S603 (fixed commands)
    return done.returncode == 0


def services_up() -> None:
    """Start PostgreSQL and Redis when they are down, as .ci/run does."""
    if not succeeds(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]):
        log("starting PostgreSQL")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(30):
            if succeeds(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]):
                break
            time.sleep(1)
    if not succeeds(["redis-cli", "-h", "127.0.0.1", "ping"]):
        log("starting Redis")
        run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379"])


def pg_recreate() -> str:
    """Drop and create the bench's own PostgreSQL database; return the server's version."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS stride_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE stride_bench")
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def redis_flush() -> None:
    run(["redis-cli", "-n", "5", "FLUSHDB"], quiet=True)


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> str:
    return run([PYTHON, "manage.py", *args], env=env, quiet=quiet)


def dbtool(env: dict[str, str], action: str) -> dict[str, Any]:
    return dict(json.loads(run([PYTHON, str(BENCH / "dbtool.py"), action], env=env, quiet=True)))


# --- Scenarios ----------------------------------------------------------------------------------


@dataclass
class Site:
    """What the scenarios need to know about one seeded database."""

    db: str
    env: dict[str, str]
    info: dict[str, Any]

    def cookie(self, who: str) -> dict[str, str]:
        return {"Cookie": f"{self.info['cookie']}={self.info['sessions'][who]}"}

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.info["today"])


def availability_paths(site: Site, port: int) -> tuple[str, str, str]:
    """Return the one-therapist-week and the location-31-days paths, and a note on the latter."""
    info = site.info
    today = site.today
    monday = today + dt.timedelta(days=7 - today.weekday())
    week = urllib.parse.urlencode(
        {
            "appointment_type": info["types"]["follow-up"],
            "therapist": info["therapist"],
            "start": monday.isoformat(),
            "end": (monday + dt.timedelta(days=6)).isoformat(),
        }
    )
    month = {
        "appointment_type": info["types"]["follow-up"],
        "start": (today + dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=31)).isoformat(),
    }
    status, _, body = get(port, "/api/v1/openapi.json")
    schema = json.loads(body) if status == 200 else {}
    parameters = schema.get("paths", {}).get("/api/v1/availability", {}).get("get", {})
    names = {p.get("name") for p in parameters.get("parameters", [])}
    if "location" in names:
        month["location"] = info["location"]
        note = f"location={info['location']} ({info['therapists_at_location']} therapists)"
    else:
        note = "no location parameter yet: all 10 therapists of the 3 locations"
    return (
        f"/api/v1/availability?{week}",
        f"/api/v1/availability?{urllib.parse.urlencode(month)}",
        note,
    )


def read_scenarios(
    plan: Plan, report: Report, site: Site, port: int, ceiling: float | None
) -> dict[str, Row]:
    """Measure the article, availability, portal and dashboard scenarios on one server."""
    info, db, c = site.info, site.db, plan.connections
    rows: dict[str, Row] = {}
    article = info["article"]

    sample = measure(plan, port, article, {}, c)
    target = ""
    met = None
    if ceiling:
        target, met = f">= 10 % of nginx ({ceiling * 0.1:,.0f}/s)", sample.rps >= 0.1 * ceiling
    rows["article"] = report.add(
        row_from(
            sample,
            "Article page GET",
            db,
            c,
            target=target,
            met=met,
            note=f"{info['article_words']} words; {sample.rps / ceiling:.1%} of nginx"
            if ceiling
            else "",
        )
    )

    _, headers, _ = get(port, article)
    validators = {k.lower(): v for k, v in headers.items()}
    if "etag" in validators:
        conditional = {"If-None-Match": validators["etag"]}
    elif "last-modified" in validators:
        conditional = {"If-Modified-Since": validators["last-modified"]}
    else:
        conditional = {}
    if conditional:
        sample = measure(plan, port, article, conditional, c)
        share = sample.statuses.get("304", 0) / max(1, sum(sample.statuses.values()))
        rows["article_304"] = report.add(
            row_from(
                sample,
                "Article page conditional GET",
                db,
                c,
                target="304 answers",
                met=share > 0.99,
                note=f"{next(iter(conditional))}; {share:.0%} were 304",
            )
        )
    else:
        report.add(
            Row(
                "Article page conditional GET",
                db,
                c,
                0,
                0,
                0,
                {},
                "304 answers",
                False,
                "the page sends neither ETag nor Last-Modified",
            )
        )

    week, month, month_note = availability_paths(site, port)
    rows.update(availability(plan, report, site, port, week, month, month_note, cached=True))
    rows.update(availability(plan, report, site, port, week, month, month_note, cached=False))
    sample = measure(plan, port, "/my/", {**site.cookie("patient"), **CLOSE}, c)
    rows["portal"] = report.add(
        row_from(
            sample,
            "Patient portal /my/",
            db,
            c,
            target="p99 < 100 ms",
            met=sample.p99_ms < 100,
            note="90 days of logs",
        )
    )
    sample = measure(plan, port, "/staff/patients/", {**site.cookie("therapist"), **CLOSE}, c)
    rows["dashboard"] = report.add(
        row_from(
            sample,
            "Therapist dashboard /staff/patients/",
            db,
            c,
            target="p99 < 100 ms",
            met=sample.p99_ms < 100,
            note=f"therapist with {info['patients_of_therapist']} patients",
        )
    )
    sample = measure(plan, port, "/staff/patients/", {**site.cookie("admin"), **CLOSE}, c)
    rows["dashboard_admin"] = report.add(
        row_from(
            sample,
            "Dashboard as clinic admin",
            db,
            c,
            target="p99 < 100 ms",
            met=sample.p99_ms < 100,
            note=f"all {info['patients']} patients",
        )
    )
    for key, row in rows.items():
        expected = {"200", "304"} if key == "article_304" else {"200"}
        unexpected = {s: n for s, n in row.statuses.items() if s not in expected}
        if unexpected:
            row.met = False
            row.note = (row.note + "; " if row.note else "") + f"unexpected answers {unexpected}"
    return rows


def availability(
    plan: Plan,
    report: Report,
    site: Site,
    port: int,
    week: str,
    month: str,
    month_note: str,
    *,
    cached: bool,
    table: bool = True,
) -> dict[str, Row]:
    """Measure both availability scenarios, answered from the cache or computed each time.

    Free slots are cached until the next booking, cancellation or move (which makes every
    cached answer stale), so a busy clinic computes them often: the computed rows show that
    cost, with the cache switched off in the database for their length.
    """
    c = plan.connections
    how = "cached" if cached else "computed (cache off)"
    suffix = "" if cached else "_computed"
    if not cached and dbtool(site.env, "cache-off")["booking_cache"]:
        report.notes.append(
            f"{site.db}: the slot cache could not be switched off; the computed rows are cached"
        )
    try:
        week_sample = measure(plan, port, week, CLOSE, c)
        month_sample = measure(plan, port, month, CLOSE, c)
    finally:
        if not cached:
            dbtool(site.env, "cache-on")
    rows = {
        f"availability_week{suffix}": row_from(
            week_sample,
            f"Availability, one therapist-week, {how}",
            site.db,
            c,
            target=">= 1,000 req/s",
            met=week_sample.rps >= 1000,
        ),
        f"availability_month{suffix}": row_from(
            month_sample,
            f"Availability, location, 31 days, {how}",
            site.db,
            c,
            target="p99 < 50 ms",
            met=month_sample.p99_ms < 50,
            note=month_note,
        ),
    }
    if table:
        for row in rows.values():
            report.add(row)
    return rows


def booking_slots(port: int, site: Site, first: dt.date, count: int) -> list[tuple[int, str]]:
    """Return up to ``count`` free short follow-up slots from ``first`` on, none overlapping."""
    query = urllib.parse.urlencode(
        {
            "appointment_type": site.info["types"]["short-follow-up"],
            "start": first.isoformat(),
            "end": (first + dt.timedelta(days=13)).isoformat(),
        }
    )
    status, _, body = get(port, f"/api/v1/availability?{query}")
    if status != 200:
        raise SystemExit(f"availability for booking slots answered {status}")
    busy_until: dict[int, str] = {}
    slots = []
    for slot in json.loads(body)["slots"]:
        therapist = slot["therapist"]
        start = dt.datetime.fromisoformat(slot["start"])
        if therapist in busy_until and start < dt.datetime.fromisoformat(busy_until[therapist]):
            continue
        busy_until[therapist] = slot["end"]
        slots.append((therapist, slot["start"]))
        if len(slots) == count:
            break
    return slots


def booking_script(name: str, slots: list[tuple[int, str]], site: Site) -> Path:
    header = [
        f'run_id = "{name}"',
        f"appointment_type = {site.info['types']['short-follow-up']}",
        "returning = {" + ", ".join(str(n) for n in site.info["returning_patients"]) + "}",
        "slots = {" + ", ".join(f'{{{t}, "{s}"}}' for t, s in slots) + "}",
    ]
    text = "\n".join(header) + "\n"
    text += (BENCH / "wrk" / "booking.lua").read_text() + (BENCH / "wrk" / "report.lua").read_text()
    path = VAR / f"booking-{name}.lua"
    path.write_text(text)
    return path


def wrk_sample(output: str) -> Sample:
    """Return the numbers of one wrk run from the JSON line report.lua prints."""
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Sample(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=data["statuses"],
        errors={k: v for k, v in data["errors"].items() if v},
    )


def booking(
    plan: Plan, report: Report, site: Site, ports: list[int], *, label: str, week_offset: int
) -> Row:
    """Run the booking scenario ``plan.runs`` times, each over fresh slots; check the database.

    With several servers the clients are split between them and all race for the same slots;
    throughput is their sum and each latency the worse of the servers'.
    """
    samples: list[Sample] = []
    runs: list[tuple[list[str], int, int]] = []  # (reasons, slots, answers 201)
    clients = plan.booking_clients // len(ports)
    for index in range(plan.runs):
        first = site.today + dt.timedelta(days=7 * (week_offset + 2 * index + 1))
        slots = booking_slots(ports[0], site, first, plan.booking_slots)
        name = f"{site.db.lower()}-{label}-{index}".replace(" ", "")
        procs = []
        for n, port in enumerate(ports):
            script = booking_script(f"{name}-{n}", slots, site)
            cmd = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{plan.booking_seconds}s"]
            cmd += ["--timeout", "30s", "-s", str(script), "-H", "Content-Type: application/json"]
            cmd += ["-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}/api/v1/bookings"]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True))  # noqa: S603 (fixed argument list)
        results = [wrk_sample(proc.communicate()[0]) for proc in procs]
        samples.append(
            Sample(
                rps=sum(r.rps for r in results),
                p50_ms=max(r.p50_ms for r in results),
                p99_ms=max(r.p99_ms for r in results),
                statuses=merge_statuses(r.statuses for r in results),
                errors=merge_statuses(r.errors for r in results),
            )
        )
        reasons = [f"bench {name}-{n}" for n in range(len(ports))]
        runs.append((reasons, len(slots), samples[-1].statuses.get("201", 0)))

    check = dbtool(site.env, "check")
    booked = answered = slots_total = 0
    for reasons, slot_count, created in runs:
        made = sum(check["bench_booked"].get(reason, 0) for reason in reasons)
        # wrk stops with up to one request per client in flight; the server still books them.
        if not created <= made <= min(slot_count, created + plan.booking_clients):
            report.notes.append(
                f"{reasons[0]}: {created} answers 201 but {made} appointments in the database "
                f"for {slot_count} slots"
            )
        booked, answered, slots_total = booked + made, answered + created, slots_total + slot_count
    result = median(samples)
    server_errors = sum(n for s, n in result.statuses.items() if s.startswith("5"))
    met = check["overlaps"] == 0 and server_errors == 0 and not result.errors
    servers = f"{len(ports)} app servers, " if len(ports) > 1 else ""
    return report.add(
        row_from(
            result,
            f"Booking{' (' + label + ')' if len(ports) > 1 else ''}",
            site.db,
            plan.booking_clients,
            target="0 double bookings, 0 5xx",
            met=met,
            note=f"{servers}{booked} of {slots_total} slots booked over {plan.runs} runs "
            f"({answered} answered 201 before wrk stopped, the rest were in flight); "
            f"{check['overlaps']} double bookings",
        )
    )


def merge_statuses(parts: Iterator[dict[str, int]] | Any) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in parts:
        for key, count in part.items():
            merged[key] = merged.get(key, 0) + count
    return merged


# --- Machine ------------------------------------------------------------------------------------


def versions(cmd: list[str]) -> str:
    """Return what ``cmd`` prints, on either stream, whatever its exit status."""
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 (fixed commands)
    return (done.stdout + done.stderr).strip()


def machine(pg_version: str) -> list[tuple[str, str]]:
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    os_name = platform.platform()
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    redis = run(["redis-cli", "INFO", "server"], quiet=True)
    redis_version = next(
        (x.split(":")[1].strip() for x in redis.splitlines() if x.startswith("redis_version")), "?"
    )
    commit = versions(["git", "rev-parse", "--short", "HEAD"])
    if " " in commit or not commit:
        commit = "unknown (not a git checkout)"
    elif versions(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes in the checkout)"
    nginx_version = versions([shutil.which("nginx") or "/usr/sbin/nginx", "-v"])
    wrk_version = versions(["wrk", "--version"]).split("Copyright")[0].strip()
    return [
        ("Date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Commit", commit),
        ("CPU", f"{cpu}, {CORES} cores"),
        ("RAM", f"{kib / 1024 / 1024:.1f} GiB"),
        ("OS", os_name),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", pg_version),
        ("Redis", redis_version),
        ("nginx", nginx_version.replace("nginx version: ", "")),
        ("Load generator", wrk_version),
        (
            "App server",
            f"{versions([str(Path(PYTHON).with_name('granian')), '--version'])}, "
            f"{WORKERS} workers x {THREADS} threads (deploy/bin/stride-web), "
            "config.settings.production",
        ),
    ]


# --- The run ------------------------------------------------------------------------------------


@contextmanager
def phase(report: Report, name: str) -> Iterator[None]:
    log(name)
    began = time.monotonic()
    yield
    report.timings.append((name, time.monotonic() - began))


def sqlite_path(scale: int) -> Path:
    return VAR / f"sqlite-scale{scale}.sqlite3"


def prepare(plan: Plan, env: dict[str, str]) -> tuple[str, dict[str, Site]]:
    """Collect static files, create, migrate and seed every database, and sign the bench's
    users in to each; return PostgreSQL's version and the sites ("pg", "sqlite-<scale>").

    Nothing is measured meanwhile, so the jobs share the cores: collectstatic, PostgreSQL
    (migrate, seed) and the SQLite databases of each scale (migrated once, copied, seeded).
    Staff sessions made here outlive the run (STRIDE_STAFF_IDLE_MINUTES, 30 by default).
    """
    pg_version = pg_recreate()
    redis_flush()
    template = VAR / "migrated.sqlite3"
    migrate = ["migrate", "--noinput", "--verbosity", "0"]

    def seeded(site_env: dict[str, str], db: str, *commands: list[str]) -> tuple[str, Site]:
        output = "".join(manage(site_env, *args, quiet=True) for args in commands)
        return output, Site(db=db, env=site_env, info=dbtool(site_env, "prepare"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        static = pool.submit(manage, env, "collectstatic", "--noinput", "--verbosity", "0")
        jobs = {"pg": pool.submit(seeded, pg_env(env), "PostgreSQL", migrate, ["bench_seed"])}
        manage(sqlite_env(env, template), *migrate)
        for scale in plan.scales:
            shutil.copyfile(template, sqlite_path(scale))
            seed = ["bench_seed", "--scale", str(scale)]
            db = "SQLite" if scale == 1 else f"SQLite {scale}x"
            jobs[f"sqlite-{scale}"] = pool.submit(
                seeded, sqlite_env(env, sqlite_path(scale)), db, seed
            )
        static.result()
        sites = {}
        for name, job in jobs.items():
            output, sites[name] = job.result()
            print(f"  {name}:\n    " + output.strip().replace("\n", "\n    "), flush=True)
    return pg_version, sites


def growth(plan: Plan, report: Report, sites: dict[str, Site], port_1x: int) -> None:
    """Measure computed availability and the dashboard at every scale on SQLite; print ratios.

    All scales are served at once and measured in turn, run by run, so a change in the
    machine's load during the phase touches every scale alike. Runs before the booking
    scenario, so scale 1 has the free time the other scales have. Availability is measured
    with the slot cache off: growth is about what computing it costs.
    """
    c = plan.connections
    scenarios = (
        ("Availability, one therapist-week (computed)", "week"),
        ("Availability, location, 31 days (computed)", "month"),
        ("Therapist dashboard", "dashboard"),
    )
    here = {scale: sites[f"sqlite-{scale}"] for scale in plan.scales}
    with ExitStack() as servers:
        ports = {1: port_1x}
        for scale in plan.scales[1:]:
            ports[scale] = servers.enter_context(
                app_server(here[scale].env, name=f"sqlite-{scale}")
            )
        paths: dict[int, dict[str, tuple[str, dict[str, str]]]] = {}
        for scale, port in ports.items():
            week, month, _ = availability_paths(here[scale], port)
            dashboard = ("/staff/patients/", {**here[scale].cookie("therapist"), **CLOSE})
            paths[scale] = {"week": (week, CLOSE), "month": (month, CLOSE), "dashboard": dashboard}
            if dbtool(here[scale].env, "cache-off")["booking_cache"]:
                report.notes.append(f"{here[scale].db}: the slot cache stayed on for growth")
        try:
            samples: dict[tuple[int, str], list[Sample]] = {}
            for _, key in scenarios:
                for scale, port in ports.items():
                    path, headers = paths[scale][key]
                    wrk(port, path, seconds=plan.warmup_seconds, connections=c, headers=headers)
                for _ in range(plan.runs):
                    for scale, port in ports.items():
                        path, headers = paths[scale][key]
                        sample = wrk(
                            port, path, seconds=plan.seconds, connections=c, headers=headers
                        )
                        samples.setdefault((scale, key), []).append(sample)
            measured: dict[tuple[int, str], Sample] = {}
            for (scale, key), runs in samples.items():
                sample = median(runs)
                if not sample.statuses:
                    path, headers = paths[scale][key]
                    sample = single_requests(plan, ports[scale], path, headers)
                measured[scale, key] = sample
        finally:
            for scale in plan.scales:
                dbtool(here[scale].env, "cache-on")
    for label, key in scenarios:
        first = measured[1, key].p50_ms
        cells = [label]
        worst = 0.0
        for scale in plan.scales:
            sample = measured[scale, key]
            if not sample.statuses or not first:
                cells.append("no answer")
                worst = float("inf")
                continue
            ratio = sample.p50_ms / first
            if scale > 1:
                worst = max(worst, ratio / scale)
            alone = " one at a time" if sample.single else ""
            cells.append(f"{sample.p50_ms:,.1f} / {sample.p99_ms:,.1f} ms{alone} ({ratio:.2f}x)")
        cells.append("yes" if worst <= 1 else "**no**")
        report.growth.append(cells)
    report.growth_sizes = [
        f"{scale}x: {site.info['appointments']:,} appointments, {site.info['patients']:,} "
        f"patients, {site.info['patients_of_therapist']:,} on the measured therapist's list"
        for scale, site in here.items()
    ]


def write_results(
    plan: Plan, report: Report, about: list[tuple[str, str]], began: float, loads: tuple[str, str]
) -> str:
    wall = time.monotonic() - began
    lines = [
        "# Stride benchmark results",
        "",
        'Written by `make bench` (`bench/run.py`); see the README\'s "Benchmarks" section.',
        "",
        markdown_table(["Machine", ""], [[k, v] for k, v in about]),
        "",
        f"Load average (1, 5, 15 min) at the start: {loads[0]}; at the end: {loads[1]} "
        f"({CORES} cores: a load above {CORES} means other work shared the machine).",
        "",
        f"Each number is the median of {plan.runs} runs of {plan.seconds} s "
        f"({plan.booking_seconds} s for booking) by wrk on loopback; latencies are wrk's, "
        "from the client. `Conc.` is wrk's open connections (booking: concurrent clients).",
        "",
        markdown_table(HEADER, [row.cells() for row in report.rows]),
        "",
        "## Growth (SQLite)",
        "",
        "p50 / p99 latency at each scale and the p50 cost ratio to scale 1, every scale served "
        "at once and measured in turn, run by run; availability with the slot cache off. Scale "
        "N holds N times the appointment rows per therapist-day (same 10 therapists, same "
        "dates, same free time) and N times the patients; linear means a ratio of at most N.",
        "",
        markdown_table(
            ["Scenario", *(f"{s}x" for s in plan.scales), "No worse than linear"], report.growth
        ),
        "",
        *(f"- {line}" for line in report.growth_sizes),
        "",
    ]
    if report.notes:
        lines += ["## Notes", "", *(f"- {note}" for note in report.notes), ""]
    lines += [
        "## Time",
        "",
        markdown_table(["Phase", "Seconds"], [[n, f"{t:.0f}"] for n, t in report.timings]),
        "",
        f"Wall time of the whole run: {wall / 60:.1f} min.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Short runs: a smoke test.")
    parser.add_argument("--output", type=Path, default=BENCH / "results.md")
    args = parser.parse_args()
    plan = QUICK if args.quick else Plan()
    began = time.monotonic()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    report = Report()
    if VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True)
    services_up()
    env = base_env()

    with phase(report, "prepare: collectstatic, migrate and seed every database in parallel"):
        pg_version, sites = prepare(plan, env)

    sqlite = sites["sqlite-1"]
    with app_server(sqlite.env, name="sqlite") as port:
        with phase(report, "SQLite scenarios"):
            status, _, html = get(port, sqlite.info["article"])
            if status != 200:
                raise SystemExit(f"{sqlite.info['article']} answered {status}")
            with nginx(html) as nginx_port:
                ceiling = measure(
                    plan, nginx_port, sqlite.info["article"], {}, plan.ceiling_connections
                )
            report.add(
                row_from(
                    ceiling,
                    "nginx ceiling: the article's HTML from a file",
                    "-",
                    plan.ceiling_connections,
                    note=f"{len(html):,} bytes",
                )
            )
            read_scenarios(plan, report, sqlite, port, ceiling.rps)
        # Before booking on scale 1, so every scale has the same free time.
        with phase(report, "growth: SQLite at every scale"):
            growth(plan, report, sites, port)
        with phase(report, "SQLite booking"):
            booking(plan, report, sqlite, [port], label="1 server", week_offset=0)

    pg = sites["pg"]
    with phase(report, "PostgreSQL scenarios"), app_server(pg.env, name="pg") as port:
        read_scenarios(plan, report, pg, port, ceiling.rps)
        booking(plan, report, pg, [port], label="1 server", week_offset=0)
    # Two app servers sharing the database and Redis, half the workers each: the guarantee must
    # hold between servers that share nothing but PostgreSQL.
    with (
        phase(report, "two app servers on PostgreSQL"),
        app_server(pg.env, name="pg-a", workers=max(1, WORKERS // 2)) as port_a,
        app_server(pg.env, name="pg-b", workers=max(1, WORKERS // 2)) as port_b,
    ):
        booking(plan, report, pg, [port_a, port_b], label="2 servers", week_offset=1)

    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = write_results(plan, report, machine(pg_version), began, (load_start, load_end))
    args.output.write_text(text)
    print("\n" + text)
    log(f"wrote {args.output} in {(time.monotonic() - began) / 60:.1f} min")


if __name__ == "__main__":
    main()
