"""The write rate limit on real Redis: N writes pass, the next is a 429 problem with
Retry-After and X-RateLimit headers, two apps on one Redis share one budget, reads are not
counted, a bad limit is refused at start-up, and a Redis that is down does not stop writes."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from projects.todo_api import create_app
from projects.todo_api.limits import FALLBACK_LINE, KEY_PREFIX, storage_uri
from projects.todo_api.tests.conftest import settings_for
from projects.todo_api.tests.test_cache import RedisServer
from shared.config import ConfigError

pytestmark = pytest.mark.timeout(60)

LIMIT = 3


@pytest.fixture
def limited(redis_client: redis.Redis, redis_url: str) -> Iterator[Callable[..., Flask]]:
    """``limited(**overrides)``: an app on in-memory SQLite, limited to LIMIT writes a minute
    on the test Redis (emptied first, so every test starts with a full budget)."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        settings = {"REDIS_URL": redis_url, "WRITE_RATE_LIMIT": f"{LIMIT} per minute"}
        app = create_app(settings_for("sqlite://", **(settings | overrides)))
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["todo"].db.engine.dispose()


def create(client: FlaskClient, title: str = "walk") -> int:
    return client.post("/todos", json={"title": title}).status_code


def test_n_writes_pass_and_the_next_is_a_429_problem_with_the_headers(
    limited: Callable[..., Flask], redis_client: redis.Redis
) -> None:
    client = limited().test_client()
    passed = [client.post("/todos", json={"title": f"t{n}"}) for n in range(LIMIT)]
    assert [r.status_code for r in passed] == [201] * LIMIT
    assert [r.headers["X-RateLimit-Remaining"] for r in passed] == ["2", "1", "0"]

    refused = client.post("/todos", json={"title": "one too many"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert "3 per 1 minute" in body["detail"] and "Retry-After" in body["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == str(LIMIT)
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > time.time()
    # The refused write did not happen, and the counts are in Redis under the API's prefix.
    assert len(client.get("/todos").get_json()) == LIMIT
    assert redis_client.keys(f"LIMITS:LIMITER/{KEY_PREFIX}/127.0.0.1/*")


def test_patch_and_delete_draw_on_the_same_budget_and_reads_are_free(
    limited: Callable[..., Flask],
) -> None:
    client = limited().test_client()
    todo = client.post("/todos", json={"title": "a"}).get_json()
    path = "/todos/" + str(todo["url"]).rsplit("/", 1)[-1]
    for _ in range(10):
        assert client.get("/todos").status_code == 200
        assert "X-RateLimit-Limit" not in client.get(path).headers
    assert client.patch(path, json={"completed": True}).status_code == 200
    assert client.delete(path).status_code == 204
    assert client.delete("/todos").status_code == 429
    assert client.get("/healthz").status_code == 200


def test_the_budget_is_per_client_address(limited: Callable[..., Flask]) -> None:
    client = limited().test_client()
    other = {"REMOTE_ADDR": "192.0.2.7"}
    for _ in range(LIMIT):
        assert create(client) == 201
    assert create(client) == 429
    assert client.post("/todos", json={"title": "x"}, environ_base=other).status_code == 201


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(
    limited: Callable[..., Flask],
) -> None:
    client = limited(TRUSTED_PROXY_HOPS=1).test_client()

    def create_as(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        return client.post("/todos", json={"title": "x"}, headers=headers).status_code

    assert [create_as("198.51.100.1") for _ in range(LIMIT + 1)] == [201] * LIMIT + [429]
    assert create_as("198.51.100.2") == 201


def test_two_apps_on_one_redis_share_the_budget(limited: Callable[..., Flask]) -> None:
    first, second = limited().test_client(), limited().test_client()
    statuses = [create(first if n % 2 else second) for n in range(LIMIT + 1)]
    assert statuses == [201] * LIMIT + [429]
    assert create(first) == 429


def test_without_a_redis_url_each_app_counts_in_its_own_memory(
    limited: Callable[..., Flask],
) -> None:
    first = limited(REDIS_URL=None).test_client()
    second = limited(REDIS_URL=None).test_client()
    assert [create(first) for _ in range(LIMIT)] == [201] * LIMIT
    assert create(first) == 429
    assert create(second) == 201


@pytest.mark.parametrize("value", ["lots", "120 per fortnight", ""])
def test_a_bad_limit_is_one_config_error_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(settings_for("sqlite://", WRITE_RATE_LIMIT=value))
    message = str(caught.value)
    assert message.startswith("TODO_WRITE_RATE_LIMIT is not a rate limit")
    assert "\n" not in message


def test_storage_follows_the_redis_url() -> None:
    assert storage_uri(None) == "memory://"
    assert storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert storage_uri("unix:///run/redis.sock") == "redis+unix:///run/redis.sock"


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


def test_writes_still_pass_while_redis_is_down_and_it_is_said_once(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        settings_for("sqlite://", REDIS_URL=own_redis.url, WRITE_RATE_LIMIT="100/minute")
    )
    try:
        client = app.test_client()
        assert create(client, "before") == 201
        own_redis.stop()
        caplog.set_level(logging.INFO, logger="projects.todo_api.limits")
        assert [create(client, f"during {n}") for n in range(5)] == [201] * 5
        said = [(r.levelno, r.getMessage()) for r in caplog.records if "limit" in r.name]
        assert said == [(logging.ERROR, FALLBACK_LINE)]
    finally:
        app.extensions["todo"].db.engine.dispose()
