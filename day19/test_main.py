"""The demo, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys

from shared.serve import REPO_ROOT


def test_the_demo_runs_the_flow_and_exits_0(redis_url):
    env = {**os.environ, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, "-m", "day19"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "5. GET / -> 200" in done.stdout
    assert "session keys left: 0" in done.stdout
    assert "a tampered state: 400 mismatching_state" in done.stdout


def test_the_demo_says_so_when_redis_does_not_answer():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0"}
    done = subprocess.run(
        [sys.executable, "-m", "day19"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0
    assert "does not answer" in done.stdout
