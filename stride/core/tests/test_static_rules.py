"""The static checks `make lint` runs: ruff's bandit rules and Stride's semgrep rules.

Every `# noqa` that silences a security rule, and every `nosemgrep`, says why on its own line.
The semgrep rules' `paths` (which `semgrep --test` ignores) are checked here on a small tree laid
out like the project.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SEMGREP = Path(sys.executable).parent / "semgrep"
SKIPPED_DIRS = {"node_modules", "migrations", "__pycache__"}

# `# noqa: S105, E501 (why)`: the codes, then the rest of the comment.
NOQA = re.compile(r"(?:^|\s)#\s*noqa\b(?P<colon>:?)(?P<codes>[\sA-Z0-9,]*)(?P<rest>.*)$")
NOSEMGREP = re.compile(r"(?:^|[\s{])(?:#|<!--)\s*nosemgrep\b(?P<rest>.*)$")
REASON = re.compile(r"[A-Za-z]{3,}")


def _sources(*suffixes: str) -> list[Path]:
    """Return the project's files with ``suffixes``, skipping hidden and vendored folders."""
    return sorted(
        path
        for path in ROOT.rglob("*")
        if path.suffix in suffixes
        and path.is_file()
        and not any(
            part.startswith(".") or part in SKIPPED_DIRS
            for part in path.relative_to(ROOT).parts[:-1]
        )
    )


def _comments(*suffixes: str) -> Iterator[tuple[str, str]]:
    """Yield ``(where, comment)`` for the comments of the project's files with ``suffixes``.

    Python comments come from the tokenizer, so strings and docstrings never count; in
    templates any line may hold a ``{# ... #}`` or ``<!-- ... -->`` comment.
    """
    for path in _sources(*suffixes):
        text = path.read_text()
        where = str(path.relative_to(ROOT))
        if path.suffix == ".py":
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type == tokenize.COMMENT:
                    yield f"{where}:{token.start[0]}", token.string
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                yield f"{where}:{number}", line


def test_ruff_selects_the_bandit_rules_everywhere() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]

    assert "S" in config["select"]
    assert not [code for code in config.get("ignore", []) if code.startswith("S")]
    for pattern, codes in config.get("per-file-ignores", {}).items():
        if any(code.startswith("S") for code in codes):
            assert "tests" in pattern or pattern == "conftest.py", pattern


def test_every_noqa_of_a_security_rule_says_why() -> None:
    unexplained = []
    for where, comment in _comments(".py"):
        match = NOQA.search(comment)
        if match is None:
            continue
        codes = re.findall(r"[A-Z]+[0-9]+", match["codes"])
        # A bare `# noqa` silences every rule, the security ones included.
        if not match["colon"] or not codes:
            unexplained.append(f"{where}: bare noqa")
        elif any(code.startswith("S") for code in codes) and not REASON.search(match["rest"]):
            unexplained.append(f"{where}: {comment}")

    assert unexplained == []


def test_every_nosemgrep_names_its_rule_and_says_why() -> None:
    unexplained = []
    for where, comment in _comments(".py", ".html"):
        match = NOSEMGREP.search(comment)
        if match is None:
            continue
        rule, _, reason = match["rest"].partition("--")
        if not re.fullmatch(r":\s*stride-[a-z-]+\s*", rule) or not REASON.search(reason):
            unexplained.append(f"{where}: {comment}")

    assert unexplained == []


PROJECT = {
    "config/settings/base.py": 'DEBUG = env.bool("DEBUG", default=False)\n',
    "config/settings/production.py": 'DEBUG = True\nALLOWED_HOSTS = ["*"]\n',
    # Only production settings are held to the rule.
    "config/settings/test.py": 'DEBUG = True\nALLOWED_HOSTS = ["*"]\n',
    "stride/clinic/views.py": (
        "from django.views.decorators.csrf import csrf_exempt\n"
        "\n"
        "def detail(request, pk):\n"
        "    return Appointment.objects.get(pk=pk)\n"
        "\n"
        "@csrf_exempt\n"
        "def hook(request): ...\n"
    ),
    # Services may look rows up by id; views and APIs may not.
    "stride/clinic/services.py": "def load(pk):\n    return Appointment.objects.get(pk=pk)\n",
    "stride/clinic/api.py": "def read(request, pk):\n    return Appointment.objects.get(id=pk)\n",
    "stride/clinic/views/booking.py": "def read(request, pk):\n    return Thing.objects.get(pk=pk)\n",
    "stride/scheduling/views/manage.py": (
        "from django.views.decorators.csrf import csrf_exempt\n"
        "\n"
        "@csrf_exempt  # the token in the path is the credential\n"
        "def manage_cancel(request, pk, token): ...\n"
        "\n"
        "@csrf_exempt\n"
        "def manage_move(request, pk, token): ...\n"
    ),
    "stride/clinic/migrations/0002_fix.py": 'cursor.execute(f"UPDATE t SET x = {value}")\n',
    "stride/clinic/templates/clinic/page.html": "<p>{{ note|safe }}</p>\n",
    # Plain-text emails are not escaped anyway.
    "stride/clinic/templates/clinic/email.txt": "{% autoescape off %}{{ note }}{% endautoescape %}\n",
}

EXPECTED = {
    ("stride-production-debug-hosts", "config/settings/production.py", 1),
    ("stride-production-debug-hosts", "config/settings/production.py", 2),
    ("stride-unscoped-object-lookup", "stride/clinic/views.py", 4),
    ("stride-csrf-exempt", "stride/clinic/views.py", 6),
    ("stride-unscoped-object-lookup", "stride/clinic/api.py", 2),
    ("stride-unscoped-object-lookup", "stride/clinic/views/booking.py", 2),
    ("stride-csrf-exempt-reason", "stride/scheduling/views/manage.py", 6),
    ("stride-template-safe-filter", "stride/clinic/templates/clinic/page.html", 1),
}


def test_semgrep_rules_apply_to_the_paths_they_name(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    completed = subprocess.run(
        [
            str(SEMGREP),
            "scan",
            "--config",
            str(ROOT / ".semgrep"),
            "--metrics=off",
            "--disable-version-check",
            "--json",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["errors"] == []
    found = {
        (result["check_id"].rpartition(".")[2], result["path"], result["start"]["line"])
        for result in report["results"]
    }
    assert found == EXPECTED
