"""The background jobs through the HTTP API, run by a real RQ worker on a real Redis.

Each test enqueues through the endpoints, then works the queue in burst mode (RQ's
SimpleWorker in this process, inside the app's context, with the scheduler), and looks at the
database, the job's status and the registries. The purge runs on SQLite, MySQL and PostgreSQL.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue, Retry

from projects.todo_api import create_app
from projects.todo_api.config import load_todo_settings
from projects.todo_api.jobs import JobQueue, purge_completed, purge_job_id
from projects.todo_api.models import Todo
from projects.todo_api.tests.conftest import settings_for
from projects.todo_api.worker import run
from shared.config import ConfigError
from shared.testing import free_port, wait_for_port

pytestmark = pytest.mark.redis


def work(app: Flask) -> bool:
    """Run everything queued and due, in this process; True if a job ran."""
    return run(app, burst=True, fork=False, logging_level="WARNING")


def queue_of(app: Flask) -> Queue:
    job_queue: JobQueue = app.extensions["todo_jobs"]
    return job_queue.queue


def complete_days_ago(app: Flask, todo_id: int, days: float) -> None:
    with app.extensions["todo"].db.transaction() as session:
        todo = session.get(Todo, todo_id)
        assert todo is not None
        todo.completed = True
        todo.completed_at = datetime.now(UTC) - timedelta(days=days)


def stored(app: Flask, todo_id: int) -> Todo | None:
    with app.extensions["todo"].db.session_factory() as session:
        return session.get(Todo, todo_id)


def titles(client: FlaskClient) -> list[str]:
    response = client.get("/todos")
    assert response.status_code == 200
    return [todo["title"] for todo in response.get_json()]


@pytest.fixture(scope="module")
def job_apps(db_url: str, redis_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Per backend, two apps on one database and Redis: the API's and the worker's."""
    apps = (
        create_app(settings_for(db_url, REDIS_URL=redis_url)),
        create_app(settings_for(db_url, REDIS_URL=redis_url, AUTO_MIGRATE=False)),
    )
    yield apps
    for app in apps:
        app.extensions["todo"].db.engine.dispose()


@pytest.fixture
def apps(job_apps: tuple[Flask, Flask], redis_client: redis.Redis) -> tuple[Flask, Flask]:
    """The backend's two apps, with an empty todos table, on an emptied Redis."""
    with job_apps[0].extensions["todo"].db.transaction() as session:
        session.execute(sa.delete(Todo))
    return job_apps


