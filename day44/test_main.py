"""`python -m day44` and `python -m day44.loadrun`: the demos as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from day44.loadrun import fill

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day44", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "-> 429, Retry-After present: True" in first.stdout
    assert "GET /02tdk01 x5 -> 302 Location: https://example.com/a" in first.stdout
    assert "GET /links/02tdk01 clicks: 5" in first.stdout


def test_without_any_redis_the_demo_says_so_and_runs_without_the_cache() -> None:
    done = run_demo(REDIS_URL="", PATH="/nonexistent")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("No Redis (this demo needs a Redis")
    assert "Redis: none" in done.stdout
    assert "GET /links/02tdk01 clicks: 5" in done.stdout


def test_the_note_is_filled_between_its_markers_only() -> None:
    text = "a\n<!-- measured -->\nold\n<!-- /measured -->\nb\n"
    assert fill(text, "measured", ["new", "lines"]) == (
        "a\n<!-- measured -->\nnew\nlines\n<!-- /measured -->\nb\n"
    )
    with pytest.raises(ValueError, match="no <!-- estimates --> block"):
        fill(text, "estimates", [])
