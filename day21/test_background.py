"""RQ 3.0 on a real Redis: unique job ids, enqueue_in, retries with backoff, burst workers."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus

from day21 import background, jobs

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


def test_purge_deletes_only_todos_completed_before_the_cutoff(database: str) -> None:
    jobs.add_todo(database, "old", completed_at=NOW - timedelta(days=31))
    jobs.add_todo(database, "edge", completed_at=NOW - timedelta(days=30))
    jobs.add_todo(database, "recent", completed_at=NOW - timedelta(days=2))
    jobs.add_todo(database, "open")
    assert jobs.purge_completed(database, 30, jobs.iso(NOW)) == 1
    assert jobs.todo_titles(database) == ["edge", "recent", "open"]


def test_purge_applied_twice_changes_nothing_the_second_time(database: str) -> None:
    jobs.add_todo(database, "old", completed_at=NOW - timedelta(days=90))
    jobs.add_todo(database, "open")
    assert jobs.purge_completed(database, 30, jobs.iso(NOW)) == 1
    assert jobs.purge_completed(database, 30, jobs.iso(NOW)) == 0
    assert jobs.todo_titles(database) == ["open"]


def test_enqueueing_the_same_purge_twice_queues_one_job(queue: Queue, database: str) -> None:
    first, first_new = background.enqueue_purge(queue, database, 30, NOW)
    second, second_new = background.enqueue_purge(queue, database, 30, NOW)
    assert (first_new, second_new) == (True, False)
    assert second.id == first.id == "purge-2026-12-02-30d"
    assert queue.job_ids == [first.id]


def test_a_finished_purge_is_not_run_again_the_same_day(queue: Queue, database: str) -> None:
    jobs.add_todo(database, "old", completed_at=NOW - timedelta(days=90))
    job, _ = background.enqueue_purge(queue, database, 30, NOW)
    assert background.run_burst_worker(queue) is True
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    again, new = background.enqueue_purge(queue, database, 30, NOW + timedelta(hours=5))
    assert (new, again.id, queue.count) == (False, job.id, 0)
    assert again.return_value() == 1


def test_another_day_or_age_limit_is_another_purge(queue: Queue, database: str) -> None:
    today, _ = background.enqueue_purge(queue, database, 30, NOW)
    tomorrow, new_day = background.enqueue_purge(queue, database, 30, NOW + timedelta(days=1))
    shorter, new_limit = background.enqueue_purge(queue, database, 7, NOW)
    assert (new_day, new_limit) == (True, True)
    assert [today.id, tomorrow.id, shorter.id] == [
        "purge-2026-12-02-30d",
        "purge-2026-12-03-30d",
        "purge-2026-12-02-7d",
    ]


def test_rq_refuses_unique_without_a_job_id(queue: Queue) -> None:
    with pytest.raises(ValueError, match="unique=True requires an explicit job_id"):
        queue.enqueue(jobs.purge_completed, "x.db", 30, jobs.iso(NOW), unique=True)


def test_rq_raises_duplicate_job_error_for_a_unique_id_taken(queue: Queue) -> None:
    queue.enqueue(jobs.purge_completed, "x.db", 30, jobs.iso(NOW), job_id="taken", unique=True)
    with pytest.raises(DuplicateJobError):
        queue.enqueue(jobs.purge_completed, "x.db", 30, jobs.iso(NOW), job_id="taken", unique=True)


def test_without_unique_the_same_job_id_overwrites_and_queues_twice(queue: Queue) -> None:
    queue.enqueue(jobs.purge_completed, "x.db", 30, jobs.iso(NOW), job_id="plain")
    queue.enqueue(jobs.purge_completed, "x.db", 7, jobs.iso(NOW), job_id="plain")
    assert queue.job_ids == ["plain", "plain"]
    assert Job.fetch("plain", connection=queue.connection).args[1] == 7


def test_a_reminder_waits_in_the_scheduled_registry_until_due(queue: Queue, database: str) -> None:
    before = datetime.now(UTC)
    job, new = background.schedule_reminder(queue, database, "k1", 3, timedelta(seconds=300))
    after = datetime.now(UTC)
    assert new is True
    assert job.get_status() == JobStatus.SCHEDULED
    assert queue.count == 0
    due = queue.scheduled_job_registry.get_scheduled_time(job.id)
    # RQ keeps the due time to the second.
    assert before.replace(microsecond=0) + timedelta(seconds=300) <= due
    assert due <= after + timedelta(seconds=300)
    assert background.run_burst_worker(queue) is False
    assert background.release_due(queue, due - timedelta(seconds=1)) == []
    assert background.release_due(queue, due) == [job.id]
    assert background.run_burst_worker(queue) is True
    assert jobs.reminders_sent(database) == [("reminder-k1", 3)]


def test_the_same_idempotency_key_schedules_one_reminder(queue: Queue, database: str) -> None:
    first, _ = background.schedule_reminder(queue, database, "k1", 3, timedelta(seconds=60))
    again, new = background.schedule_reminder(queue, database, "k1", 3, timedelta(seconds=90))
    assert (new, again.id) == (False, first.id)
    assert queue.scheduled_job_registry.get_job_ids() == [first.id]


def test_a_reminder_applied_twice_is_recorded_once(database: str) -> None:
    assert jobs.send_reminder(database, "reminder-k1", 3) is True
    assert jobs.send_reminder(database, "reminder-k1", 3) is False
    assert jobs.reminders_sent(database) == [("reminder-k1", 3)]


def test_a_failing_job_is_retried_with_backoff_then_lands_in_the_failed_registry(
    queue: Queue, database: str
) -> None:
    job = background.enqueue_sync(queue, database, "broken", failures=99)
    for interval in background.SYNC_RETRY_INTERVALS:
        before = datetime.now(UTC).replace(microsecond=0)
        background.run_burst_worker(queue)
        after = datetime.now(UTC)
        assert job.get_status(refresh=True) == JobStatus.SCHEDULED
        due = queue.scheduled_job_registry.get_scheduled_time(job.id)
        # The failure happened between before and after; the retry is due interval s later.
        assert before + timedelta(seconds=interval) <= due <= after + timedelta(seconds=interval)
        released = background.release_due(queue, datetime.now(UTC) + timedelta(seconds=61))
        assert released == [job.id]
    background.run_burst_worker(queue)
    job.refresh()
    assert (job.get_status(), job.retries_left) == (JobStatus.FAILED, 0)
    assert queue.failed_job_registry.get_job_ids() == [job.id]
    result = job.latest_result()
    assert result is not None and result.exc_string is not None
    last_line = result.exc_string.strip().splitlines()[-1]
    assert last_line == "day21.jobs.PartnerUnavailable: partner API did not answer (attempt 4)"


def test_a_job_that_recovers_finishes_and_is_not_in_the_failed_registry(
    queue: Queue, database: str
) -> None:
    job = background.enqueue_sync(queue, database, "flaky", failures=2)
    for _ in range(3):
        background.run_burst_worker(queue)
        background.release_due(queue, datetime.now(UTC) + timedelta(seconds=61))
    job.refresh()
    assert (job.get_status(), job.return_value(), job.retries_left) == (JobStatus.FINISHED, 3, 1)
    assert queue.failed_job_registry.count == 0


def test_a_retry_is_not_run_before_it_is_due(queue: Queue, database: str) -> None:
    job = background.enqueue_sync(queue, database, "broken", failures=99)
    background.run_burst_worker(queue)
    assert background.run_burst_worker(queue) is False
    assert background.release_due(queue, datetime.now(UTC) + timedelta(seconds=5)) == []
    assert job.get_status(refresh=True) == JobStatus.SCHEDULED


def test_rq_retry_refuses_fewer_than_one_try_and_negative_intervals() -> None:
    with pytest.raises(ValueError, match="max"):
        Retry(max=0)
    with pytest.raises(ValueError, match="negative"):
        Retry(max=2, interval=[10, -1])


def test_rq_reuses_the_last_interval_when_the_list_runs_out() -> None:
    assert [Retry.get_interval(count, [10, 30]) for count in range(4)] == [10, 30, 30, 30]


def test_the_rq_worker_command_in_burst_mode_runs_the_queue_and_exits(
    queue: Queue, database: str, redis_url: str
) -> None:
    jobs.add_todo(database, "old", completed_at=NOW - timedelta(days=90))
    job, _ = background.enqueue_purge(queue, database, 30, NOW)
    rq = Path(sys.executable).with_name("rq")
    finished = subprocess.run(
        [str(rq), "worker", "--burst", "--url", redis_url, "--path", str(REPO), queue.name],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert finished.returncode == 0, finished.stderr
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == 1
    assert jobs.todo_titles(database) == []


def test_the_purge_job_id_names_the_day_and_the_limit() -> None:
    assert background.purge_job_id(7, date(2027, 1, 1)) == "purge-2027-01-01-7d"
