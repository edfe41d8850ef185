"""The deploy descriptors (render.yaml, Procfile, app.json at the repository root).

First their invariants, read from the files; then every command they name, run for real the
way a platform runs it (``sh -c``, ``$PORT`` in the environment): the release command twice and
in two processes at once on MariaDB and SQLite, and the web command under gunicorn, answering
``/healthz`` and ``/todos``, then stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import yaml
from alembic.script import ScriptDirectory

from day24.descriptors import binds_platform_port, parse_procfile, variable_names
from projects.todo_api import create_app
from projects.todo_api.config import TodoSettings, load_todo_settings
from projects.todo_api.models import Todo
from projects.todo_api.release import MIGRATIONS_DIR
from shared.db import create_engine
from shared.testing import free_port, wait_for_port

REPO_ROOT = Path(__file__).resolve().parents[3]
PROCFILE = parse_procfile((REPO_ROOT / "Procfile").read_text(encoding="utf-8"))
APP_JSON: dict[str, Any] = json.loads((REPO_ROOT / "app.json").read_text(encoding="utf-8"))
RENDER: dict[str, Any] = yaml.safe_load((REPO_ROOT / "render.yaml").read_text(encoding="utf-8"))
RENDER_WEB = next(s for s in RENDER["services"] if s["type"] == "web")
RELEASE = PROCFILE["release"]
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|CREDENTIAL", re.IGNORECASE)
#: Bounds for every process these tests start.
COMMAND_TIMEOUT = 60


def render_env() -> dict[str, dict[str, Any]]:
    return {var["key"]: var for var in RENDER_WEB.get("envVars", [])}


def command_env(**variables: str) -> dict[str, str]:
    """The test's environment without any Todo/database/Redis setting, plus ``variables``,
    with this virtualenv first on PATH (``python`` and ``gunicorn`` are its own)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TODO_") and key not in ("DATABASE_URL", "REDIS_URL", "APP_ENV")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **variables}


def run(command: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command],
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )


# --- invariants ---------------------------------------------------------------------------


def test_the_web_command_binds_all_interfaces_on_the_platforms_port() -> None:
    assert binds_platform_port(PROCFILE["web"]), PROCFILE["web"]
    assert binds_platform_port(RENDER_WEB["startCommand"]), RENDER_WEB["startCommand"]
    assert PROCFILE["web"] == RENDER_WEB["startCommand"], "Render and Heroku start the same app"
    assert "'projects.todo_api:create_app()'" in PROCFILE["web"]


def test_the_health_check_path_is_a_route_of_the_app() -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "REDIS_URL": None, "TESTING": True})
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert RENDER_WEB["healthCheckPath"] in routes, sorted(routes)
    app.extensions["todo"].db.engine.dispose()


def test_the_release_command_is_the_same_in_all_three_descriptors() -> None:
    assert RELEASE == "python -m projects.todo_api.release"
    assert RENDER_WEB["preDeployCommand"] == RELEASE
    assert APP_JSON["scripts"]["postdeploy"] == RELEASE


def test_every_variable_the_descriptors_set_is_a_setting_of_the_app() -> None:
    settings = variable_names(TodoSettings)
    # Heroku's add-ons set DATABASE_URL and REDIS_URL, which the settings read after TODO_*.
    addon_vars = {f"{addon['as']}_URL" for addon in APP_JSON["addons"]}
    for key in [*APP_JSON["env"], *render_env(), *addon_vars]:
        assert key in settings, f"{key} is not a variable the Todo API reads"


def test_no_secret_value_is_committed() -> None:
    for key, spec in APP_JSON["env"].items():
        if SECRET_NAME.search(key):
            assert spec.get("generator") == "secret" and "value" not in spec, key
    for key, var in render_env().items():
        if SECRET_NAME.search(key):
            assert "value" not in var and (var.get("generateValue") or var.get("sync") is False)
    for name in ("Procfile", "app.json", "render.yaml"):
        text = (REPO_ROOT / name).read_text(encoding="utf-8")
        assert not re.search(r"\w+://[^/\s:@]+:[^/\s@]+@", text), (
            f"{name} holds a password in a URL"
        )


