"""``python -m projects.todo_api.worker``: the RQ worker that runs the Todo API's jobs.

It works the queue ``TODO_QUEUE_NAME`` in ``TODO_REDIS_URL`` (then ``REDIS_URL``) with RQ's
scheduler, which releases reminders when they are due and retries when their backoff is over.
Each job runs inside the context of an app made by ``create_app()`` from the same settings as
the web processes, so a job reaches the database and the list cache as a request does. RQ's
worker forks a work horse per job; the horse drops the database connections it inherited
(``engine.dispose(close=False)``) and opens its own.

``--burst`` runs what is queued (and due) and exits; ``--failed`` lists the failed registry
and exits. SIGTERM (``docker stop``, a platform's deploy) is RQ's warm shutdown: the job in
hand finishes, then the worker exits. Exit status 0 when done, 2 when Redis or the database
cannot be reached or a setting is wrong (one line on stderr saying which), or for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

import redis
from flask import Flask
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from projects.todo_api.config import TodoSettings, load_todo_settings
from projects.todo_api.jobs import JobQueue, describe
from shared.config import ConfigError

PROG = "python -m projects.todo_api.worker"


class AppContext:
    """Runs each job of an RQ worker inside ``app``'s context (mixed into a worker class)."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app
        self.app_pid = os.getpid()

    def perform_job(self, job: Job, queue: Queue, execution: Any) -> bool:
        if os.getpid() != self.app_pid:
            # A forked horse: the parent's pooled connections are not this process's to use.
            self.app.extensions["todo"].db.engine.dispose(close=False)
        with self.app.app_context():
            return bool(super().perform_job(job, queue, execution))  # type: ignore[misc]


class AppContextWorker(AppContext, Worker):
    """RQ's forking worker: a work horse per job."""


class SimpleAppContextWorker(AppContext, SimpleWorker):
    """Each job in this process (the tests, and where fork is not wanted)."""


def make_worker(app: Flask, *, fork: bool = True) -> Worker | SimpleWorker:
    """A worker on ``app``'s queue, running jobs in ``app``'s context."""
    settings: TodoSettings = app.extensions["todo"].settings
    if settings.redis_url is None:
        raise ConfigError("no job queue: set TODO_REDIS_URL (or REDIS_URL) to a Redis URL")
    # A connection of its own: RQ raises its socket timeout above the blocking dequeue's,
    # which the endpoints' 0.5 s connection must keep.
    connection = redis.Redis.from_url(settings.redis_url)
    cls: type[AppContextWorker | SimpleAppContextWorker]
    cls = AppContextWorker if fork else SimpleAppContextWorker
    return cls([Queue(settings.queue_name, connection=connection)], connection=connection, app=app)


def run(app: Flask, *, burst: bool, fork: bool = True, logging_level: str = "INFO") -> bool:
    """Work ``app``'s queue with the scheduler; True if any job ran (burst mode returns)."""
    worker = make_worker(app, fork=fork)
    try:
        return worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
    finally:
        worker.connection.close()


def redis_for(settings: TodoSettings) -> redis.Redis:
    """The queue's Redis, checked with a PING; ConfigError (one line) when it does not answer."""
    if settings.redis_url is None:
        raise ConfigError("no job queue: set TODO_REDIS_URL (or REDIS_URL) to a Redis URL")
    connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        kwargs = connection.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        raise ConfigError(
            f"cannot reach the queue's Redis in TODO_REDIS_URL ({where}): {error}"
        ) from None
    return connection


def failed_lines(settings: TodoSettings) -> list[str]:
    """One line per job in the failed registry: id, when it ended, what it was, its error."""
    redis_for(settings)
    job_queue = JobQueue.from_settings(settings)
    assert job_queue is not None
    jobs = job_queue.failed()
    if not jobs:
        return [f"no failed jobs in queue {settings.queue_name!r}"]
    lines = [f"{len(jobs)} failed job(s) in queue {settings.queue_name!r}:"]
    for job in jobs:
        info = describe(job)
        lines.append(
            f"  {info['id']}  {info['ended_at'] or '-'}  {info['description']}: "
            f"{info['error'] or 'no error recorded'}"
        )
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run the Todo API's background jobs: an RQ worker with its scheduler on "
        "the queue TODO_QUEUE_NAME in TODO_REDIS_URL (then REDIS_URL), each job in the app's "
        "context. SIGTERM finishes the job in hand, then exits. Exit status 2 when Redis or "
        "the database cannot be reached.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--burst", action="store_true", help="run the jobs queued and due, then exit")
    mode.add_argument(
        "--failed", action="store_true", help="list the failed jobs (out of retries) and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_todo_settings()
        if args.failed:
            print("\n".join(failed_lines(settings)))
            return 0
        redis_for(settings)
        from projects.todo_api import create_app

        app = create_app()
    except ConfigError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    run(app, burst=args.burst, logging_level=settings.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
