"""`python -m day31`: the offline demo of the resilient client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day31"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_shows_each_failure_handled_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    out = first.stdout
    assert "local-chat: 429, waited 0.01 s" in out
    assert "-> local-chat-mini: From the mini.  [4 requests]" in out
    assert "local-chat: circuit open" in out
    assert "-> offline: " in out
    assert "check OPENAI_API_KEY  [1 request, no fallback]" in out
    assert "then the deadline: the language model is unreachable" in out
