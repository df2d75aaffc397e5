import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/book/", "/healthz", "/no-such-page/"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp


@pytest.mark.django_db
def test_script_src_uses_a_fresh_nonce_per_response(client):
    first = client.get("/faq/")["Content-Security-Policy"]
    second = client.get("/faq/")["Content-Security-Policy"]
    assert "'nonce-" in first
    assert first != second


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert (
        b"We couldn&#x27;t find that page" in response.content
        or b"find that page" in response.content
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k3y-" + "x7Qp9vL2mN8rT4wZ6yB1cD5fG0hJ3kS" * 2,
        "ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for its own thread
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _production_check(tmp_path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k3y-" + "x7Qp9vL2mN8rT4wZ6yB1cD5fG0hJ3kS" * 2,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("hosts", ["clinic.example.org", "127.0.0.1,clinic.example.org", "*"])
def test_production_refuses_rate_limits_off_on_a_public_host(tmp_path, hosts):
    result = _production_check(tmp_path, ALLOWED_HOSTS=hosts, STRIDE_RATE_LIMITS="off")
    assert result.returncode != 0
    assert "STRIDE_RATE_LIMITS=off is refused" in result.stderr


def test_production_allows_rate_limits_off_for_a_loopback_benchmark(tmp_path):
    result = _production_check(
        tmp_path, ALLOWED_HOSTS="127.0.0.1,localhost", STRIDE_RATE_LIMITS="off"
    )
    assert result.returncode == 0, result.stderr
