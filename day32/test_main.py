"""`python -m day32`: the demo runs offline, exits 0 and says the same thing every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day32"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_demo_shows_ownership_and_search_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout == second.stdout
    out = first.stdout
    assert "bob lists:  Cycling\n" in out
    for method in ("GET", "PATCH", "DELETE"):
        assert f"{method} /notes/1 as bob: 404 you have no note 1" in out
    assert "words     'bakes'          -> Bake sale, Sourdough" in out
    assert "substring '5%'             -> Hydration" in out
    assert "words     'tyres'          -> (nothing)" in out
    assert "After ada deletes Bake sale, 'bake' finds: (nothing)" in out
