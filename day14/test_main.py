"""The `python -m day14` demo: it reads files only, so it runs the same with or without Docker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from day14.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    """The demo in a subprocess pointed at a Docker socket where nothing listens."""
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    return subprocess.run(
        [sys.executable, "-m", "day14", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_demo_passes_every_check_without_an_engine() -> None:
    done = run_demo()
    assert done.returncode == 0, done.stderr
    assert "7 of 7 checks pass" in done.stdout
    assert "left out  .venv/bin/python" in done.stdout
    assert "sent      shared/db.py" in done.stdout
    assert run_demo().stdout == done.stdout


def test_demo_exits_1_and_names_the_failing_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim\nCMD gunicorn app:app\n")
    assert main([str(dockerfile)]) == 1
    out = capsys.readouterr().out
    assert "FAIL non-root user: no USER in the last stage: it runs as root" in out
    assert "0 of 7 checks pass" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "cannot read"), ("RUN true\n", "no FROM instruction")],
)
def test_demo_refuses_an_unreadable_file_in_one_line(
    tmp_path: Path, text: str | None, message: str
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    if text is not None:
        dockerfile.write_text(text)
    done = run_demo(str(dockerfile))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
