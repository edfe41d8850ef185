"""The `python -m day16` demo: exit 0 offline, the same output every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "day16", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.timeout(60)
def test_the_demo_prints_json_log_lines_and_a_metrics_excerpt_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    logged = [
        json.loads(line.strip()) for line in first.stdout.splitlines() if line.startswith("  {")
    ]
    assert [record["status"] for record in logged] == [200, 200, 404, 200, 404]
    assert all(record["duration_ms"] == 12.0 for record in logged)
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in first.stdout


def test_the_demo_takes_no_arguments() -> None:
    run = run_demo("--verbose")
    assert run.returncode == 2
    assert "unrecognized arguments: --verbose" in run.stderr