def test_the_databases_and_redis_the_web_service_reads_are_declared() -> None:
    env = render_env()
    assert env["TODO_DATABASE_URL"]["fromDatabase"]["name"] in {
        db["name"] for db in RENDER["databases"]
    }
    source = env["TODO_REDIS_URL"]["fromService"]
    assert {"type": source["type"], "name": source["name"]} in [
        {"type": s["type"], "name": s["name"]} for s in RENDER["services"]
    ]
    assert source["type"] == "keyvalue" and source["property"] == "connectionString"
    assert {addon["plan"] for addon in APP_JSON["addons"]} == {"heroku-postgresql", "heroku-redis"}


def test_the_production_env_they_give_passes_the_apps_production_refusals() -> None:
    """With the platform's parts filled in (a database, Redis, a generated secret), the
    settings both descriptors set load under APP_ENV=production."""
    platform = {
        "DATABASE_URL": "postgres://todo:pw@db.internal:5432/todo",
        "REDIS_URL": "redis://kv.internal:6379",
        "SECRET_KEY": secrets.token_urlsafe(48),
    }
    for values in (
        {key: spec["value"] for key, spec in APP_JSON["env"].items() if "value" in spec},
        {key: var["value"] for key, var in render_env().items() if "value" in var},
    ):
        plain = {key.removeprefix("TODO_"): value for key, value in values.items()}
        settings = load_todo_settings({**plain, **platform})
        assert settings.is_production and settings.auto_migrate is False


def test_a_worker_is_declared_exactly_when_the_api_has_a_worker_entry_point() -> None:
    has_worker = any(
        (REPO_ROOT / "projects/todo_api" / name).exists() for name in ("worker.py", "jobs.py")
    )
    render_workers = [s for s in RENDER["services"] if s["type"] == "worker"]
    assert ("worker" in PROCFILE) is has_worker
    assert bool(render_workers) is has_worker


WORKER = "python -m projects.todo_api.worker"


def test_every_descriptor_runs_the_same_worker_with_the_web_services_settings() -> None:
    assert PROCFILE["worker"] == WORKER
    (render_worker,) = [s for s in RENDER["services"] if s["type"] == "worker"]
    assert render_worker["startCommand"] == WORKER
    assert render_worker["buildCommand"] == RENDER_WEB["buildCommand"]
    assert "healthCheckPath" not in render_worker, "a worker serves no HTTP"
    web_env = render_env()
    worker_env = {var["key"]: var for var in render_worker["envVars"]}
    assert set(worker_env) == set(web_env)
    for key, var in worker_env.items():
        if key == "TODO_SECRET_KEY":
            # The web service's generated value, not a second secret.
            assert var["fromService"] == {
                "type": "web", "name": RENDER_WEB["name"], "envVarKey": key,
            }  # fmt: skip
        else:
            assert var == web_env[key], key
    assert APP_JSON["formation"]["worker"]["quantity"] == 1
    compose = yaml.safe_load((REPO_ROOT / "projects/todo_api/compose.yaml").read_text())
    assert " ".join(compose["services"]["worker"]["command"]) == WORKER


def test_the_redis_the_queue_lives_in_never_evicts_keys() -> None:
    """An evicted job is a lost job: the Key Value store must refuse writes when full."""
    (store,) = [s for s in RENDER["services"] if s["type"] == "keyvalue"]
    assert store["maxmemoryPolicy"] == "noeviction"


# --- the release command, run -------------------------------------------------------------


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def revisions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT version_num FROM todo_alembic_version"))
            assert sa.inspect(connection).has_table("todos")
            return [row[0] for row in rows]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "mysql"])
