"""`python -m day22` as a subprocess: with REDIS_URL, with its own server, and with neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parent.parent


def run_demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day22"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_client_receives_every_change_from_both_servers(
    redis_url: str, redis_client: redis.Redis
) -> None:
    finished = run_demo({**os.environ, "REDIS_URL": redis_url})
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    for name in ("alice", "bob"):
        block = out.split(f"{name} received:\n")[1].split("\n\n")[0]
        assert block.splitlines()[1:] == [
            "  todo.created  #1 'buy milk' done=False via A",
            "  todo.created  #2 'write day 22' done=False via B",
            "  todo.updated  #1 'buy milk' done=True via A",
            "  todo.deleted  #2 'write day 22' done=False via B",
        ]
    assert "bob disconnects; removed from the registry: True" in out
    assert out.rstrip().endswith("connected now: ['A']")
    assert redis_client.keys("day22-demo:*") == []


def test_without_redis_the_demo_says_what_it_needs_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PATH"] = str(tmp_path)
    finished = run_demo(env)
    assert finished.returncode == 0
    assert "this demo needs a Redis: set REDIS_URL" in finished.stdout


def test_a_redis_url_that_does_not_answer_is_one_line() -> None:
    finished = run_demo({**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert finished.returncode == 0
    assert finished.stdout.count("\n") == 1 and "python -m day22:" in finished.stdout
