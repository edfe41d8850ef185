"""``/healthz`` answers without the database; ``/readyz`` checks it, its migrations and Redis."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from projects.todo_api import migration_heads
from projects.todo_api.health import REDIS_TIMEOUT
from projects.todo_api.models import VERSION_TABLE
from shared.serve import free_port


def test_healthz_says_ok(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_reports_each_check_when_ready(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
    }


def test_readyz_is_503_when_the_database_is_unreachable(make_app: Any) -> None:
    # Never migrated (AUTO_MIGRATE off), so the app starts on a database that is not there.
    unreachable = "postgresql+psycopg://nobody:x@127.0.0.1:1/todo"
    app = make_app(DATABASE_URL=unreachable, AUTO_MIGRATE=False)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unreachable: ")
    # Liveness does not depend on the database.
    assert client.get("/healthz").status_code == 200


def test_readyz_is_503_when_the_schema_is_behind(make_app: Any) -> None:
    app = make_app(AUTO_MIGRATE=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    head = ", ".join(sorted(migration_heads()))
    assert checks["migrations"].startswith(f"behind: at none, expected {head}; migrate")


def test_migrations_keep_their_own_version_table(app: Flask) -> None:
    engine = app.extensions["todo"].db.engine
    assert VERSION_TABLE in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        version = connection.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
    assert {version} == migration_heads()


def test_readyz_pings_redis_when_the_app_has_one(make_app: Any, redis_url: str) -> None:
    response = make_app(REDIS_URL=redis_url).test_client().get("/readyz")
    assert (response.status_code, response.get_json()) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}},
    )


def test_readyz_is_503_naming_redis_when_redis_is_unreachable(make_app: Any) -> None:
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert (body["checks"]["database"], body["checks"]["migrations"]) == ("ok", "ok")
    assert body["checks"]["redis"].startswith("unreachable: "), body
    assert "Connection refused" in body["checks"]["redis"], body
    # The API itself does not depend on Redis.
    assert client.get("/healthz").status_code == 200
    assert client.post("/todos", json={"title": "still works"}).status_code == 201


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


def test_a_redis_that_hangs_costs_readyz_one_timeout_not_a_hang(
    make_app: Any, hung_redis: str
) -> None:
    client = make_app(REDIS_URL=hung_redis).test_client()
    for _ in range(2):  # the second time through the app's pooled client
        started = time.monotonic()
        response = client.get("/readyz")
        took = time.monotonic() - started
        assert response.status_code == 503
        assert response.get_json()["checks"]["redis"].startswith("unreachable: Timeout"), (
            response.get_json()
        )
        # One PING that waits REDIS_TIMEOUT, no retries (redis-py's default is 3, with backoff).
        assert REDIS_TIMEOUT <= took < 3 * REDIS_TIMEOUT, f"readyz took {took:.2f}s"
