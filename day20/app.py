"""A small Flask app rate-limited by flask-limiter on Redis: every instance on the same Redis
shares one budget per client, and a refusal is a 429 with Retry-After and X-RateLimit headers.

``create_app(overrides)`` reads ``DAY20_REDIS_URL`` (a ``redis://`` URL; ``memory://`` keeps the
counts in the process), ``DAY20_RATE_LIMIT`` (e.g. ``5 per minute``), ``DAY20_STRATEGY`` and
``DAY20_KEY_PREFIX``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, jsonify
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse

from shared.config import ConfigError

STRATEGIES = ("fixed-window", "moving-window", "sliding-window-counter")
DEFAULTS = {
    "REDIS_URL": "memory://",
    "RATE_LIMIT": "5 per minute",
    "STRATEGY": "moving-window",
    "KEY_PREFIX": "day20",
}


def settings(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults, then ``DAY20_*`` variables, then ``overrides``; ConfigError in one line."""
    values = {name: os.environ.get(f"DAY20_{name}", default) for name, default in DEFAULTS.items()}
    values |= overrides or {}
    try:
        parse(values["RATE_LIMIT"])
    except ValueError:
        raise ConfigError(
            f"DAY20_RATE_LIMIT is not a rate limit: {values['RATE_LIMIT']!r}; "
            "expected e.g. '5 per minute' or '100/hour'"
        ) from None
    if values["STRATEGY"] not in STRATEGIES:
        raise ConfigError(
            f"DAY20_STRATEGY must be one of {', '.join(STRATEGIES)}, got {values['STRATEGY']!r}"
        )
    if not str(values["REDIS_URL"]).startswith(("redis://", "rediss://", "memory://")):
        raise ConfigError(
            f"DAY20_REDIS_URL must be a redis:// URL (or memory://), got {values['REDIS_URL']!r}"
        )
    return values


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The app: ``GET /todos`` is limited per client address, ``GET /health`` is not."""
    config = settings(overrides)
    app = Flask(__name__)
    app.config.update({f"DAY20_{name}": value for name, value in config.items()})
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=config["REDIS_URL"],
        strategy=config["STRATEGY"],
        headers_enabled=True,
        key_prefix=config["KEY_PREFIX"],
    )
    app.extensions["day20_limiter"] = limiter

    @app.get("/todos")
    @limiter.limit(config["RATE_LIMIT"])
    def list_todos() -> Response:
        return jsonify([{"id": 1, "title": "read the 429 docs", "done": False}])

    @app.get("/health")
    @limiter.exempt
    def health() -> Response:
        return jsonify(status="ok")

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded) -> Response:
        # practice 3: answer a refused request with a 429 in problem+json
        # hint: a JSON body with type, title, status and detail; set the status code and the
        # hint: content type yourself (flask-limiter adds Retry-After and X-RateLimit-* after).
        response = jsonify(
            type="about:blank",
            title="Too Many Requests",
            status=429,
            detail=f"rate limit exceeded: {error.description}; retry after the Retry-After delay",
        )
        response.status_code = 429
        response.content_type = "application/problem+json"
        return response
        # end practice 3

    return app