@pytest.fixture
def sqlite_app(
    make_database: Callable[[str], str], redis_url: str, redis_client: redis.Redis
) -> Iterator[Callable[..., Flask]]:
    """``sqlite_app(**overrides)``: an app on a new SQLite file, with the queue in Redis."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app(settings_for(make_database("sqlite"), REDIS_URL=redis_url, **overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["todo"].db.engine.dispose()


# --- the purge ------------------------------------------------------------------------------


def test_the_purge_deletes_what_was_completed_before_the_cutoff_and_the_list_shows_it(
    apps: tuple[Flask, Flask],
) -> None:
    api, worker = apps
    client = api.test_client()
    ids = {
        title: client.post("/todos", json={"title": title}).get_json()["id"]
        for title in ("open", "done long ago", "done just inside", "done today")
    }
    complete_days_ago(api, ids["done long ago"], 40)
    complete_days_ago(api, ids["done just inside"], 29.9)
    client.patch(f"/todos/{ids['done today']}", json={"completed": True})
    assert len(titles(client)) == 4  # now cached

    response = client.post("/todos/purge", json={"older_than_days": 30})
    assert response.status_code == 202, response.get_json()
    job_id = purge_job_id(30, datetime.now(UTC))
    assert response.get_json()["id"] == job_id
    assert response.headers["Location"] == f"http://localhost/jobs/{job_id}"
    assert client.get(f"/jobs/{job_id}").get_json()["status"] == "queued"

    # Another app, as in the worker's process: its commit and cache bump reach the API's reads.
    assert work(worker) is True
    assert titles(client) == ["open", "done just inside", "done today"]
    job = client.get(f"/jobs/{job_id}").get_json()
    assert (job["status"], job["result"], job["error"]) == ("finished", 1, None)
    assert job["ended_at"].endswith("Z")


def test_a_purge_asked_for_twice_a_day_is_one_job_and_running_it_again_deletes_nothing(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    client = app.test_client()
    first = client.post("/todos", json={"title": "old"}).get_json()["id"]
    complete_days_ago(app, first, 10)

    one = client.post("/todos/purge", json={"older_than_days": 7})
    two = client.post("/todos/purge", json={"older_than_days": 7})
    assert (one.status_code, two.status_code) == (202, 200)
    assert one.get_json()["id"] == two.get_json()["id"]
    assert two.headers["Location"] == one.headers["Location"]
    assert queue_of(app).count == 1
    assert work(app) is True
    # Still the same job once it ran: the id stays taken as long as its result is kept.
    again = client.post("/todos/purge", json={"older_than_days": 7})
    assert (again.status_code, again.get_json()["status"]) == (200, "finished")
    assert work(app) is False
    assert stored(app, first) is None

    # The job applied twice (a worker lost after its commit, say): the same moment, no more rows.
    second = client.post("/todos", json={"title": "done after the first purge"}).get_json()["id"]
    complete_days_ago(app, second, 8)
    moment = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    with app.app_context():
        assert purge_completed(7, moment) == 0
        assert purge_completed(7, datetime.now(UTC).isoformat()) == 1


def test_completed_at_is_stamped_when_a_todo_is_completed_and_cleared_when_reopened(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    client = app.test_client()
    done = client.post("/todos", json={"title": "x", "completed": True}).get_json()["id"]
    stamped = stored(app, done)
    assert stamped is not None and stamped.completed_at is not None
    assert stamped.completed_at.tzinfo is UTC
    client.patch(f"/todos/{done}", json={"completed": True, "title": "y"})
    again = stored(app, done)
    assert again is not None and again.completed_at == stamped.completed_at
    client.patch(f"/todos/{done}", json={"completed": False})
    reopened = stored(app, done)
    assert reopened is not None and reopened.completed_at is None
    fresh = client.post("/todos", json={"title": "open"}).get_json()["id"]
    assert (todo := stored(app, fresh)) is not None and todo.completed_at is None


# --- the reminder ---------------------------------------------------------------------------


def test_a_reminder_runs_once_due_and_one_for_a_deleted_todo_does_nothing(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    client = app.test_client()
    kept = client.post("/todos", json={"title": "call mum"}).get_json()["id"]
    gone = client.post("/todos", json={"title": "deleted meanwhile"}).get_json()["id"]
    asked = time.monotonic()
    responses = [
        client.post(f"/todos/{todo_id}/reminder", json={"in_seconds": 1})
        for todo_id in (kept, gone)
    ]
    assert [r.status_code for r in responses] == [202, 202]
    kept_job, gone_job = (r.get_json()["id"] for r in responses)
    assert responses[0].get_json()["status"] == "scheduled"
    assert client.delete(f"/todos/{gone}").status_code == 204

    assert work(app) is False, "nothing is due yet"
    assert (todo := stored(app, kept)) is not None and todo.reminded_at is None
    time.sleep(max(0.0, asked + 1.2 - time.monotonic()))
    assert work(app) is True

    reminded = stored(app, kept)
    assert reminded is not None and reminded.reminded_at is not None
    assert datetime.now(UTC) - reminded.reminded_at < timedelta(seconds=5)
    assert client.get(f"/jobs/{kept_job}").get_json()["result"] is True
    gone_status = client.get(f"/jobs/{gone_job}").get_json()
    assert (gone_status["status"], gone_status["result"]) == ("finished", False)
    assert client.get("/jobs/failed").get_json() == []


def test_a_reminder_retried_with_its_idempotency_key_is_scheduled_once(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    client = app.test_client()
    one, two = (client.post("/todos", json={"title": t}).get_json()["id"] for t in "ab")

    def remind(todo_id: int, key: str) -> Any:
        return client.post(
            f"/todos/{todo_id}/reminder", json={"in_seconds": 60}, headers={"Idempotency-Key": key}
        )

    first, retried = remind(one, "3f1c9a52"), remind(one, "3f1c9a52")
    assert (first.status_code, retried.status_code) == (202, 200)
    assert first.get_json()["id"] == retried.get_json()["id"]
    assert retried.headers["Location"] == first.headers["Location"]
    other_key, other_todo = remind(one, "77aa01"), remind(two, "3f1c9a52")
    assert (other_key.status_code, other_todo.status_code) == (202, 202)
    assert queue_of(app).scheduled_job_registry.count == 3
    for bad in (" ", "x" * 256, "clé"):
        refused = client.post(
            f"/todos/{one}/reminder", json={"in_seconds": 60}, headers={"Idempotency-Key": bad}
        )
        assert refused.status_code == 400, bad
        assert "Idempotency-Key header must be 1 to 255 ASCII" in refused.get_json()["detail"]
    assert queue_of(app).scheduled_job_registry.count == 3


def test_a_reminder_for_a_todo_that_is_not_there_is_a_404_and_enqueues_nothing(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    response = app.test_client().post("/todos/9999/reminder", json={"in_seconds": 60})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert queue_of(app).scheduled_job_registry.count == 0


# --- retries and failures -------------------------------------------------------------------


def break_the_table(app: Flask) -> None:
    with app.extensions["todo"].db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE todos"))


def test_a_failing_job_is_retried_after_its_first_backoff_interval(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    break_the_table(app)
    job_id = app.test_client().post("/todos/purge", json={"older_than_days": 1}).get_json()["id"]
    failed_at = time.time()
    work(app)
    status = app.test_client().get(f"/jobs/{job_id}").get_json()
    assert (status["status"], status["retries_left"]) == ("scheduled", 2)
    # RQ records an error only once the job is out of retries; the worker's log has each one.
    assert status["error"] is None
    # Due 10 s after the failure (TODO_JOB_RETRY_INTERVALS' first value), not before.
    due = queue_of(app).scheduled_job_registry.get_scheduled_time(job_id).timestamp()
    assert failed_at + 9 <= due <= time.time() + 10
    assert app.test_client().get("/jobs/failed").get_json() == []


def test_a_job_out_of_retries_is_in_the_failed_registry_with_its_error(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app(JOB_RETRY_INTERVALS=(0,))
    assert app.extensions["todo_jobs"].retry().max == 3
    break_the_table(app)
    client = app.test_client()
    job_id = client.post("/todos/purge", json={"older_than_days": 1}).get_json()["id"]
    assert work(app) is True  # interval 0: the three retries run in the same burst
    # The worker had a connection of its own: the endpoints still give up after 0.5 s.
    assert queue_of(app).connection.connection_pool.connection_kwargs["socket_timeout"] == 0.5

    status = client.get(f"/jobs/{job_id}").get_json()
    assert (status["status"], status["retries_left"]) == ("failed", 0)
    assert status["error"] == (
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: todos"
    )
    failed = client.get("/jobs/failed").get_json()
    assert [job["id"] for job in failed] == [job_id]
    assert failed[0]["description"] == "purge todos completed over 1 days ago"


def test_the_default_backoff_is_three_retries_growing_to_five_minutes() -> None:
    retry = JobQueue(queue=None, retry_intervals=(10, 60, 300)).retry()  # type: ignore[arg-type]
    assert (retry.max, retry.intervals) == (3, [10, 60, 300])
    assert [Retry.get_interval(n, retry.intervals) for n in range(3)] == [10, 60, 300]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/todos/purge", {}, "older_than_days"),
        ("/todos/purge", {"older_than_days": -1}, "older_than_days"),
        ("/todos/purge", {"older_than_days": "30"}, "older_than_days"),
        ("/todos/purge", {"older_than_days": 30, "now": "x"}, "now"),
        ("/todos/{id}/reminder", {"in_seconds": 0}, "in_seconds"),
        ("/todos/{id}/reminder", {"in_seconds": True}, "in_seconds"),
    ],
)
def test_a_bad_job_request_is_a_422_naming_the_field(
    sqlite_app: Callable[..., Flask], path: str, body: dict[str, Any], field: str
) -> None:
    app = sqlite_app()
    client = app.test_client()
    todo_id = client.post("/todos", json={"title": "x"}).get_json()["id"]
    response = client.post(path.replace("{id}", str(todo_id)), json=body)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert queue_of(app).count == 0


def test_a_job_that_does_not_exist_or_is_another_queues_is_a_404(
    sqlite_app: Callable[..., Flask],
) -> None:
    app = sqlite_app()
    response = app.test_client().get("/jobs/purge-1999-01-01-1d")
    assert response.status_code == 404
    assert "there is no job 'purge-1999-01-01-1d'" in response.get_json()["detail"]
    other = sqlite_app(QUEUE_NAME="elsewhere")
    job_id = other.test_client().post("/todos/purge", json={"older_than_days": 1}).get_json()["id"]
    assert app.test_client().get(f"/jobs/{job_id}").status_code == 404
    assert other.test_client().get(f"/jobs/{job_id}").status_code == 200


@pytest.mark.parametrize("suffix", [" b", "-caf\u00e9", "..", "\x1c", ":x"])
def test_an_id_rq_could_not_have_given_is_a_404_not_another_job(
    sqlite_app: Callable[..., Flask], suffix: str
) -> None:
    client = sqlite_app().test_client()
    purge_id = client.post("/todos/purge", json={"older_than_days": 1}).get_json()["id"]
    job_id = purge_id + suffix  # RQ would read "<id>:x" as the purge itself
    response = client.get(f"/jobs/{quote(job_id, safe='')}")
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["detail"].startswith(f"there is no job {job_id!r}")


def test_a_redis_that_answers_but_refuses_writes_is_a_503_too(
    sqlite_app: Callable[..., Flask], redis_client: redis.Redis
) -> None:
    app = sqlite_app()
    redis_client.config_set("maxmemory", "1")  # with noeviction every write is refused
    try:
        response = app.test_client().post("/todos/purge", json={"older_than_days": 1})
    finally:
        redis_client.config_set("maxmemory", "0")
    assert response.status_code == 503
    assert "refused the request: " in response.get_json()["detail"]
    assert "command not allowed when used memory > 'maxmemory'" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TODO_JOB_RETRY_INTERVALS", "10,-1", "TODO_JOB_RETRY_INTERVALS must be whole seconds"),
        ("TODO_JOB_RETRY_INTERVALS", "soon", "TODO_JOB_RETRY_INTERVALS must be a whole number"),
        ("TODO_QUEUE_NAME", "my queue", "TODO_QUEUE_NAME must be 1 to 64 letters, digits"),
    ],
)
def test_a_bad_job_setting_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as error:
        load_todo_settings()
    assert "\n" not in str(error.value)


def test_retry_intervals_read_from_the_environment_as_comma_separated_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_JOB_RETRY_INTERVALS", " 5 , 7")
    monkeypatch.setenv("TODO_QUEUE_NAME", "todo.v2")
    settings = load_todo_settings()
    assert (settings.job_retry_intervals, settings.queue_name) == ((5, 7), "todo.v2")


def test_without_a_redis_url_there_are_no_job_endpoints(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    client = app.test_client()
    assert client.post("/todos/purge", json={"older_than_days": 1}).status_code == 404
    assert client.get("/jobs/failed").status_code == 404
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [path for path in paths if "jobs" in path or "purge" in path]


def test_the_openapi_document_describes_the_job_endpoints(
    sqlite_app: Callable[..., Flask],
) -> None:
    paths = sqlite_app().test_client().get("/openapi.json").get_json()["paths"]
    assert set(paths["/todos/purge"]["post"]["responses"]) >= {"200", "202", "422", "503"}
    reminder = paths["/todos/{todo_id}/reminder"]["post"]
    assert set(reminder["responses"]) >= {"200", "202", "400", "404", "503"}
    assert "Idempotency-Key" in [parameter["name"] for parameter in reminder["parameters"]]
    assert set(paths["/jobs/{job_id}"]["get"]["responses"]) >= {"200", "404", "503"}
    assert "200" in paths["/jobs/failed"]["get"]["responses"]


# --- Redis down ----------------------------------------------------------------------------


def start_redis(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, timeout=10)
    return server


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_with_redis_down_jobs_are_a_503_the_todos_still_work_and_it_comes_back(
    make_database: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    app = create_app(settings_for(make_database("sqlite"), REDIS_URL=f"redis://127.0.0.1:{port}/0"))
    client = app.test_client()
    server = None
    try:
        with caplog.at_level(logging.INFO, logger="projects.todo_api.jobs"):
            todo_id = client.post("/todos", json={"title": "still works"}).get_json()["id"]
            assert titles(client) == ["still works"]
            purge = client.post("/todos/purge", json={"older_than_days": 1})
            reminder = client.post(f"/todos/{todo_id}/reminder", json={"in_seconds": 5})
            one = client.get("/jobs/anything")
            for response in (purge, reminder, one, client.get("/jobs/failed")):
                assert response.status_code == 503
                assert response.mimetype == "application/problem+json"
                assert (
                    "job queue (Redis in TODO_REDIS_URL) is unreachable"
                    in (response.get_json()["detail"])
                )
                assert int(response.headers["Retry-After"]) >= 5
            assert one.headers["Retry-After"] == "5"
            down = [r for r in caplog.records if "job queue unreachable" in r.getMessage()]
            assert len(down) == 1, "said once per outage"

            server = start_redis(port)
            back = client.post("/todos/purge", json={"older_than_days": 1})
            assert back.status_code == 202
            assert [r.getMessage() for r in caplog.records].count("job queue reachable again") == 1
            assert work(app) is True
            assert client.get(back.headers["Location"]).get_json()["status"] == "finished"
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        app.extensions["todo"].db.engine.dispose()
