"""Rate limits on the Todo API's writes: flask-limiter, counting per client address.

Every ``POST``, ``PATCH`` and ``DELETE`` a client sends draws on one budget,
``TODO_WRITE_RATE_LIMIT`` (default ``1200 per minute``, a moving window); reads, the health
checks and the docs are not limited. The counts live in the API's Redis (``TODO_REDIS_URL``),
so every process and replica on that Redis shares the budget. With no Redis URL they live in
memory, which is per process: with N gunicorn workers a client gets up to N times the limit.

The client is ``request.remote_addr``, which ProxyFix sets from ``X-Forwarded-For`` when
``TODO_TRUSTED_PROXY_HOPS`` says there are proxies to believe. A refusal is a 429 problem
(``application/problem+json``) with ``Retry-After`` and ``X-RateLimit-Limit``/``-Remaining``/
``-Reset`` (a Unix time). When Redis is unreachable the limiter fails open to per-process
in-memory counts, logs it once, and goes back to Redis once Redis answers its health check
again. That line is an ERROR, not a WARNING like the list cache's: a cache that steps aside
costs speed, a limiter that stops sharing its counts lets each process grant the full budget.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many

from shared.errors import ApiError, problem_details

#: The methods that draw on the write budget.
WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})
#: Where the counts live in Redis: ``LIMITS:LIMITER/todo:limits/<client>/global/120/1/minute``.
KEY_PREFIX = "todo:limits"
STRATEGY = "moving-window"
#: Seconds a Redis call may take before the limiter gives up on it and fails open.
SOCKET_TIMEOUT = 0.5


log = logging.getLogger(__name__)
#: The line flask-limiter 4.1 logs (as a warning) when it falls back to memory.
LIBRARY_FALLBACK_LINE = "Rate limit storage unreachable"
FALLBACK_LINE = (
    "rate limits: Redis unreachable, counting in this process only until it answers again "
    "(each process now grants the full TODO_WRITE_RATE_LIMIT)"
)


class LimiterLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """flask-limiter's logger, with its fall-back-to-memory warning said as our own error."""

    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None:
        if str(msg).startswith(LIBRARY_FALLBACK_LINE):
            log.error(FALLBACK_LINE)
        else:
            self.logger.warning(msg, *args, **kwargs)


def check_rate_limit(value: str) -> str:
    """``value`` if flask-limiter can parse it as one or more limits, else a ValueError."""
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(
            f"is not a rate limit: {value!r}; expected e.g. '120 per minute' or '10/second'"
        ) from None
    return value


def storage_uri(redis_url: str | None) -> str:
    """The limits storage for the API's Redis URL; ``memory://`` (per process) without one."""
    if redis_url is None:
        return "memory://"
    if urlsplit(redis_url).scheme == "unix":
        # redis-py's socket URL is unix://path; the limits package spells it redis+unix://path.
        return "redis+unix" + redis_url.removeprefix("unix")
    return redis_url


def is_read() -> bool:
    """Whether this request is exempt from the write budget."""
    return request.method not in WRITE_METHODS


def too_many_requests(error: RateLimitExceeded) -> Response:
    """A 429 problem; flask-limiter adds Retry-After and X-RateLimit-* after this."""
    return problem_details(
        ApiError(
            f"too many writes from this client: the limit is {error.description}; "
            "retry after the delay in the Retry-After header",
            status=429,
            title="Too Many Requests",
        )
    )


def init_limiter(app: Flask, write_limit: str, redis_url: str | None) -> Limiter:
    """Bind a limiter for ``write_limit`` on writes to ``app``, counting in ``redis_url``."""
    uri = storage_uri(redis_url)
    options: dict[str, Any] = {}
    if uri != "memory://":
        options = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[write_limit],
        application_limits_exempt_when=is_read,
        storage_uri=uri,
        storage_options=options,
        strategy=STRATEGY,
        key_prefix=KEY_PREFIX,
        headers_enabled=True,
        # Redis down: count in this process instead (one warning), and never fail a request.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.logger = LimiterLog(limiter.logger)  # type: ignore[assignment]
    # More specific than HTTPException, so this wins over the app's generic handler.
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter
