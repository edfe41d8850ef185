"""shared.cache: Redis clients that fail with a line saying what to do."""

import pytest

from shared.cache import RedisUnavailable, check_health, redacted, redis_client
from shared.config import ConfigError
from shared.testing import free_port


def test_no_url_means_no_client_when_redis_is_optional():
    assert redis_client(None) is None


def test_no_url_is_an_error_when_redis_is_required():
    with pytest.raises(RedisUnavailable, match=r"^TODO_REDIS_URL is unset"):
        redis_client("", var="TODO_REDIS_URL", required=True)


def test_a_malformed_url_names_the_variable():
    with pytest.raises(ConfigError, match=r"^REDIS_URL is not a Redis URL: 'http://nope'"):
        redis_client("http://nope")


def test_an_unreachable_server_is_one_clear_line_when_required():
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as error:
        redis_client(url, required=True, timeout=0.5)
    message = str(error.value)
    assert "is unreachable" in message and "start it (redis-server)" in message
    assert "hunter2" not in message, "the password must not be printed"


def test_passwords_are_redacted():
    assert redacted("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_health_reports_latency_on_a_real_server(redis_url):
    client = redis_client(redis_url, required=True)
    health = check_health(client)
    assert health.ok and health.latency_ms is not None and health.error is None


def test_health_reports_the_error_for_a_dead_server():
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    health = check_health(client)
    assert not health.ok and health.latency_ms is None and health.error


def test_each_test_gets_an_empty_redis_database(redis_client):
    assert redis_client.dbsize() == 0
    redis_client.set("left:behind", "1")
