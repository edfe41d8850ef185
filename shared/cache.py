"""A Redis client from ``REDIS_URL`` with a health check and errors that say what to do."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis

from shared.config import ConfigError


class RedisUnavailable(ConfigError):
    """Redis is required but does not answer."""


@dataclass(frozen=True)
class Health:
    ok: bool
    latency_ms: float | None
    error: str | None = None


def redacted(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def redis_client(
    url: str | None,
    var: str = "REDIS_URL",
    required: bool = False,
    timeout: float = 2.0,
) -> redis.Redis | None:
    """A connected client, ``None`` when ``url`` is unset and Redis is optional.

    Raises ConfigError for a malformed URL, and RedisUnavailable when ``required`` and the
    server does not answer a PING.
    """
    if not url:
        if required:
            raise RedisUnavailable(
                f"{var} is unset; set it to your Redis, e.g. redis://127.0.0.1:6379/0"
            )
        return None
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
    except ValueError as error:
        raise ConfigError(
            f"{var} is not a Redis URL: {redacted(url)!r} ({error}); "
            "expected e.g. redis://127.0.0.1:6379/0"
        ) from None
    if required:
        health = check_health(client)
        if not health.ok:
            raise RedisUnavailable(
                f"Redis at {redacted(url)} ({var}) is unreachable: {health.error}; "
                "start it (redis-server) or point the variable at a running server"
            )
    return client


def check_health(client: redis.Redis) -> Health:
    """PING the server: ok and round-trip time, or the reason it failed."""
    started = time.perf_counter()
    try:
        client.ping()
    except redis.RedisError as error:
        return Health(
            ok=False, latency_ms=None, error=str(error).rstrip(".") or type(error).__name__
        )
    return Health(ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 3))
