"""`python -m day35`: the demo runs offline, the same every time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day35"],
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


def test_the_demo_re_embeds_only_what_each_edit_changed() -> None:
    out = run_demo().stdout
    assert "First index: kept 0 (0 moved), embedded 5, deleted 0" in out
    assert "One sentence under Backups edited: kept 4 (0 moved), embedded 1, deleted 1" in out
    assert "A section inserted before Workers: kept 5 (1 moved), embedded 1, deleted 0" in out
    assert "CRLF line endings: kept 6 (0 moved), embedded 0, deleted 0" in out
    assert "The title changed: embedded 6, deleted 6" in out
