"""flask-limiter on a real Redis: exact numbers, the 429 and its headers, one budget shared by
two app instances and by two gunicorn processes."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from email.message import Message

import pytest
import redis
from flask import Flask

from day20.app import create_app
from shared.config import ConfigError
from shared.serve import served

DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def limited_app(redis_url: str, limit: str = "5 per minute", **more: str) -> Flask:
    app = create_app({"REDIS_URL": redis_url, "RATE_LIMIT": limit, **more})
    app.testing = True  # an error in a handler reaches the test, not a 500
    return app


@pytest.mark.parametrize("strategy", ["fixed-window", "moving-window"])
def test_limit_5_lets_5_pass_and_the_6th_gets_429(
    redis_client: redis.Redis, redis_url: str, strategy: str
) -> None:
    client = limited_app(redis_url, STRATEGY=strategy).test_client()

    statuses = [client.get("/todos").status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]


def test_the_429_is_problem_json_with_retry_after_and_rate_limit_headers(
    redis_client: redis.Redis, redis_url: str
) -> None:
    client = limited_app(redis_url).test_client()
    remaining = [client.get("/todos").headers["X-RateLimit-Remaining"] for _ in range(5)]

    refused = client.get("/todos")

    assert remaining == ["4", "3", "2", "1", "0"]
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["detail"].startswith("rate limit exceeded: 5 per 1 minute")
    assert refused.headers["X-RateLimit-Limit"] == "5"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert int(refused.headers["X-RateLimit-Reset"]) > 1_700_000_000  # a Unix time, not a delay


def test_flask_limiter_sends_retry_after_on_allowed_responses_too(
    redis_client: redis.Redis, redis_url: str
) -> None:
    allowed = limited_app(redis_url).test_client().get("/todos")

    assert allowed.status_code == 200
    assert allowed.headers["Retry-After"] == "60"


def test_two_app_instances_on_one_redis_share_one_budget(
    redis_client: redis.Redis, redis_url: str
) -> None:
    first, second = limited_app(redis_url).test_client(), limited_app(redis_url).test_client()

    statuses = [(first if n % 2 else second).get("/todos").status_code for n in range(6)]

    assert statuses == [200] * 5 + [429]
    assert first.get("/todos").status_code == second.get("/todos").status_code == 429
    assert [key for key in redis_client.keys("*") if "day20" in key] != []


def test_in_memory_storage_gives_each_instance_its_own_budget() -> None:
    first, second = limited_app("memory://").test_client(), limited_app("memory://").test_client()

    assert [first.get("/todos").status_code for _ in range(5)] == [200] * 5
    assert second.get("/todos").status_code == 200, "memory:// is per process, not shared"


def test_the_health_check_is_not_limited(redis_client: redis.Redis, redis_url: str) -> None:
    client = limited_app(redis_url, "1 per minute").test_client()

    assert [client.get("/health").status_code for _ in range(5)] == [200] * 5
    assert client.get("/todos").status_code == 200
    assert client.get("/todos").status_code == 429


def get(url: str) -> tuple[int, Message]:
    try:
        with DIRECT.open(url, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_two_gunicorn_processes_on_one_redis_share_one_budget(
    redis_client: redis.Redis, redis_url: str
) -> None:
    env = {**os.environ, "DAY20_REDIS_URL": redis_url, "DAY20_RATE_LIMIT": "5 per minute"}
    with (
        served("day20.app:create_app()", env=env, workers=1, ready_path="/health") as one,
        served("day20.app:create_app()", env=env, workers=1, ready_path="/health") as two,
    ):
        answers = [get((one if n % 2 else two).url + "/todos") for n in range(6)]

    statuses = [status for status, _ in answers]
    assert statuses == [200] * 5 + [429], statuses
    _, refused = answers[-1]
    assert refused["X-RateLimit-Limit"] == "5"
    assert 55 <= int(refused["Retry-After"]) <= 60


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"RATE_LIMIT": "lots"}, "DAY20_RATE_LIMIT is not a rate limit: 'lots'"),
        ({"STRATEGY": "leaky"}, "DAY20_STRATEGY must be one of fixed-window, moving-window"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "DAY20_REDIS_URL must be a redis:// URL"),
    ],
)
def test_bad_settings_are_refused_in_one_line(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app(overrides)
