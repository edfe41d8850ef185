"""The `python -m day20` demo: the same output every run, exit 0 with or without a Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m day20`` in a subprocess, without REDIS_URL unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "day20", *args],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_on_redis_url_shows_the_burst_the_exact_wait_and_the_shared_budget(
    redis_client: redis.Redis, redis_url: str
) -> None:
    redis_client.set("someone:else", "kept")

    done = run_demo(REDIS_URL=redis_url)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "fixed window: +++++ | +++++  -> 10 passed in 0.1 s" in out
    assert "sliding log : +++++ | xxxxx  -> 5 passed in 0.1 s" in out
    assert "t=5   : refused, retry after 5 s (Retry-After: 5)" in out
    assert "t=9.5 : refused, retry after 0.5 s (Retry-After: 1)" in out
    assert "t=10  : passes" in out
    assert "A:200 B:200 A:200 B:200 A:200 B:429" in out
    assert "X-RateLimit-Limit 5, X-RateLimit-Remaining 0" in out
    assert sorted(redis_client.keys("*")) == ["someone:else"]


def test_demo_prints_the_same_every_run() -> None:
    first, second = run_demo("--limit", "3"), run_demo("--limit", "3")

    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert "A:200 B:200 A:200 B:429" in first.stdout


def test_demo_without_any_redis_says_what_it_needs_and_exits_0() -> None:
    done = run_demo(PATH=str(Path(sys.executable).parent))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("python -m day20: this demo needs a Redis: set REDIS_URL")


def test_demo_refuses_a_bad_limit_in_one_line() -> None:
    done = run_demo("--limit", "0")

    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "python -m day20: error: argument --limit: expected a number from 1 to 50, got 0"
    )
