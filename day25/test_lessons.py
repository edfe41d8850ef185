"""What the lesson says about the libraries, on the locked versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from day25.degrade import RedisProcess
from projects.todo_api import create_app
from projects.todo_api.models import Todo


def test_flask_limiters_check_runs_for_reads_it_exempts_from_the_write_budget() -> None:
    # A request filter is consulted inside the limiter's before-request check: each call
    # shows that the check ran for that request.
    app = Flask("limited")
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")
    seen: list[str] = []

    @limiter.request_filter
    def record() -> bool:
        seen.append(f"{request.method} {request.path}")
        return False

    @app.route("/todos", methods=["GET", "POST"])
    @limiter.limit("100 per minute", methods=["POST"])
    def todos() -> str:
        return "ok"

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/todos").status_code == 200
    assert client.post("/todos").status_code == 200
    # Once or more per request: a limited route's decorator asks again.
    assert list(dict.fromkeys(seen)) == ["GET /healthz", "GET /todos", "POST /todos"]


@pytest.fixture
def admin(own_redis: RedisProcess) -> Iterator[redis.Redis]:
    client = own_redis.client()
    yield client
    client.close()


@pytest.fixture
def cached_pair(tmp_path: Path, own_redis: RedisProcess) -> Iterator[tuple[Flask, Flask]]:
    """Two Todo API apps, as two processes would be, on one SQLite file and a Redis that
    nothing else talks to (its command counts are the apps' alone)."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}", "REDIS_URL": own_redis.url}
    apps = (create_app({**settings, "TESTING": True}), create_app({**settings, "TESTING": True}))
    yield apps
    for app in apps:
        app.extensions["todo"].db.engine.dispose()
        app.extensions["todo"].extensions.cache.client.close()


def titles(app: Flask) -> list[str]:
    return [todo["title"] for todo in app.test_client().get("/todos").get_json()]


def calls(client: redis.Redis) -> dict[str, int]:
    """Commands the server has run so far, by name."""
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): stat["calls"] for name, stat in stats.items()}


def test_a_cache_hit_is_one_mget_and_no_body(
    cached_pair: tuple[Flask, Flask], admin: redis.Redis
) -> None:
    app, _ = cached_pair
    app.test_client().post("/todos", json={"title": "buy milk"})
    assert titles(app) == ["buy milk"]
    before = calls(admin)
    assert titles(app) == ["buy milk"]
    after = calls(admin)
    sent = {name: count - before.get(name, 0) for name, count in after.items()}
    # The second INFO itself is counted too.
    assert {name: count for name, count in sent.items() if count} == {"mget": 1, "info": 1}


def test_a_restarted_redis_whose_counter_repeats_a_version_gets_no_old_copy(
    cached_pair: tuple[Flask, Flask], admin: redis.Redis
) -> None:
    one, other = cached_pair
    admin.flushdb()
    one.test_client().post("/todos", json={"title": "first"})
    admin.flushdb()  # as a restart without persistence: version 0 again
    assert titles(one) == ["first"]  # cached at version 0, and kept by this process
    admin.flushdb()
    # A change the cache cannot see (no version bump), then the other process caches the
    # new list under the same version 0.
    with other.extensions["todo"].db.transaction() as session:
        session.execute(sa.update(Todo).values(title="changed"))
    assert titles(other) == ["changed"]
    assert titles(one) == ["changed"]
