"""`python -m day38`: the demo runs offline, the same every time, with or without Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(path: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m day38`` with no REDIS_URL; ``path`` replaces PATH (to hide redis-server)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("OPENAI")}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "day38"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rows(out: str) -> list[list[int]]:
    """The numbers of the per-turn table: turn, sent, summary, recent turns, everything."""
    table = out.split("turn  sent", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return [[int(cell) for cell in line.split()[:5]] for line in table]


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout


def test_what_is_sent_levels_off_while_the_whole_history_grows() -> None:
    table = rows(run_demo().stdout)
    assert len(table) == 12
    sent = [row[1] for row in table]
    everything = [row[4] for row in table]
    assert max(sent) <= 150 + 80 + 60  # the budgets, plus the system message and the question
    assert everything == sorted(everything) and everything[-1] > 1.5 * sent[-1]
    # The first fold costs more than it saves: a summary line and the window beat 5 turns.
    fifth = table[4]
    assert fifth[2] > 0 and fifth[1] > fifth[4]
    assert all(row[1] < row[4] for row in table[5:])  # and pays from turn 6 on


def test_the_extractive_summary_has_forgotten_the_first_question() -> None:
    out = run_demo().stdout
    assert "Turn 1 (We are moving the orders table, 40 mil...) is no longer sent" in out


def test_with_redis_the_window_is_read_without_a_query_and_an_outage_falls_back() -> None:
    out = run_demo().stdout
    assert "Redis: a throwaway redis-server on 127.0.0.1" in out
    assert "  the window cached in Redis: 0\n" in out
    assert "  the keys deleted, a miss: 1 (the window is rebuilt from the rows)\n" in out
    assert "  redis-server shut down, three reads: [1, 1, 1]" in out
    assert out.count("one warning is logged") == 1


def test_without_redis_the_demo_says_so_and_uses_the_database() -> None:
    done = run_demo(path="/nonexistent")
    assert (done.returncode, done.stderr) == (0, "")
    assert "redis-server is not installed" in done.stdout
    assert "Reading a conversation's memory" not in done.stdout
    assert len(rows(done.stdout)) == 12
