"""GET /todos through the Redis cache, on real Redis and every database backend.

A hit runs no SQL, every write invalidates for every process, a cold key under 16 readers is
loaded once, and a Redis that goes away and comes back costs nothing but the cache.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from projects.todo_api import create_app
from projects.todo_api.cache import ListCache
from projects.todo_api.models import Todo
from projects.todo_api.tests.conftest import settings_for
from shared.config import ConfigError
from shared.serve import free_port, stop
from shared.testing import count_queries

pytestmark = pytest.mark.timeout(60)


def cache_of(app: Flask) -> ListCache:
    cache = app.extensions["todo"].extensions.cache
    assert cache is not None, "the app was built without a cache"
    return cache


def engine_of(app: Flask) -> sa.Engine:
    return app.extensions["todo"].db.engine


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


@pytest.fixture(scope="session")
def cached_apps(db_url: str, redis_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two apps, as two processes would be, on the same database and the same Redis."""
    apps = (
        create_app(settings_for(db_url, REDIS_URL=redis_url)),
        create_app(settings_for(db_url, REDIS_URL=redis_url, AUTO_MIGRATE=False)),
    )
    yield apps
    for app in apps:
        engine_of(app).dispose()
        cache_of(app).client.close()


@pytest.fixture
def pair(
    cached_apps: tuple[Flask, Flask], redis_client: redis.Redis
) -> tuple[FlaskClient, FlaskClient]:
    """Test clients of both apps, on an empty table, an empty Redis and zeroed counters."""
    first, second = cached_apps
    with first.extensions["todo"].db.transaction() as session:
        session.execute(sa.delete(Todo))
    for app in cached_apps:
        cache_of(app).reset_stats()
        cache_of(app).before_store = None
    return first.test_client(), second.test_client()


def titles(client: FlaskClient) -> list[str]:
    response = client.get("/todos")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [todo["title"] for todo in response.get_json()]


def test_the_second_get_is_a_hit_that_runs_no_sql(
    pair: tuple[FlaskClient, FlaskClient], cached_apps: tuple[Flask, Flask]
) -> None:
    client, _ = pair
    client.post("/todos", json={"title": "buy milk"})
    first = client.get("/todos")
    with count_queries(engine_of(cached_apps[0])) as counter:
        second = client.get("/todos")
    assert counter.statements == []
    assert second.mimetype == "application/json"
    assert second.get_json() == first.get_json()
    assert second.get_json()[0]["url"].startswith("http://localhost/todos/")
    stats = cache_of(cached_apps[0]).stats()
    assert (stats.misses, stats.hits, stats.loads) == (1, 1, 1)


def test_the_cached_body_is_what_the_uncached_api_sends(
    pair: tuple[FlaskClient, FlaskClient], db_url: str
) -> None:
    client, _ = pair
    client.post("/todos", json={"title": "a", "order": 2})
    client.post("/todos", json={"title": "b", "order": 1})
    uncached = create_app(settings_for(db_url, AUTO_MIGRATE=False))
    try:
        expected = uncached.test_client().get("/todos").get_json()
    finally:
        engine_of(uncached).dispose()
    client.get("/todos")
    assert client.get("/todos").get_json() == expected


def test_each_kind_of_write_invalidates_the_list(pair: tuple[FlaskClient, FlaskClient]) -> None:
    client, _ = pair
    assert titles(client) == []
    url = client.post("/todos", json={"title": "one"}).get_json()["url"]
    assert titles(client) == ["one"]
    client.patch(url, json={"title": "uno"})
    assert titles(client) == ["uno"]
    client.post("/todos", json={"title": "two"})
    client.delete(url)
    assert titles(client) == ["two"]
    client.delete("/todos")
    assert titles(client) == []


def test_a_write_through_one_app_is_never_followed_by_a_stale_list_in_the_other(
    pair: tuple[FlaskClient, FlaskClient],
) -> None:
    one, other = pair
    for n in range(3):
        assert titles(other) == [f"todo {i}" for i in range(n)]
        titles(other)  # now cached in Redis
        one.post("/todos", json={"title": f"todo {n}"})
    assert titles(other) == ["todo 0", "todo 1", "todo 2"]
    url = other.get("/todos").get_json()[0]["url"]
    other.patch(url, json={"completed": True})
    assert [todo["completed"] for todo in one.get("/todos").get_json()] == [True, False, False]


