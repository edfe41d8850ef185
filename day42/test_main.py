"""`python -m day42`: the demo runs offline, prints the same every run, and matches its claims."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from day42.__main__ import GROWTH
from day42.growth import growth_class, measure

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_exits_0_and_prints_the_same_every_run() -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-m", "day42"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for _ in range(2)
    ]
    assert [(run.returncode, run.stderr) for run in runs] == [(0, "")] * 2
    assert runs[0].stdout == runs[1].stdout
    assert "shortest path S to G: 15 steps (BFS)" in runs[0].stdout
    assert "cycle: app -> config -> models -> schemas -> views -> app" in runs[0].stdout


def test_each_measured_growth_matches_the_cost_the_table_states() -> None:
    stated_to_measured = {"O(n)": "n", "O(n + e)": "n", "O(n log 16)": "n"}
    stated_to_measured |= {"O(n log k)": "n log n", "O(n log n)": "n log n", "O(n²)": "n²"}
    for name, stated, smallest, run in GROWTH:
        points = measure(run, [smallest * 2**step for step in range(4)])
        assert growth_class(points) == stated_to_measured[stated], (name, points)
