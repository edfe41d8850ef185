"""The shortener as a Flask app: ``create_app(overrides)`` builds it, settings from ``SHORT_*``.

- ``POST /links`` ``{"url": "https://..."}`` → 201 ``{"code", "short_url", "target"}``;
  rate-limited per client (``SHORT_CREATE_LIMIT``), counted in Redis so every instance shares
  one budget; a 429 carries ``Retry-After``.
- ``GET /<code>`` → 302 to the target (a 301 would be cached by browsers for good: later clicks
  would never reach us, so they could neither be counted nor redirected elsewhere); 404 for a
  code that was never made. The code → URL pair is cached in Redis for ``SHORT_CACHE_TTL`` s.
- ``GET /links/<code>`` → the link with its clicks (flushed ones plus those still in Redis).

Errors are RFC 9457 problem details, from :mod:`shared.errors`. Without a Redis URL there is
no cache, clicks go straight to the database, and the limiter counts in each process's memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

import redis
import sqlalchemy as sa
from flask import Flask, Response, current_app, redirect, request, url_for
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from pydantic import AfterValidator, Field
from pydantic_settings import SettingsConfigDict

from day44 import clicks
from day44.codes import code_for
from day44.models import URL_MAX_LENGTH, Base, Link
from shared.cache import redis_client
from shared.config import BaseSettings, OptionalText, load_settings
from shared.db import Database
from shared.errors import (
    ApiError,
    NotFound,
    Unprocessable,
    problem_details,
    register_error_handlers,
)


def _rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"is not a rate limit: {value!r}; expected e.g. '30 per minute'") from None
    return value


class ShortSettings(BaseSettings):
    """Every knob the shortener has; the defaults need no setup."""

    model_config = SettingsConfigDict(env_prefix="SHORT_")

    database_url: str = "sqlite:///instance/day44.db"
    #: The Redis for the redirect cache, the click counters and the rate limit (unset: none).
    redis_url: OptionalText = None
    #: Seconds a code → URL pair stays in the cache.
    cache_ttl: int = Field(3600, ge=1)
    #: Links one client may create, in flask-limiter's notation.
    create_limit: Annotated[str, AfterValidator(_rate_limit)] = "30 per minute"
    #: Create the table when the app starts.
    create_tables: bool = True


def cache_key(code: str) -> str:
    """The redirect cache's key for ``code``."""
    return f"short:url:{code}"


class Shortener:
    """What the views share: the database, the Redis client (or None) and the settings."""

    def __init__(self, settings: ShortSettings, db: Database, cache: redis.Redis | None) -> None:
        self.settings = settings
        self.db = db
        self.redis = cache

    def create(self, target: str) -> Link:
        """A new link to ``target``: INSERT for the id, then the code made from it, one commit."""
        with self.db.transaction() as session:
            link = Link(target=target)
            session.add(link)
            session.flush()
            link.code = code_for(link.id)
        return link

    def resolve(self, code: str) -> str | None:
        """The target of ``code``: from the cache, else the database (then cached); None if none."""
        # practice 2: cache-aside lookup of a code's target
        # hint: GET the cache key when there is a Redis; on a miss select Link.target by code
        # hint: and, if found, SET it in the cache with ex=settings.cache_ttl before returning it.
        if self.redis is not None and (cached := self.redis.get(cache_key(code))) is not None:
            return str(cached)
        with self.db.session_factory() as session:
            target = session.scalar(sa.select(Link.target).where(Link.code == code))
        if target is not None and self.redis is not None:
            self.redis.set(cache_key(code), target, ex=self.settings.cache_ttl)
        return target
        # end practice 2

    def flush(self) -> int:
        """Move the click counts waiting in Redis into the database (0 without Redis)."""
        if self.redis is None:
            return 0
        return clicks.flush_clicks(self.redis, self.db.writer)


def shortener() -> Shortener:
    """The current app's :class:`Shortener`."""
    return current_app.extensions["day44"]  # type: ignore[no-any-return]


def check_target(body: Any) -> str:
    """The ``url`` of a create request, or Unprocessable saying what is wrong with it."""
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise Unprocessable("send a JSON object with a url", errors={"url": ["is required"]})
    url = url.strip()
    problem = None
    if len(url) > URL_MAX_LENGTH:
        problem = f"is longer than {URL_MAX_LENGTH} characters"
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problem = "must be an http or https URL with a host, e.g. https://example.com/page"
    if problem:
        raise Unprocessable(f"url {problem}", errors={"url": [problem]})
    return url


def too_many_requests(error: RateLimitExceeded) -> Response:
    """A 429 problem; flask-limiter adds Retry-After and X-RateLimit-* to it."""
    return problem_details(
        ApiError(
            f"too many links created from this address: the limit is {error.description}",
            status=429,
            title="Too Many Requests",
        )
    )


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the shortener from ``overrides`` (plain names, e.g. ``{"DATABASE_URL": ...}``),
    then the ``SHORT_*`` environment."""
    settings = load_settings(ShortSettings, overrides)
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    db = Database.from_url(settings.database_url, var="SHORT_DATABASE_URL")
    if settings.create_tables:
        Base.metadata.create_all(db.engine)
    db.init_app(app)
    cache = None
    if settings.redis_url:
        cache = redis_client(settings.redis_url, var="SHORT_REDIS_URL", required=True)
    state = Shortener(settings, db, cache)
    app.extensions["day44"] = state
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",
        key_prefix="short:limits",
        headers_enabled=True,
    )
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    register_error_handlers(app)

    @app.post("/links")
    @limiter.limit(settings.create_limit)
    def create_link() -> tuple[dict[str, Any], int, dict[str, str]]:
        link = shortener().create(check_target(request.get_json(silent=True)))
        short_url = url_for("follow", code=link.code, _external=True)
        body = {"code": link.code, "short_url": short_url, "target": link.target}
        return body, 201, {"Location": short_url}

    @app.get("/<code>")
    def follow(code: str) -> Response:
        state = shortener()
        target = state.resolve(code)
        if target is None:
            raise NotFound(f"no short link {code!r}")
        clicks.record_click(state.redis, state.db.writer, code)
        return redirect(target, code=302)

    @app.get("/links/<code>")
    def show_link(code: str) -> dict[str, Any]:
        state = shortener()
        with state.db.session_factory() as session:
            link = session.scalar(sa.select(Link).where(Link.code == code))
        if link is None:
            raise NotFound(f"no short link {code!r}")
        return {
            "code": link.code,
            "target": link.target,
            "created_at": link.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "clicks": link.clicks + clicks.pending_clicks(state.redis, code),
        }

    @app.cli.command("flush-clicks")
    def flush_command() -> None:
        """Move the click counts waiting in Redis into the database."""
        print(f"{shortener().flush()} clicks flushed")

    return app
