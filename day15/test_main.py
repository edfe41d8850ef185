"""The `python -m day15` demo and its --wait mode, as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    return subprocess.run(
        [sys.executable, "-m", "day15", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_demo_exits_0_without_docker_and_prints_the_same_every_run() -> None:
    first = run()
    assert first.returncode == 0, first.stderr
    assert "refused at first: True; accepted once open, 0.4 s in: True" in first.stdout
    assert "gave up at 1.00 s" in first.stdout
    order = next(line for line in first.stdout.splitlines() if "start order" in line)
    assert order.startswith("  ok   start order: api -> mysql, api -> redis, ")
    assert order.endswith(", nginx -> api")
    assert run().stdout == first.stdout


def test_wait_exits_0_when_the_port_answers() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        done = run("--wait", f"127.0.0.1:{server.getsockname()[1]}", "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert "answered after 1 attempts" in done.stdout


def test_wait_exits_1_in_one_line_when_nothing_answers() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        done = run("--wait", f"127.0.0.1:{closed.getsockname()[1]}", "--timeout", "0.3")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "did not answer within 0.3 s" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wait", "db"], "expected host:port, got 'db'"),
        (["--wait", "db:1", "--timeout", "0"], "expected 0 < seconds <= 3600, got 0"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
