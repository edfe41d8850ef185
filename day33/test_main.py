"""`python -m day33`: the offline demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day33"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def runs() -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    return run_demo(), run_demo()


def test_the_demo_runs_offline_and_prints_the_same_every_run(
    runs: tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]],
) -> None:
    first, second = runs
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout == second.stdout


def test_the_demo_shows_the_hand_computed_embedding_equal_to_the_capstones(
    runs: tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]],
) -> None:
    out = runs[0].stdout
    assert "cosine 1.000000, every one of the 384 numbers within 1e-6" in out
    assert "[CLS] em ##bed ##ding ##s map text to vectors . [SEP]" in out


def test_the_demo_ranks_on_both_back_ends_and_says_what_the_hosted_vectors_are(
    runs: tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]],
) -> None:
    out = runs[0].stdout
    local, hosted = out.split("all-MiniLM-L6-v2 (local):")[1].split("local-embed (hosted")
    assert local.splitlines()[1].endswith("Cache the results of slow database queries in Redis.")
    assert "seeded by a hash of each text" in hosted
    assert "meaning plays no part" in hosted