def new_database(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> str:
    if request.param == "mysql":
        request.getfixturevalue("mysql_url")
    return make_database(request.param)


def test_the_release_command_migrates_to_head_and_a_second_run_changes_nothing(
    new_database: str,
) -> None:
    env = command_env(TODO_DATABASE_URL=new_database)
    for _ in range(2):
        done = run(RELEASE, env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("migrated ") and done.stdout.endswith(" to head\n")
        assert revisions(new_database) == [head_revision()]


def test_two_release_commands_at_once_both_succeed_and_migrate_once(new_database: str) -> None:
    env = command_env(TODO_DATABASE_URL=new_database)
    processes = [
        subprocess.Popen(
            ["sh", "-c", RELEASE],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [process.communicate(timeout=COMMAND_TIMEOUT) for process in processes]
    for process, (_out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    assert revisions(new_database) == [head_revision()]


def test_the_release_command_says_in_one_line_when_the_database_is_unreachable() -> None:
    url = f"mysql://todo:hunter2@127.0.0.1:{free_port()}/todo"
    done = run(RELEASE, command_env(TODO_DATABASE_URL=url))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot reach the database in TODO_DATABASE_URL" in done.stderr
    assert "hunter2" not in done.stderr


def test_the_release_command_has_help() -> None:
    done = run(f"{RELEASE} --help", command_env())
    assert done.returncode == 0 and done.stdout.startswith("usage: " + RELEASE)


# --- the web command, run -----------------------------------------------------------------


@contextmanager
def started(command: str, env: Mapping[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    """``command`` running under ``sh -c`` until the block ends, then stopped with SIGTERM."""
    process = subprocess.Popen(
        ["sh", "-c", f"exec {command}"],
        cwd=REPO_ROOT,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, timeout=20)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_the_web_command_serves_health_and_todos_on_port_then_stops(
    make_database: Callable[[str], str], mysql_url: str, redis_url: str
) -> None:
    database = make_database("mysql")
    # As on a deploy: the release step migrates, then the web processes start without it.
    assert run(RELEASE, command_env(TODO_DATABASE_URL=database)).returncode == 0
    port = free_port()
    env = command_env(
        PORT=str(port),
        TODO_DATABASE_URL=database,
        REDIS_URL=redis_url,
        TODO_AUTO_MIGRATE="false",
        WEB_CONCURRENCY="2",
    )
    with started(PROCFILE["web"], env, port) as process:
        base = f"http://127.0.0.1:{port}"
        health = requests.get(f"{base}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        todos = requests.get(f"{base}/todos", timeout=5)
        assert todos.status_code == 200, todos.text
        ready = requests.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_herokus_requirements_file_installs_the_runtime_lock_and_nothing_else() -> None:
    lines = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line for line in lines if line.strip() and not line.startswith("#")]
    assert requirements == ["-r requirements-docker.lock"]
    assert "gunicorn==" in (REPO_ROOT / "requirements-docker.lock").read_text(encoding="utf-8")


# --- the worker command, run ----------------------------------------------------------------


def test_the_worker_command_in_burst_mode_runs_a_purge_on_mysql_and_redis(
    make_database: Callable[[str], str], mysql_url: str, redis_url: str, redis_client: Any
) -> None:
    database = make_database("mysql")
    assert run(RELEASE, command_env(TODO_DATABASE_URL=database)).returncode == 0
    app = create_app(
        {"DATABASE_URL": database, "REDIS_URL": redis_url, "AUTO_MIGRATE": False, "TESTING": True}
    )
    try:
        client = app.test_client()
        old = client.post("/todos", json={"title": "done long ago"}).get_json()["id"]
        kept = client.post("/todos", json={"title": "open"}).get_json()["id"]
        with app.extensions["todo"].db.transaction() as session:
            session.execute(
                sa.update(Todo)
                .where(Todo.id == old)
                .values(completed=True, completed_at=datetime.now(UTC) - timedelta(days=90))
            )
        job = client.post("/todos/purge", json={"older_than_days": 30})
        assert job.status_code == 202, job.get_json()

        # As on a platform: the release step has migrated, the worker does not.
        env = command_env(
            TODO_DATABASE_URL=database, REDIS_URL=redis_url, TODO_AUTO_MIGRATE="false"
        )
        done = run(f"{PROCFILE['worker']} --burst", env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert [todo["id"] for todo in client.get("/todos").get_json()] == [kept]
        assert client.get(job.headers["Location"]).get_json()["result"] == 1
    finally:
        app.extensions["todo"].db.engine.dispose()
