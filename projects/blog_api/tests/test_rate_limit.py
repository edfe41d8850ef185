"""Login is rate-limited per client address, in memory or in Redis, answering 429 JSON."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api.tests.support import Conduit, assert_error, unique
from shared.cache import RedisUnavailable
from shared.testing import free_port, wait_for_port
from shared.testing.plugin import unavailable

LIMIT = 3


def attempt(
    client: FlaskClient, address: str = "10.0.0.1", password: str = "wrong password"
) -> Any:
    return client.post(
        "/api/users/login",
        json={"user": {"email": "nobody@example.com", "password": password}},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture(params=["memory", "redis"])
def limited_app(
    request: pytest.FixtureRequest, make_app: Callable[..., Flask]
) -> Callable[[], Flask]:
    """A factory of apps allowing 3 logins a minute, counting in memory or in Redis.

    Apps made by one factory share their Redis counts, like the workers of one server.
    """
    overrides: dict[str, Any] = {"LOGIN_RATE_LIMIT": f"{LIMIT} per minute"}
    if request.param == "redis":
        request.getfixturevalue("redis_client")  # an emptied database
        overrides |= {
            "REDIS_URL": request.getfixturevalue("redis_url"),
            "RATE_LIMIT_PREFIX": unique("blog-test-"),
        }
    return lambda: make_app(**overrides)


def test_login_answers_429_json_with_retry_after_past_the_limit(
    limited_app: Callable[[], Flask],
) -> None:
    client = limited_app().test_client()
    statuses = [attempt(client).status_code for _ in range(LIMIT)]
    assert statuses == [401] * LIMIT
    response = attempt(client)
    assert_error(response, 429, "body")
    assert 0 < int(response.headers["Retry-After"]) <= 60, response.headers


def test_successful_logins_count_too(limited_app: Callable[[], Flask]) -> None:
    conduit = Conduit(limited_app().test_client())
    account = conduit.register()
    for _ in range(LIMIT):
        assert attempt(conduit.client, password=account.password).status_code == 401
    response = conduit.client.post(
        "/api/users/login",
        json={"user": {"email": account.email, "password": account.password}},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 429


def test_the_limit_is_per_client_address(limited_app: Callable[[], Flask]) -> None:
    client = limited_app().test_client()
    for _ in range(LIMIT + 1):
        attempt(client, address="10.0.0.1")
    assert attempt(client, address="10.0.0.2").status_code == 401


def test_other_routes_are_not_limited(limited_app: Callable[[], Flask]) -> None:
    client = limited_app().test_client()
    for _ in range(LIMIT + 1):
        attempt(client)
    assert all(client.get("/api/tags").status_code == 200 for _ in range(LIMIT + 2))


def test_a_cors_preflight_does_not_use_up_the_limit(limited_app: Callable[[], Flask]) -> None:
    client = limited_app().test_client()
    for _ in range(LIMIT + 2):
        preflight = client.options(
            "/api/users/login",
            headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert preflight.status_code == 200
    assert attempt(client).status_code == 401


@pytest.mark.redis
def test_workers_sharing_redis_share_the_count(
    redis_url: str, redis_client: Any, make_app: Callable[..., Flask]
) -> None:
    settings = {
        "LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        "REDIS_URL": redis_url,
        "RATE_LIMIT_PREFIX": unique("blog-shared-"),
    }
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    for _ in range(LIMIT):
        attempt(first)
    assert attempt(second).status_code == 429
    assert redis_client.keys(f"*{settings['RATE_LIMIT_PREFIX']}*"), "no rate-limit keys in Redis"


def test_a_configured_redis_that_is_down_stops_the_start(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(
        RedisUnavailable, match=r"^Redis at redis://127\.0\.0\.1:\d+/0 \(BLOG_REDIS"
    ):
        make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")


@pytest.mark.redis
def test_logins_stay_limited_when_redis_goes_away(
    tmp_path: Path, make_app: Callable[..., Flask]
) -> None:
    # A Redis of this test's own, so that stopping it harms no other test.
    if shutil.which("redis-server") is None:
        unavailable("redis", "redis-server not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir",
         str(tmp_path), "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        client = make_app(
            LOGIN_RATE_LIMIT=f"{LIMIT} per minute", REDIS_URL=f"redis://127.0.0.1:{port}/0"
        ).test_client()
        assert attempt(client).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
    statuses = [attempt(client).status_code for _ in range(LIMIT + 1)]
    assert 500 not in statuses, statuses
    assert statuses[-1] == 429, f"the in-memory fallback should still limit: {statuses}"
