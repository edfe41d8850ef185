"""`python -m day21` as a subprocess: with REDIS_URL, with its own server, and with neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

REPO = Path(__file__).resolve().parent.parent


def run_demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day21"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_runs_the_jobs_and_says_where_each_ended(redis_url: str) -> None:
    env = {**os.environ, "REDIS_URL": redis_url}
    first, second = run_demo(env), run_demo(env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    out = first.stdout
    assert "POST /todos/purge {'older_than_days': 30} -> 200 purge-2026-12-02-30d queued" in out
    assert "sync-partner-a: finished, result 3" in out
    assert "sync-partner-b: failed, day21.jobs.PartnerUnavailable" in out
    assert "reminders sent: [('reminder-3f1c9a52-demo', 3)]" in out
    assert out.rstrip().endswith("FailedJobRegistry('day21-demo'): ['sync-partner-b']")


def test_the_demo_leaves_only_keys_that_expire_by_themselves(
    redis_url: str, redis_client: redis.Redis
) -> None:
    assert run_demo({**os.environ, "REDIS_URL": redis_url}).returncode == 0
    left = {key: redis_client.ttl(key) for key in redis_client.keys("*")}
    assert all(key.startswith(("rq:worker:", "rq:clean_groups")) for key in left), left
    assert all(0 < ttl <= 600 for ttl in left.values()), left


def test_without_redis_the_demo_says_what_it_needs_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PATH"] = str(tmp_path)
    finished = run_demo(env)
    assert finished.returncode == 0
    assert "this demo needs a Redis: set REDIS_URL" in finished.stdout


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
def test_a_redis_url_that_does_not_answer_is_one_line(url: str) -> None:
    finished = run_demo({**os.environ, "REDIS_URL": url})
    assert finished.returncode == 0
    assert finished.stdout.count("\n") == 1 and "python -m day21:" in finished.stdout
