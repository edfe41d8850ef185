"""`python -m day29`: the offline demo of the tool loop."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day29"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_runs_the_loop_offline_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    out = first.stdout
    assert '-> {"result": {"value": 93}}' in out
    assert "not backed by a search: [9]" in out
    assert "unknown tool 'shell'" in out
    assert "4 tool messages went back to the model" in out
    assert "I stopped after 3 steps without a final answer." in out
    assert "the arguments are not JSON" in out
