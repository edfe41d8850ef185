"""The `python -m day18` demo: exact counts, exit 0 with or without a Redis, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m day18`` in a subprocess, without REDIS_URL unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "day18", *args],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_on_redis_url_prints_hits_the_race_and_one_query(
    redis_client: redis.Redis, redis_url: str
) -> None:
    redis_client.set("someone:else", "kept")

    done = run_demo("--reads", "50", REDIS_URL=redis_url)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Redis: the server in REDIS_URL.\n")
    assert "50 reads: 49 hits, 1 miss, 1 SELECT, hit ratio 98.0%" in out
    assert "then 2 reads: 50 hits, 2 misses, ratio 96.2%" in out
    assert "JSON bodies from the table:" in out and "x as fast" in out
    assert "invalidation=delete : the next read sees 301 todos, the table has 302: stale" in out
    assert "invalidation=version: the next read sees 303 todos, the table has 303: fresh" in out
    assert "20 readers at once at an empty key: 1 SELECT, 1 load" in out
    assert redis_client.keys("day18:demo:*") == []
    assert redis_client.get("someone:else") == "kept"


def test_demo_without_timing_prints_the_same_every_run() -> None:
    first, second = run_demo("--no-timing"), run_demo("--no-timing")

    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert "timing left out (--no-timing)" in first.stdout


def test_demo_without_any_redis_says_what_it_needs_and_exits_0() -> None:
    done = run_demo(PATH=str(Path(sys.executable).parent))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("python -m day18: this demo needs a Redis: set REDIS_URL")


def test_demo_refuses_a_bad_read_count_in_one_line() -> None:
    done = run_demo("--reads", "3")

    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "python -m day18: error: argument --reads: expected a number from 10 to 10000, got 3"
    )
