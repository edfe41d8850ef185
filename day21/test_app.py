"""The API that enqueues: status codes, duplicates found, refusals, and a job's state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from rq import Queue

from day21 import background, jobs
from day21.app import create_app

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = {"Idempotency-Key": "0b9e7c1e-4a2f"}


@pytest.fixture
def client(queue: Queue, redis_url: str, database: str) -> Iterator[FlaskClient]:
    app = create_app(
        {"REDIS_URL": redis_url, "DATABASE": database, "QUEUE": queue.name, "CLOCK": lambda: NOW}
    )
    yield app.test_client()


def test_a_purge_is_accepted_with_its_job(client: FlaskClient, queue: Queue) -> None:
    response = client.post("/todos/purge", json={"older_than_days": 30})
    assert response.status_code == 202
    assert response.get_json() == {
        "id": "purge-2026-12-02-30d",
        "status": "queued",
        "retries_left": None,
    }
    assert queue.job_ids == ["purge-2026-12-02-30d"]


def test_the_same_purge_posted_again_answers_200_with_the_first_job(
    client: FlaskClient, queue: Queue
) -> None:
    client.post("/todos/purge", json={"older_than_days": 30})
    again = client.post("/todos/purge", json={"older_than_days": 30})
    assert again.status_code == 200
    assert again.get_json()["id"] == "purge-2026-12-02-30d"
    assert queue.count == 1


@pytest.mark.parametrize("days", [0, 3651, -1, "30", 2.5, True, None])
def test_a_purge_with_a_bad_age_limit_is_422(client: FlaskClient, queue: Queue, days: Any) -> None:
    response = client.post("/todos/purge", json={"older_than_days": days})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == (
        f"older_than_days must be a whole number from 1 to 3650, got {days!r}"
    )
    assert queue.count == 0


def test_a_purge_without_a_json_object_is_400(client: FlaskClient) -> None:
    response = client.post("/todos/purge", data="30", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["detail"] == 'send a JSON object, e.g. {"older_than_days": 30}'


def test_a_reminder_is_scheduled_and_the_same_key_finds_it(
    client: FlaskClient, queue: Queue
) -> None:
    first = client.post("/todos/3/reminders", json={"in_seconds": 300}, headers=KEY)
    again = client.post("/todos/3/reminders", json={"in_seconds": 300}, headers=KEY)
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.get_json()["status"] == again.get_json()["status"] == "scheduled"
    assert queue.scheduled_job_registry.get_job_ids() == ["reminder-0b9e7c1e-4a2f"]


@pytest.mark.parametrize("key", [None, "", "   ", "has space", "x" * 65, "semi;colon"])
def test_a_reminder_without_a_usable_idempotency_key_is_400(
    client: FlaskClient, queue: Queue, key: str | None
) -> None:
    headers = {} if key is None else {"Idempotency-Key": key}
    response = client.post("/todos/3/reminders", json={"in_seconds": 300}, headers=headers)
    assert response.status_code == 400
    assert "Idempotency-Key header of 1 to 64" in response.get_json()["detail"]
    assert queue.scheduled_job_registry.count == 0


def test_a_reminder_too_far_ahead_is_422(client: FlaskClient) -> None:
    response = client.post("/todos/3/reminders", json={"in_seconds": 86401}, headers=KEY)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"in_seconds": ["a whole number from 1 to 86400"]}


def test_a_job_shows_its_result_once_the_worker_ran_it(
    client: FlaskClient, queue: Queue, database: str
) -> None:
    jobs.add_todo(database, "old", completed_at=NOW - timedelta(days=90))
    client.post("/todos/purge", json={"older_than_days": 30})
    background.run_burst_worker(queue)
    response = client.get("/jobs/purge-2026-12-02-30d")
    assert response.get_json() == {
        "id": "purge-2026-12-02-30d",
        "status": "finished",
        "retries_left": None,
        "result": 1,
    }


def test_a_failed_job_shows_the_last_line_of_its_error(
    client: FlaskClient, queue: Queue, database: str
) -> None:
    job = background.enqueue_sync(queue, database, "broken", failures=99)
    for _ in range(4):
        background.run_burst_worker(queue)
        background.release_due(queue, datetime.now(UTC) + timedelta(seconds=61))
    body = client.get(f"/jobs/{job.id}").get_json()
    assert body == {
        "id": "sync-broken",
        "status": "failed",
        "retries_left": 0,
        "error": "day21.jobs.PartnerUnavailable: partner API did not answer (attempt 4)",
    }


def test_an_unknown_job_is_404(client: FlaskClient) -> None:
    response = client.get("/jobs/nope")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "no job 'nope': it never existed or its result expired"


def test_create_app_says_what_it_needs(database: str) -> None:
    with pytest.raises(ValueError, match="create_app needs REDIS_URL"):
        create_app({"DATABASE": database})
