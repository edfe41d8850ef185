"""Enqueueing the jobs with RQ 3.0, running a burst worker, and releasing retries that are due.

- A purge has a job id made of its day and its age limit, enqueued with ``unique=True``: a
  second request that day finds the first job instead of queueing another.
- A reminder is scheduled with ``enqueue_in``, its job id made of the client's idempotency key.
- A sync is retried with backoff (``Retry(max=3, interval=[10, 30, 60])``). RQ puts a job that
  waits for a retry in the queue's ``ScheduledJobRegistry``; a scheduler moves it back to the
  queue when it is due. :func:`release_due` does that step for a given time, so a test or the
  demo can say "60 s later" without waiting 60 s.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rq import Queue, Retry, SimpleWorker
from rq.exceptions import DuplicateJobError
from rq.job import Job

from day21.jobs import iso, purge_completed, send_reminder, sync_todos

#: Three retries: 10 s after the first failure, then 30 s, then 60 s.
SYNC_RETRY_INTERVALS = [10, 30, 60]
#: How long a finished job and its result stay in Redis (and so how long a duplicate is seen).
RESULT_TTL = 24 * 60 * 60


def purge_job_id(older_than_days: int, day: date) -> str:
    """The id of the purge for ``day``: one job per day and age limit."""
    return f"purge-{day.isoformat()}-{older_than_days}d"


def reminder_job_id(key: str) -> str:
    """The id of the reminder sent under the client's idempotency key ``key``."""
    return f"reminder-{key}"


def _existing(queue: Queue, job_id: str) -> Job:
    return Job.fetch(job_id, connection=queue.connection)


def enqueue_purge(
    queue: Queue, database: str, older_than_days: int, now: datetime
) -> tuple[Job, bool]:
    """Enqueue today's purge unless it exists; return the job and whether it is new."""
    # practice 2: enqueue the purge once per day and limit, answering the existing job after
    # hint: the job id is purge_job_id(...); unique=True makes RQ raise DuplicateJobError when
    # hint: that id is taken, and then the job to answer is the one already stored.
    job_id = purge_job_id(older_than_days, now.date())
    try:
        job = queue.enqueue(
            purge_completed,
            database,
            older_than_days,
            iso(now),
            job_id=job_id,
            unique=True,
            result_ttl=RESULT_TTL,
        )
    except DuplicateJobError:
        return _existing(queue, job_id), False
    return job, True
    # end practice 2


def schedule_reminder(
    queue: Queue, database: str, key: str, todo_id: int, delay: timedelta
) -> tuple[Job, bool]:
    """Schedule a reminder ``delay`` from now unless ``key`` was used; return it and if new."""
    job_id = reminder_job_id(key)
    try:
        job = queue.enqueue_in(
            delay,
            send_reminder,
            database,
            job_id,
            todo_id,
            job_id=job_id,
            unique=True,
            result_ttl=RESULT_TTL,
        )
    except DuplicateJobError:
        return _existing(queue, job_id), False
    return job, True


def enqueue_sync(queue: Queue, database: str, name: str, failures: int) -> Job:
    """Enqueue a sync that fails ``failures`` times, retried with backoff up to three times."""
    return queue.enqueue(
        sync_todos,
        database,
        name,
        failures,
        job_id=f"sync-{name}",
        retry=Retry(max=3, interval=SYNC_RETRY_INTERVALS),
        result_ttl=RESULT_TTL,
        failure_ttl=RESULT_TTL,
    )


def release_due(queue: Queue, now: datetime) -> list[str]:
    """Move the scheduled jobs due at ``now`` back onto the queue; return their ids.

    The same step RQ's scheduler takes each second, with the time given instead of read.
    """
    # practice 3: move the scheduled jobs due at now back onto the queue
    # hint: the scheduled registry knows which ids are due at a Unix time; a job may have
    # hint: expired meanwhile (None); enqueue each job again and take it out of the registry.
    registry = queue.scheduled_job_registry
    due = registry.get_jobs_to_schedule(int(now.timestamp()))
    released = []
    for job in Job.fetch_many(due, connection=queue.connection):
        if job is None:
            continue
        queue.enqueue_job(job)
        registry.remove(job)
        released.append(job.id)
    return released
    # end practice 3


def run_burst_worker(queue: Queue) -> bool:
    """Work the queue until it is empty, in this process; True if it ran any job."""
    worker = SimpleWorker([queue], connection=queue.connection)
    return worker.work(burst=True, logging_level="CRITICAL")
