"""`python -m day43`: the demo as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day43", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "REST: 4 requests" in first.stdout
    assert "GraphQL: 1 request" in first.stdout
    assert "The same answer both ways: True" in first.stdout


def test_the_naive_count_grows_with_the_page_and_the_batched_one_does_not() -> None:
    done = run_demo("--sizes", "2", "20")
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("by page size:\n")[1].splitlines()[1:3]
    rows = {
        int(size): (int(naive), int(batched)) for size, _, naive, batched in map(str.split, table)
    }
    assert rows[20][0] > 5 * rows[2][0]
    assert rows[20][1] <= rows[2][1] <= 5


def test_help_describes_the_options_and_exits_0() -> None:
    done = run_demo("--help")
    assert done.returncode == 0
    assert "--sizes" in done.stdout and "--limit" in done.stdout
