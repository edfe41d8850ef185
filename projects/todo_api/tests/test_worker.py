"""``python -m projects.todo_api.worker``, run as a command: burst runs, the scheduler in a
long-running worker, SIGTERM, the failed-job listing, and one line when Redis is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Worker

from projects.todo_api import create_app
from projects.todo_api.models import Todo
from projects.todo_api.tests.conftest import settings_for
from projects.todo_api.worker import main
from shared.testing import free_port

pytestmark = pytest.mark.redis

REPO_ROOT = Path(__file__).resolve().parents[3]
COMMAND = [sys.executable, "-m", "projects.todo_api.worker"]
TIMEOUT = 30


def worker_env(**variables: str) -> dict[str, str]:
    """This environment without any Todo, database or Redis setting, plus ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TODO_") and key not in ("DATABASE_URL", "REDIS_URL", "APP_ENV")
    }
    return {**env, **variables}


def run_worker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.fixture
def api(
    make_database: Callable[[str], str], redis_url: str, redis_client: redis.Redis
) -> Iterator[tuple[Flask, dict[str, str]]]:
    """An app on a new SQLite file and the emptied Redis, and the worker's environment."""
    database = make_database("sqlite")
    app = create_app(settings_for(database, REDIS_URL=redis_url))
    yield app, worker_env(TODO_DATABASE_URL=database, TODO_REDIS_URL=redis_url)
    app.extensions["todo"].db.engine.dispose()


def stored(app: Flask, todo_id: int) -> Todo | None:
    with app.extensions["todo"].db.session_factory() as session:
        return session.get(Todo, todo_id)


def old_completed_todo(app: Flask, title: str) -> int:
    todo_id: int = app.test_client().post("/todos", json={"title": title}).get_json()["id"]
    with app.extensions["todo"].db.transaction() as session:
        session.execute(
            sa.update(Todo)
            .where(Todo.id == todo_id)
            .values(completed=True, completed_at=datetime.now(UTC) - timedelta(days=40))
        )
    return todo_id


def test_help_says_what_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m projects.todo_api.worker [-h] [--burst | --failed]")
    assert "TODO_REDIS_URL" in out


def test_a_burst_run_forks_a_horse_per_job_and_does_the_purge(
    api: tuple[Flask, dict[str, str]],
) -> None:
    app, env = api
    todo_id = old_completed_todo(app, "done long ago")
    job = app.test_client().post("/todos/purge", json={"older_than_days": 30}).get_json()
    done = run_worker("--burst", env=env)
    assert done.returncode == 0, done.stderr
    assert stored(app, todo_id) is None
    status = app.test_client().get(f"/jobs/{job['id']}").get_json()
    assert (status["status"], status["result"]) == ("finished", 1)
    assert "done, quitting" in done.stdout, "RQ logs on stdout"


def test_failed_lists_a_job_out_of_retries_and_not_one_waiting_for_its_next_try(
    make_database: Callable[[str], str], redis_url: str, redis_client: redis.Redis
) -> None:
    database = make_database("sqlite")
    waits = create_app(settings_for(database, REDIS_URL=redis_url))
    gives_up = create_app(settings_for(database, REDIS_URL=redis_url, JOB_RETRY_INTERVALS=(0,)))
    env = worker_env(TODO_DATABASE_URL=database, TODO_REDIS_URL=redis_url)
    try:
        with waits.extensions["todo"].db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE todos"))
        # The retry plan is the enqueuer's: 10 s before the first retry, or none at all.
        waiting = waits.test_client().post("/todos/purge", json={"older_than_days": 2})
        failed = gives_up.test_client().post("/todos/purge", json={"older_than_days": 3})
        ran = run_worker("--burst", env=env)
        listed = run_worker("--failed", env=env)
        waiting_status = waits.test_client().get(waiting.headers["Location"]).get_json()
    finally:
        for app in (waits, gives_up):
            app.extensions["todo"].db.engine.dispose()
    assert ran.returncode == 0, ran.stderr
    assert "no such table: todos" in ran.stdout + ran.stderr, "each failure is logged"
    assert waiting_status["status"] == "scheduled"
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "1 failed job(s) in queue 'todo':"
    assert lines[1].startswith(f"  {failed.get_json()['id']}  2")
    assert lines[1].endswith(
        "purge todos completed over 3 days ago: "
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: todos"
    )
    assert len(lines) == 2


def test_a_running_worker_releases_a_reminder_when_due_and_stops_on_sigterm(
    api: tuple[Flask, dict[str, str]], redis_url: str
) -> None:
    app, env = api
    client = app.test_client()
    todo_id = client.post("/todos", json={"title": "call mum"}).get_json()["id"]
    assert client.post(f"/todos/{todo_id}/reminder", json={"in_seconds": 1}).status_code == 202
    process = subprocess.Popen(
        COMMAND, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    connection = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            todo = stored(app, todo_id)
            if todo is not None and todo.reminded_at is not None:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the scheduler never released the reminder")
        assert Worker.count(connection=connection) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=5)
            raise
    assert process.returncode == 0, err
    assert "warm shut down requested" in out.lower()
    assert Worker.count(connection=connection) == 0, "it said goodbye to Redis"
    connection.close()


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [*(key for key in os.environ if key.startswith("TODO_")), "REDIS_URL",
                 "DATABASE_URL", "APP_ENV"]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_an_unreachable_redis_is_one_line_and_exit_2_without_the_password(
    no_settings: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_settings.setenv("TODO_REDIS_URL", f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    for args in ([], ["--burst"], ["--failed"]):
        assert main(args) == 2, args
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1, err
        assert err.startswith(
            "python -m projects.todo_api.worker: error: cannot reach the queue's Redis in "
            "TODO_REDIS_URL (127.0.0.1:"
        )
        assert "hunter2" not in err


def test_no_redis_url_is_one_line_and_exit_2(
    no_settings: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--burst"]) == 2
    assert capsys.readouterr().err == (
        "python -m projects.todo_api.worker: error: no job queue: set TODO_REDIS_URL "
        "(or REDIS_URL) to a Redis URL\n"
    )


def test_burst_and_failed_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--burst", "--failed"])
    assert exit_info.value.code == 2
    assert "argument --failed: not allowed with argument --burst" in capsys.readouterr().err
