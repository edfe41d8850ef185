"""`python -m day11` runs offline in a fresh process, exits 0 and prints the same every time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from day11.__main__ import main
from shared.serve import REPO_ROOT


def run_demo() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day11"],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()

    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout == second.stdout


def test_the_demo_shows_the_preflight_answer_and_the_refusals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out

    assert "<   Access-Control-Allow-Methods: DELETE, GET, PATCH, POST, PUT" in out
    assert "is not a todo field; known fields: title, completed, order" in out
    assert out.rstrip().endswith("<   Vary: Origin"), out[-300:]


def test_help_describes_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    assert "preflight" in capsys.readouterr().out
