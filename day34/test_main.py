"""`python -m day34`: the demo runs offline, and its untimed part is the same every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day34", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_untimed_demo_prints_the_same_every_run():
    first, second = run_demo("--no-timing"), run_demo("--no-timing")
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "cosine ranks b first" in first.stdout
    assert "the same ids in the same order" in first.stdout
    assert "Timing left out (--no-timing)." in first.stdout


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_timed_demo_measures_each_size():
    result = run_demo()
    assert (result.returncode, result.stderr) == (0, "")
    for size in ("1,000", "10,000", "100,000"):
        assert f"\n{size:>9}" in result.stdout
