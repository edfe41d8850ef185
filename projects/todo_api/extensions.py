"""The extensions the Todo API uses, created bare and bound to one app in ``create_app``.

They are made per app by :func:`create_extensions` rather than once at import time: tests build
several apps in one process (one per database backend), and flask-smorest's ``Api`` keeps the
OpenAPI document on the extension object itself. A new extension (a cache, a rate limiter)
gets a field in :class:`Extensions` and a line in :func:`bind_extensions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, current_app, json, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_smorest import Api
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from projects.todo_api.cache import ListCache
from projects.todo_api.config import TodoSettings
from projects.todo_api.limits import init_limiter
from projects.todo_api.schemas import ProblemResponse
from shared.db import Database

#: Swagger UI's scripts and styles, shipped in the locked flask-swagger-ui wheel.
SWAGGER_UI_DIST = str(files("flask_swagger_ui").joinpath("dist"))
API_TITLE = "Todo API"
CORS_METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"]


class TodoApi(Api):
    """flask-smorest's Api, documenting errors as problem details."""

    ERROR_SCHEMA = ProblemResponse
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _openapi_json(self) -> Any:
        """The document, with a ``servers`` entry for wherever this request found the API
        (``/``, ``/todo`` in the portfolio, or a proxy's prefix)."""
        document = self.spec.to_dict()
        document["servers"] = [{"url": request.script_root or "/", "description": "this server"}]
        return current_app.response_class(
            json.dumps(document, indent=2, sort_keys=False), mimetype="application/json"
        )


@dataclass
class Extensions:
    """One app's extension objects."""

    api: TodoApi
    cors: CORS
    #: The Redis cache of GET /todos, or None when no Redis URL is set or the TTL is 0.
    cache: ListCache | None = None
    #: The write rate limiter (see :mod:`projects.todo_api.limits`), bound in ``bind_extensions``.
    limiter: Limiter | None = None


@dataclass
class TodoState:
    """What views need besides the request, kept in ``app.extensions["todo"]``."""

    settings: TodoSettings
    db: Database
    extensions: Extensions
    #: The migration revision(s) this code expects the database to be at.
    migration_heads: frozenset[str]


def create_extensions() -> Extensions:
    """A fresh, unbound set of extensions for one app."""
    return Extensions(api=TodoApi(), cors=CORS())


def bind_extensions(
    app: Flask, settings: TodoSettings, db: Database, migration_heads: frozenset[str]
) -> TodoState:
    """Configure and bind a fresh set of extensions to ``app``."""
    extensions = create_extensions()
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Relative to /docs, so the page finds its assets however the app is mounted, and
        # served by the app itself, so the docs work without a network.
        OPENAPI_SWAGGER_UI_URL="swagger-ui/",
    )
    extensions.api.init_app(app)
    extensions.cache = list_cache(settings)
    extensions.limiter = init_limiter(app, settings.write_rate_limit, settings.redis_url)
    app.register_blueprint(swagger_ui_assets())
    extensions.cors.init_app(
        app,
        # The Todo-Backend spec runner calls from its own origin; no cookies are involved.
        resources={r"/todos*": {"origins": "*"}},
        send_wildcard=True,
        methods=CORS_METHODS,
        allow_headers=["Content-Type"],
        max_age=86400,
    )
    if hops := settings.trusted_proxy_hops:
        # The scheme, host and prefix of each todo's url come from the proxies' headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    state = TodoState(
        settings=settings, db=db, extensions=extensions, migration_heads=migration_heads
    )
    app.extensions["todo"] = state
    return state


def list_cache(settings: TodoSettings) -> ListCache | None:
    """The cache of GET /todos that the settings ask for, if any."""
    if settings.redis_url is None or settings.cache_ttl == 0:
        return None
    return ListCache.from_url(settings.redis_url, ttl=settings.cache_ttl)


def swagger_ui_assets() -> Blueprint:
    """Swagger UI's files at ``/swagger-ui/``, where the ``/docs`` page looks for them."""
    return Blueprint(
        "swagger_ui", __name__, static_folder=SWAGGER_UI_DIST, static_url_path="/swagger-ui"
    )


def todo_state() -> TodoState:
    """The current app's :class:`TodoState`."""
    return current_app.extensions["todo"]  # type: ignore[no-any-return]


def db_session() -> Session:
    """The current request's database session."""
    return todo_state().db.session()
