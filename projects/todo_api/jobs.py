"""The Todo API's background jobs (RQ 3.0), the queue they go on, and how they are enqueued.

Two jobs, each a module-level function RQ stores by its dotted path, run by
``python -m projects.todo_api.worker`` inside the app's context (so they use the app's database
and list cache as a request does):

- :func:`purge_completed` deletes the todos completed more than N days before a given moment.
  The moment is an argument, not a clock reading, and the job id is the day plus N
  (``purge-2026-12-02-30d``, enqueued with ``unique=True``): a second request that day finds
  the first job, and a job run twice deletes nothing the second time. After its commit it
  tells the list cache (:func:`~projects.todo_api.todos.list_changed`), so no reader is
  served a purged row.
- :func:`send_reminder` stamps the todo's ``reminded_at`` and logs one line; it is enqueued
  with ``enqueue_in``, so the worker's scheduler releases it when it is due. A todo deleted
  meanwhile makes it a no-op (False), not a failure.

Both are retried with backoff (``Retry(max=3, interval=TODO_JOB_RETRY_INTERVALS)``); a job out
of retries stays in the queue's ``FailedJobRegistry`` for ``FAILURE_TTL`` seconds, where
``GET /jobs/failed`` and ``python -m projects.todo_api.worker --failed`` show it.

The queue lives in the API's Redis (``TODO_REDIS_URL``). When that Redis does not answer,
enqueueing raises :class:`~shared.errors.ServiceUnavailable` (a 503 with ``Retry-After``), one
warning is logged until it answers again, and nothing else in the API is affected.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import JOB_ID_PATTERN, Job

from projects.todo_api.config import TodoSettings
from projects.todo_api.models import Todo, utcnow
from shared.errors import ServiceUnavailable

log = logging.getLogger(__name__)

#: Retries of a failed job before it stays failed.
MAX_RETRIES = 3
#: Seconds a finished job and its result stay in Redis (so also how long a purge id is taken).
RESULT_TTL = 24 * 60 * 60
#: Seconds a failed job stays in the failed registry for someone to look at.
FAILURE_TTL = 7 * 24 * 60 * 60
#: Seconds a Redis call may take before the job endpoints answer 503 instead.
SOCKET_TIMEOUT = 0.5
#: Seconds a client is asked to wait after a 503 for an unreachable queue.
RETRY_AFTER = 5
EXTENSION = "todo_jobs"


# --- the jobs -----------------------------------------------------------------------------


def purge_completed(older_than_days: int, now: str) -> int:
    """Delete the todos completed more than ``older_than_days`` before ``now`` (ISO 8601);
    return how many. Runs in the app context the worker provides."""
    from projects.todo_api.todos import list_changed

    cutoff = datetime.fromisoformat(now) - timedelta(days=older_than_days)
    state = current_app.extensions["todo"]
    with state.db.session_factory() as session:
        deleted = session.execute(
            sa.delete(Todo).where(Todo.completed_at.is_not(None), Todo.completed_at < cutoff)
        ).rowcount
        session.commit()
    if deleted:
        list_changed()
    log.info("purge: deleted %d todo(s) completed before %s", deleted, cutoff.isoformat())
    return int(deleted)


def send_reminder(todo_id: int) -> bool:
    """Record that todo ``todo_id`` was reminded of; False (and nothing changes) when the
    todo is gone."""
    state = current_app.extensions["todo"]
    with state.db.session_factory() as session:
        todo = session.get(Todo, todo_id)
        if todo is None:
            log.info("reminder: todo %d no longer exists, nothing to remind of", todo_id)
            return False
        todo.reminded_at = utcnow()
        session.commit()
        log.info("reminder: todo %d %r is due", todo_id, todo.title)
    return True


# --- the queue ----------------------------------------------------------------------------


@dataclass
class JobQueue:
    """One app's queue, and whether its Redis answered the last time it was asked."""

    queue: Queue
    retry_intervals: tuple[int, ...]
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: TodoSettings) -> JobQueue | None:
        """The queue the settings name, or None without a Redis URL."""
        if settings.redis_url is None:
            return None
        connection = redis.Redis.from_url(
            settings.redis_url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
        )
        queue = Queue(settings.queue_name, connection=connection)
        return cls(queue=queue, retry_intervals=settings.job_retry_intervals)

    def retry(self) -> Retry:
        return Retry(max=MAX_RETRIES, interval=list(self.retry_intervals))

    def unreachable(self, error: redis.RedisError) -> ServiceUnavailable:
        """The 503 for a Redis that did not answer, logging the first one of an outage."""
        with self._lock:
            first, self.down = not self.down, True
        if first:
            log.warning("job queue unreachable (%s); the job endpoints answer 503", error)
        return ServiceUnavailable(
            "the job queue (Redis in TODO_REDIS_URL) is unreachable; nothing was enqueued. "
            "Retry after the delay in the Retry-After header",
            headers={"Retry-After": str(RETRY_AFTER)},
        )

    def answered(self) -> None:
        with self._lock:
            back, self.down = self.down, False
        if back:
            log.info("job queue reachable again")

    def call(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        """``action(*args, **kwargs)``, with a Redis failure turned into the 503."""
        try:
            result = action(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise self.unreachable(error) from None
        except redis.RedisError as error:
            # It answers but refuses (out of memory under noeviction, a read-only replica).
            log.warning("job queue refused a command: %s", error)
            raise ServiceUnavailable(
                f"the job queue (Redis in TODO_REDIS_URL) refused the request: "
                f"{str(error).rstrip('.')}. "
                "Retry after the delay in the Retry-After header",
                headers={"Retry-After": str(RETRY_AFTER)},
            ) from None
        self.answered()
        return result

    def enqueue_purge(self, older_than_days: int, now: datetime) -> tuple[Job, bool]:
        """Enqueue the purge of ``now``'s day unless it exists; return it and whether it is new."""
        job_id = purge_job_id(older_than_days, now)
        try:
            job = self.call(
                self.queue.enqueue,
                purge_completed,
                older_than_days,
                now.astimezone(UTC).isoformat(),
                job_id=job_id,
                unique=True,
                retry=self.retry(),
                result_ttl=RESULT_TTL,
                failure_ttl=FAILURE_TTL,
                description=f"purge todos completed over {older_than_days} days ago",
            )
        except DuplicateJobError:
            return self.call(Job.fetch, job_id, connection=self.queue.connection), False
        return job, True

    def schedule_reminder(
        self, todo_id: int, delay: timedelta, key: str | None = None
    ) -> tuple[Job, bool]:
        """Schedule a reminder of ``todo_id`` ``delay`` from now; return it and whether it is
        new. With the client's idempotency ``key``, a retried request finds the first job."""
        options: dict[str, Any] = {}
        if key is not None:
            options = {"job_id": reminder_job_id(todo_id, key), "unique": True}
        try:
            job: Job = self.call(
                self.queue.enqueue_in,
                delay,
                send_reminder,
                todo_id,
                retry=self.retry(),
                result_ttl=RESULT_TTL,
                failure_ttl=FAILURE_TTL,
                description=f"remind of todo {todo_id}",
                **options,
            )
        except DuplicateJobError:
            return self.call(Job.fetch, options["job_id"], connection=self.queue.connection), False
        return job, True

    def fetch(self, job_id: str) -> Job | None:
        """The job ``job_id`` of this queue, or None if there is none (or it expired)."""
        # RQ refuses an id of other characters with a ValueError, and reads "a:b" as job "a".
        if not JOB_ID_PATTERN.fullmatch(job_id):
            return None
        try:
            job: Job = self.call(Job.fetch, job_id, connection=self.queue.connection)
        except NoSuchJobError:
            return None
        return job if job.origin == self.queue.name else None

    def failed(self) -> list[Job]:
        """The jobs in this queue's failed registry, oldest failure first."""

        def load() -> list[Job]:
            ids = self.queue.failed_job_registry.get_job_ids()
            return [job for job in Job.fetch_many(ids, connection=self.queue.connection) if job]

        jobs: list[Job] = self.call(load)
        return jobs


def purge_job_id(older_than_days: int, now: datetime) -> str:
    """One purge per UTC day and age limit: ``purge-2026-12-02-30d``."""
    return f"purge-{now.astimezone(UTC).date().isoformat()}-{older_than_days}d"


def reminder_job_id(todo_id: int, key: str) -> str:
    """The reminder of ``todo_id`` asked for under the client's idempotency ``key`` (hashed:
    the key is the client's text, the id goes in Redis keys and URLs)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"reminder-{todo_id}-{digest}"


def describe(job: Job) -> dict[str, Any]:
    """What ``GET /jobs/{id}`` says about ``job``."""
    status = job.get_status(refresh=False)
    result = job.latest_result()
    error = None
    if result is not None and result.type == result.Type.FAILED and result.exc_string:
        error = exception_line(result.exc_string)
    return {
        "id": job.id,
        "status": str(status.value if status is not None else "unknown"),
        "description": job.description,
        "enqueued_at": _iso(job.enqueued_at),
        "ended_at": _iso(job.ended_at),
        "retries_left": job.retries_left,
        "result": job.return_value() if status is not None and status.value == "finished" else None,
        "error": error,
    }


def exception_line(traceback: str) -> str:
    """The ``module.Error: message`` line of a formatted traceback (the first line after the
    last frame, which for SQLAlchemy's errors is not the last line)."""
    lines = traceback.strip().splitlines()
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    after = lines[frames[-1] + 1 :] if frames else lines
    return next((line for line in after if line and not line[0].isspace()), lines[-1])


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def init_app(app: Flask, settings: TodoSettings) -> JobQueue | None:
    """Keep the app's queue (None without a Redis URL) in ``app.extensions``."""
    queue = JobQueue.from_settings(settings)
    app.extensions[EXTENSION] = queue
    return queue


def job_queue() -> JobQueue | None:
    """The current app's queue, or None when it has no Redis URL."""
    return current_app.extensions.get(EXTENSION)  # type: ignore[no-any-return]
