"""`python -m day40`: the demo runs offline, exits 0 and prints the same every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "NOTES_")) and k != "REDIS_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "day40"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_demo_imports_the_sample_folder_and_answers_with_sources_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "imported 7 notes (" in first.stdout
    assert "refused notes/links.html: not a Markdown file" in first.stdout
    assert "re-embedded 0 chunks" in first.stdout
    assert "] Zero-downtime migrations: " in first.stdout
    assert "I could not find that in your notes." in first.stdout