def test_sixteen_readers_at_a_cold_key_run_one_select(
    pair: tuple[FlaskClient, FlaskClient], cached_apps: tuple[Flask, Flask]
) -> None:
    app = cached_apps[0]
    pair[0].post("/todos", json={"title": "buy milk"})
    cache = cache_of(app)
    readers = 16

    def hold_until_the_others_wait() -> None:
        # Force the interleaving: the other 15 have missed and found the lock taken.
        deadline = time.monotonic() + 10
        while cache.stats().waited < readers - 1:
            assert time.monotonic() < deadline, f"only {cache.stats().waited} readers waited"
            time.sleep(0.005)

    cache.before_store = hold_until_the_others_wait
    start = threading.Barrier(readers)
    results: list[Any] = []

    def read() -> None:
        client = app.test_client()
        start.wait()
        response = client.get("/todos")
        results.append((response.status_code, response.get_json()))

    with count_queries(engine_of(app)) as counter:
        threads = [threading.Thread(target=read) for _ in range(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert len(selects(counter.statements)) == 1, counter.statements
    assert len(results) == readers
    assert {status for status, _ in results} == {200}
    assert all(body[0]["title"] == "buy milk" for _, body in results)
    stats = cache.stats()
    assert (stats.misses, stats.loads, stats.waited) == (readers, 1, readers - 1)


def test_the_cached_list_lives_todo_cache_ttl_seconds(
    make_app: Callable[..., Flask],
    redis_url: str,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_CACHE_TTL", "7")
    app = make_app(REDIS_URL=redis_url)
    try:
        assert titles(app.test_client()) == []
        keys = [key for key in redis_client.keys("todo:list:v*") if not key.endswith(":lock")]
        assert len(keys) == 1, keys
        assert 6000 < redis_client.pttl(keys[0]) <= 7000
    finally:
        cache_of(app).client.close()


def test_a_negative_ttl_is_refused_with_the_variable_named(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TODO_CACHE_TTL", "-1")
    with pytest.raises(ConfigError, match="TODO_CACHE_TTL must be at least 0"):
        make_app()


def test_a_ttl_of_zero_turns_the_cache_off(make_app: Callable[..., Flask], redis_url: str) -> None:
    app = make_app(REDIS_URL=redis_url, CACHE_TTL=0)
    assert app.extensions["todo"].extensions.cache is None


def test_without_a_redis_url_there_is_no_cache(make_app: Callable[..., Flask]) -> None:
    assert make_app().extensions["todo"].extensions.cache is None


# --- Redis going away and coming back ------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a fixed port, which it may stop and start again."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        options = ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", *options],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert self.process.poll() is None, "redis-server exited at start"
                    assert time.monotonic() < deadline, "redis-server did not answer PING"
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


class FakeClock:
    """Monotonic seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


def test_the_list_comes_from_the_database_while_redis_is_down_and_the_cache_returns(
    own_redis: RedisServer, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings_for(db_url, REDIS_URL=own_redis.url))
    try:
        client, cache = app.test_client(), cache_of(app)
        cache.clock = clock = FakeClock()
        with app.extensions["todo"].db.transaction() as session:
            session.execute(sa.delete(Todo))
        client.post("/todos", json={"title": "before"})
        assert titles(client) == ["before"]
        assert titles(client) == ["before"]
        assert cache.stats().hits == 1

        own_redis.stop()
        caplog.set_level(logging.INFO, logger="projects.todo_api.cache")
        assert titles(client) == ["before"]
        assert client.post("/todos", json={"title": "during"}).status_code == 201
        assert titles(client) == ["before", "during"]
        assert titles(client) == ["before", "during"]
        assert cache.stats().bypassed == 3
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
        assert "Redis unreachable" in warnings[0].getMessage()

        own_redis.start()
        clock.now += cache.retry_after
        before = cache.stats()
        assert titles(client) == ["before", "during"]
        assert titles(client) == ["before", "during"]
        after = cache.stats()
        assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
        assert after.bypassed == before.bypassed
        assert any("back on" in r.getMessage() for r in caplog.records)
    finally:
        engine_of(app).dispose()
        cache_of(app).client.close()


def test_a_write_while_redis_refuses_the_app_is_not_followed_by_the_old_list(
    own_redis: RedisServer, db_url: str
) -> None:
    # Redis keeps its data but turns the app away (a password set, the app's connections
    # dropped): the write's version bump is missed, and must be made once Redis answers.
    app = create_app(settings_for(db_url, REDIS_URL=own_redis.url))
    admin = redis.Redis.from_url(own_redis.url)
    cache_of(app).clock = clock = FakeClock()
    try:
        client = app.test_client()
        with app.extensions["todo"].db.transaction() as session:
            session.execute(sa.delete(Todo))
        client.post("/todos", json={"title": "before"})
        assert titles(client) == ["before"]

        admin.config_set("requirepass", "not-the-apps")
        admin.client_kill_filter(_type="normal", skipme=True)
        assert client.post("/todos", json={"title": "during"}).status_code == 201
        assert cache_of(app).stats().bypassed == 0

        admin.config_set("requirepass", "")
        clock.now += cache_of(app).retry_after
        assert titles(client) == ["before", "during"]
        assert cache_of(app).stats().bypassed == 0
    finally:
        admin.close()
        engine_of(app).dispose()
        cache_of(app).client.close()


def test_after_a_failure_redis_is_tried_again_only_once_retry_after_has_passed(
    own_redis: RedisServer, make_app: Callable[..., Flask]
) -> None:
    app = make_app(REDIS_URL=own_redis.url)
    client, cache = app.test_client(), cache_of(app)
    cache.clock = clock = FakeClock()
    try:
        own_redis.stop()
        assert titles(client) == []
        own_redis.start()
        clock.now += cache.retry_after / 2
        assert titles(client) == []
        assert (cache.stats().bypassed, cache.stats().misses) == (2, 0)
        clock.now += cache.retry_after / 2
        assert titles(client) == []
        assert (cache.stats().bypassed, cache.stats().misses) == (2, 1)
    finally:
        cache.client.close()
