"""`python -m day28`: the offline demo, run as a reader would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day28"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_streams_reassembles_and_stops_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    out = first.stdout
    assert "tokens as they arrive: [Server-Sent][ Events][ are]" in out
    assert "finish_reason stop, pieces add up: True" in out
    assert "Without Accept: text/event-stream: 200 {'answer': 'Polling asks; SSE is told.'}" in out
    assert "the relay answered 502: the model's server answered 503" in out
    assert "the relay ended with 'client left', before the end of the answer: True" in out
    assert "the upstream response was closed: True" in out
