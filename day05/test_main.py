"""``python -m day05``: the scripted session shows every status the API uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from day05.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_demo_shows_each_status_code_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0

    out = capsys.readouterr().out
    for status in (200, 201, 204, 400, 404, 405, 409, 415, 422):
        assert f"\n< {status} " in out, f"status {status} missing from the demo output"
    assert "status codes shown: 200 201 204 400 404 405 409 415 422" in out


def test_demo_rejects_an_unknown_argument_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--fast"])

    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err == "python -m day05: unrecognized arguments: --fast (see --help)\n"


def test_demo_prints_the_same_every_run_whatever_the_hash_seed() -> None:
    def demo(seed: str) -> str:
        completed = subprocess.run(
            [sys.executable, "-m", "day05"],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return completed.stdout

    first = demo("1")
    # Seeds 1 and 4 make Werkzeug list the 405's Allow methods in different orders.
    assert "  Allow: GET, HEAD, OPTIONS, POST\n" in first, first
    assert demo("4") == first
