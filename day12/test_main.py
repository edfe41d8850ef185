"""`python -m day12` exits 0 offline, prints the same every run, and ignores the caller's setup."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from day12.__main__ import DEMO_SECRET, main
from shared.serve import REPO_ROOT


def run_demo(*args: str, cwd: Path = REPO_ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day12", *args],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_demo_exits_0_with_the_same_output_every_run() -> None:
    first, second = run_demo(), run_demo()

    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout == second.stdout


def test_the_callers_variables_and_dotenv_change_nothing(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TODO_ENV=production\nTODO_PAGE_SIZE=99\n", encoding="utf-8")

    plain = run_demo()
    disturbed = run_demo(cwd=tmp_path, TODO_DEBUG="maybe", TODO_PAGE_SIZE="3")

    assert disturbed.returncode == 0, disturbed.stderr
    assert disturbed.stdout == plain.stdout


def test_the_demo_prints_the_refusals_and_never_a_configured_secret_as_a_setting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out

    refusals = [line for line in out.splitlines() if line.startswith("  refused: ")]
    assert len(refusals) == 7, refusals
    assert "    TODO_SECRET_KEY    = **********" in out
    assert f"= {DEMO_SECRET}" not in out


def test_generate_secret_prints_one_new_secret() -> None:
    run = run_demo("--generate-secret")

    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\n", run.stdout), run.stdout


def test_an_unknown_option_is_a_usage_error_with_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--secret"])

    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "python -m day12: error: unrecognized arguments: --secret"
    )
