"""`python -m day36`: the demo runs offline, the same every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    return subprocess.run(
        [sys.executable, "-m", "day36"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout


def test_the_demo_shows_each_way_an_answer_can_end() -> None:
    out = run_demo().stdout
    statuses = [
        line.split("(", 1)[1].split(")", 1)[0]
        for line in out.splitlines()
        if line.startswith("  answer (")
    ]
    assert statuses == ["answered", "rejected", "uncited", "not_found"], out
    assert "context: 2 passages, 154 of 200 tokens" in out
    assert "(left out: over the budget)" in out
    assert "the model was not asked (the server received nothing)" in out
