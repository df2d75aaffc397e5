"""The app server's launcher (deploy/bin/stride-web) serves Stride as deployed.

Starts it for real on a free loopback port with production settings and asks it what nginx
and a load balancer would: the health check over the proxy's https header (with the security
headers every answer carries) and over plain http (redirected). It needs no tables and no
collected static files, so the test starts in a second or two.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAUNCHER = ROOT / "deploy" / "bin" / "stride-web"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp_path = tmp_path_factory.mktemp("app-server")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "test-app-server-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "STRIDE_WEB_LOG_LEVEL": "warning",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(  # noqa: S603 (the project's own launcher)
        [str(LAUNCHER)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"stride-web exited: {output[-3000:]}")
            try:
                if _get(port, "/healthz", {"X-Forwarded-Proto": "https"}).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "stride-web did not answer /healthz in 60 s"
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_launcher_serves_django_as_behind_the_tls_proxy(server: int) -> None:
    page = _get(server, "/healthz", {"X-Forwarded-Proto": "https"})

    assert page.status == 200
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert "default-src" in page.getheader("Content-Security-Policy", "")


def test_the_launcher_sends_plain_http_to_https(server: int) -> None:
    page = _get(server, "/healthz", {})

    assert page.status == 301
    assert page.getheader("Location") == "https://127.0.0.1/healthz"
