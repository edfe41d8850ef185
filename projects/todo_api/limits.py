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

The OpenAPI document says so too: :func:`document_rate_limits` gives every write operation a
429 response (the problem schema, ``Retry-After`` and the ``X-RateLimit-*`` headers), whichever
blueprint it comes from, so generated clients know to back off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from apispec import BasePlugin
from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from limits import parse_many

from projects.todo_api.schemas import ProblemResponse
from shared.errors import PROBLEM_JSON, ApiError, problem_details

#: The methods that draw on the write budget.
WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})
#: Where the counts live in Redis: ``LIMITS:LIMITER/todo:limits/<client>/global/120/1/minute``.
KEY_PREFIX = "todo:limits"
STRATEGY = "moving-window"
#: The app's request hooks flask-limiter adds, which :func:`writes_only` gates.
LIMITER_HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")
#: Seconds a Redis call may take before the limiter gives up on it and fails open.
SOCKET_TIMEOUT = 0.5
#: The OpenAPI response component every write operation's 429 refers to.
TOO_MANY_REQUESTS = "TooManyRequests"
#: The headers a 429 carries, as the OpenAPI document describes them.
LIMIT_HEADERS = {
    "Retry-After": "Seconds to wait before the budget has room for another write",
    "X-RateLimit-Limit": "Writes allowed in the window (TODO_WRITE_RATE_LIMIT)",
    "X-RateLimit-Remaining": "Writes left in the window: 0 on a 429",
    "X-RateLimit-Reset": "When the window has room again, in seconds since the Unix epoch",
}


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


def writes_only(app: Flask, hooks_before: dict[str, list[Callable[..., Any]]]) -> None:
    """Run the request hooks added since ``hooks_before`` for writes only.

    flask-limiter's before-request check, after-request headers and teardown each look up its
    per-request context even when the request filter lets a read go at once; a read needs none
    of them (it carries no X-RateLimit headers), so it does not call them at all.
    """
    gates = (_before_writes, _after_writes, _teardown_writes)
    for kind, gate in zip(LIMITER_HOOKS, gates, strict=True):
        hooks = getattr(app, kind).get(None, [])
        hooks[:] = [hook if hook in hooks_before[kind] else gate(hook) for hook in hooks]


def _before_writes(hook: Callable[[], Any]) -> Callable[[], Any]:
    def before() -> Any:
        return None if request.method not in WRITE_METHODS else hook()

    return before


def _after_writes(hook: Callable[[Response], Response]) -> Callable[[Response], Response]:
    def after(response: Response) -> Response:
        return response if request.method not in WRITE_METHODS else hook(response)

    return after


def _teardown_writes(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    def teardown(error: Any) -> None:
        if request.method in WRITE_METHODS:
            hook(error)

    return teardown


def init_limiter(app: Flask, write_limit: str, redis_url: str | None) -> Limiter:
    """Bind a limiter for ``write_limit`` on writes to ``app``, counting in ``redis_url``."""
    uri = storage_uri(redis_url)
    hooks_before = {kind: list(getattr(app, kind).get(None, ())) for kind in LIMITER_HOOKS}
    options: dict[str, Any] = {}
    if uri != "memory://":
        options = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[write_limit],
        storage_uri=uri,
        storage_options=options,
        strategy=STRATEGY,
        key_prefix=KEY_PREFIX,
        headers_enabled=True,
        # Redis down: count in this process instead (one warning), and never fail a request.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    # A request filter, not the limit's exempt_when: a read then skips resolving the limits
    # altogether, not just the count.
    limiter.request_filter(is_read)
    writes_only(app, hooks_before)
    limiter.logger = LimiterLog(limiter.logger)  # type: ignore[assignment]
    # More specific than HTTPException, so this wins over the app's generic handler.
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


class RateLimitDocs(BasePlugin):  # type: ignore[misc]
    """An apispec plugin: each POST, PATCH and DELETE operation gets the 429 response."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            if method.upper() in WRITE_METHODS:
                operation.setdefault("responses", {})["429"] = TOO_MANY_REQUESTS


def document_rate_limits(api: Api) -> None:
    """Describe the 429 once in ``api``'s document and refer every write operation to it.

    Call it before the blueprints are registered: apispec's plugins see each operation as it is
    added, which is how a blueprint added later (jobs, say) is covered without a list here.
    """
    api.spec.components.response(
        TOO_MANY_REQUESTS,
        {
            "description": "Too many writes from this client (TODO_WRITE_RATE_LIMIT); "
            "nothing was written. Retry after Retry-After seconds.",
            "content": {PROBLEM_JSON: {"schema": ProblemResponse}},
            "headers": {
                name: {
                    "description": description,
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                }
                for name, description in LIMIT_HEADERS.items()
            },
        },
    )
    plugin = RateLimitDocs()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
