"""`python -m day30`: the demo runs offline, the same every time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day30"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout


def test_the_demo_shows_tokens_a_packed_prompt_and_costs() -> None:
    out = run_demo().stdout
    assert "'1234567'" in out and "'123', '456', '7'" in out
    assert "decode(encode(text)) == text for every sample: True" in out
    assert "(truncated)" in out
    assert "out   note 2" in out
    assert "gpt-4o-mini" in out and "configuration" in out
