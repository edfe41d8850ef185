"""The `python -m day13` demo: exit 0 offline, the same output every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(60)
def test_the_demo_probes_both_endpoints_and_shows_readiness_flip() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "day13"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    ready = 'GET /readyz  -> 200 {"checks": {"database": {"ok": true}}, "status": "ready"}'
    assert ready in lines[2]
    assert "answered by 2 worker processes" in run.stdout
    assert '503 {"checks": {"database": {"error": "OperationalError: unable to open' in run.stdout
    assert lines[-1] == "gunicorn stopped (SIGTERM, graceful)"


def test_the_demo_takes_no_arguments() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "day13", "--port", "1"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "unrecognized arguments: --port 1" in run.stderr
