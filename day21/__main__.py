"""`python -m day21`: an API enqueues jobs, a burst worker runs them, a failing one is retried.

It uses ``REDIS_URL`` when set; otherwise it starts a throwaway ``redis-server`` on 127.0.0.1
(stopped at the end). With neither, it says in one line what it needs and exits 0. Its queue is
``day21-demo``; the queue and the demo's jobs are deleted before and after the run. Retries
that are due later are released by :func:`day21.background.release_due` at a time given ahead,
so the demo takes a second, not two minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from flask.testing import FlaskClient
from rq import Queue
from rq.job import Job

from day17.server import NoRedis, throwaway_redis
from day21 import background, jobs
from day21.app import create_app
from shared.cache import RedisUnavailable, redacted, redis_client
from shared.config import ConfigError

QUEUE = "day21-demo"
#: The demo's "now" for the purge, fixed so that its job id is the same every run.
DEMO_NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
IDEMPOTENCY_KEY = "3f1c9a52-demo"
JOB_IDS = [
    background.purge_job_id(30, DEMO_NOW.date()),
    background.reminder_job_id(IDEMPOTENCY_KEY),
    "sync-partner-a",
    "sync-partner-b",
]


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="python -m day21",
        description="A Flask endpoint enqueues RQ jobs (a purge with a unique job id, a reminder "
        "with enqueue_in and an idempotency key, two syncs retried with backoff), and a burst "
        "worker runs them; prints each job's state. Uses REDIS_URL if set, else a throwaway "
        "redis-server on 127.0.0.1 when one is installed.",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    url = os.environ.get("REDIS_URL", "").strip()
    try:
        if url:
            redis_client(url, required=True)
            print(f"Redis: the server in REDIS_URL ({redacted(url)}).")
            demo(url)
            return 0
        with throwaway_redis() as throwaway:
            print(
                "Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset), stopped after."
            )
            demo(throwaway)
        return 0
    except (RedisUnavailable, NoRedis) as missing:
        print(f"{parser.prog}: {missing}")
        return 0
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


def clear(queue: Queue) -> None:
    """Delete the demo's jobs, their results and its queue, and nothing else.

    Each burst worker's own hash (``rq:worker:…``) and RQ's maintenance lock expire by themselves
    within ten minutes.
    """
    for job_id in JOB_IDS:
        key = Job.key_for(job_id)
        queue.connection.delete(key, f"{key}:dependents", f"rq:results:{job_id}")
        for registry in (
            queue.scheduled_job_registry,
            queue.failed_job_registry,
            queue.finished_job_registry,
        ):
            registry.remove(job_id)
    queue.delete(delete_jobs=True)


def state(job: Job) -> str:
    """One line on where ``job`` stands."""
    job.refresh()
    status = job.get_status()
    words = [f"{job.id}: {status.value if status else 'gone'}"]
    result = job.latest_result()
    if status and status.value == "finished" and result is not None:
        words.append(f"result {result.return_value!r}")
    elif status and status.value == "scheduled" and job.retries_left is not None:
        words.append(f"{job.retries_left} retries left")
    if status and status.value == "failed" and result is not None and result.exc_string:
        words.append(result.exc_string.strip().splitlines()[-1])
    return ", ".join(words)


def post(client: FlaskClient, path: str, body: dict[str, Any], **headers: str) -> Any:
    response = client.post(path, json=body, headers=headers)
    shown = f" Idempotency-Key: {headers['Idempotency-Key']}" if headers else ""
    data = response.get_json()
    print(f"  POST {path} {body}{shown} -> {response.status_code} {data['id']} {data['status']}")
    return data


def demo(url: str) -> None:
    connection = redis.Redis.from_url(url)
    queue = Queue(QUEUE, connection=connection)
    clear(queue)
    with tempfile.TemporaryDirectory(prefix="day21-") as folder:
        database = str(Path(folder) / "todos.db")
        app = create_app(
            {"REDIS_URL": url, "DATABASE": database, "QUEUE": QUEUE, "CLOCK": lambda: DEMO_NOW}
        )
        try:
            run(app.test_client(), queue, database)
        finally:
            clear(queue)
            connection.close()


def run(client: FlaskClient, queue: Queue, database: str) -> None:
    jobs.add_todo(database, "ship v1", completed_at=DEMO_NOW - timedelta(days=40))
    jobs.add_todo(database, "write docs", completed_at=DEMO_NOW - timedelta(days=3))
    jobs.add_todo(database, "plan v2")
    print(f"SQLite: todos {jobs.todo_titles(database)}; 'ship v1' was done 40 days ago\n")

    print("The API enqueues (twice each: the second finds the first job)")
    post(client, "/todos/purge", {"older_than_days": 30})
    post(client, "/todos/purge", {"older_than_days": 30})
    post(client, "/todos/3/reminders", {"in_seconds": 300}, **{"Idempotency-Key": IDEMPOTENCY_KEY})
    post(client, "/todos/3/reminders", {"in_seconds": 300}, **{"Idempotency-Key": IDEMPOTENCY_KEY})
    flaky = background.enqueue_sync(queue, database, "partner-a", failures=2)
    broken = background.enqueue_sync(queue, database, "partner-b", failures=99)
    intervals = background.SYNC_RETRY_INTERVALS
    print(
        "  sync-partner-a (fails twice) and sync-partner-b (always fails): "
        f"Retry(max=3, interval={intervals})"
    )
    print(f"  in the queue: {queue.count} jobs; scheduled: {queue.scheduled_job_registry.count}")

    watched = [Job.fetch(job_id, connection=queue.connection) for job_id in JOB_IDS[:2]]
    watched += [flaky, broken]
    print("\nBurst worker, run 1 (SimpleWorker.work(burst=True))")
    background.run_burst_worker(queue)
    for job in watched:
        print(f"  {state(job)}")
    print(f"  todos left: {jobs.todo_titles(database)}")

    for run_number, wait in enumerate(intervals, start=2):
        later = datetime.now(UTC) + timedelta(seconds=wait + 1)
        released = background.release_due(queue, later)
        print(f"\n{wait} s later: released {released}; burst worker, run {run_number}")
        background.run_burst_worker(queue)
        for job in (flaky, broken):
            print(f"  {state(job)}")

    released = background.release_due(queue, datetime.now(UTC) + timedelta(seconds=301))
    print(f"\n300 s later: released {released}; burst worker, last run")
    background.run_burst_worker(queue)
    print(f"  {state(watched[1])}")
    print(f"  reminders sent: {jobs.reminders_sent(database)}")
    failed = queue.failed_job_registry.get_job_ids()
    print(f"\nFailedJobRegistry({QUEUE!r}): {failed}")


if __name__ == "__main__":
    sys.exit(main())
