"""`python -m day39`: the demo runs offline, exits 0 and prints the same every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NOTES_"))}
    return subprocess.run(
        [sys.executable, "-m", "day39"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_demo_scores_both_retrievers_and_withstands_the_injection_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    assert lines[1].split() == ["method", "hit@1", "hit@3", "grounded", "n"]
    assert [line.split()[0] for line in lines[2:4]] == ["embeddings", "bm25"]
    without = next(line for line in lines if line.startswith("Offline answer without it:"))
    with_it = next(line for line in lines if line.startswith("Offline answer with it:"))
    assert without.split(":", 1)[1].strip() == with_it.split(":", 1)[1].strip()
    assert "The model answered 'PWNED', citing no note: shown instead:" in first.stdout
