"""Run Python scripts as separate processes racing on one database, for exactly-once tests.

Reminders, exercise reminders and the email outbox each prove that senders on several app
servers never send one message twice: a prepare script fills the database, then several worker
scripts run at once, each printing as its last line the JSON list of recipients it emailed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def script_start(script: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start ``script`` in a new Python process from the project's root, with ``env`` added."""
    return subprocess.Popen(  # noqa: S603 (the test's own script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def script_run(script: str, env: dict[str, str], *, timeout: int = 300) -> None:
    """Run ``script`` to the end (e.g. migrate and fill a SQLite file); fail the test if it fails."""
    process = script_start(script, env)
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]  # noqa: S101 (fails the calling test)


def workers_race(script: str, tmp_path: Path, env: dict[str, str], *, workers: int) -> list[str]:
    """Run ``workers`` copies of ``script`` at once; return every recipient any of them emailed.

    Each copy gets ``W_READY`` (a folder to meet in) and ``W_COUNT`` (how many to wait for) so
    that they start together, and prints its recipients as JSON on its last line.
    """
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**env, "W_READY": str(ready), "W_COUNT": str(workers)}
    started = [script_start(script, env) for _ in range(workers)]
    per_worker: list[list[str]] = []
    for worker in started:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err[-3000:]  # noqa: S101 (fails the calling test)
        per_worker.append(json.loads(out.strip().splitlines()[-1]))
    # Otherwise the workers did not overlap and the test proved nothing.
    overlapped = sum(1 for sent in per_worker if sent) >= 2
    assert overlapped, [len(sent) for sent in per_worker]  # noqa: S101 (fails the calling test)
    return [recipient for sent in per_worker for recipient in sent]
