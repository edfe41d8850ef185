"""The extensions the API uses, created bare and bound to one app in ``create_app``.

They are made per app by :func:`create_extensions` rather than once at import time: the test
suite builds several apps in one process (one per database backend, others with tight rate
limits), and flask-smorest's ``Api`` and flask-limiter's ``Limiter`` keep per-app state (the
OpenAPI document, the rate-limit storage) on the extension object itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, current_app, json, request, url_for
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from projects.blog_api.config import BlogSettings
from projects.blog_api.listcache import ListCache, track_list_writes
from projects.blog_api.schemas import ErrorResponse
from projects.blog_api.security import Passwords, Tokens
from shared.cache import redis_client
from shared.db import Database

CORS_HEADERS = ["Authorization", "Content-Type", "X-Requested-With"]
#: Swagger UI's scripts and styles, shipped in the locked flask-swagger-ui wheel.
SWAGGER_UI_DIST = str(files("flask_swagger_ui").joinpath("dist"))
API_TITLE = "Conduit Blog API"
REALWORLD_SPEC = "https://realworld-docs.netlify.app/specifications/backend/endpoints/"


class ConduitApi(Api):
    """flask-smorest's Api, documenting errors in the RealWorld shape instead of its own."""

    ERROR_SCHEMA = ErrorResponse
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _openapi_json(self) -> Any:
        """The document, with a ``servers`` entry for wherever this request found the API.

        The spec object is built once per app, but the app may be reached at ``/`` (make blog),
        under ``/blog`` (the portfolio) or under a proxy's prefix, so the server is added to a
        copy per request. It is relative to the document's own address, so "Try it out" calls
        the host and scheme the page came from.
        """
        document = self.spec.to_dict()
        document["servers"] = [{"url": request.script_root or "/", "description": "this server"}]
        return current_app.response_class(
            json.dumps(document, indent=2, sort_keys=False), mimetype="application/json"
        )


@dataclass
class Extensions:
    """One app's extension objects."""

    api: ConduitApi
    cors: CORS
    limiter: Limiter


@dataclass
class BlogState:
    """What views need besides the request, kept in ``app.extensions["blog"]``."""

    settings: BlogSettings
    db: Database
    passwords: Passwords
    tokens: Tokens
    extensions: Extensions
    list_cache: ListCache


def create_extensions() -> Extensions:
    """A fresh, unbound set of extensions for one app."""
    return Extensions(api=ConduitApi(), cors=CORS(), limiter=Limiter(key_func=get_remote_address))


def bind_extensions(app: Flask, settings: BlogSettings, db: Database) -> BlogState:
    """Configure and bind a fresh set of extensions to ``app``."""
    extensions = create_extensions()
    if settings.redis_url:
        # Configured means required: say so at start-up rather than on the first login.
        redis_client(settings.redis_url, var="BLOG_REDIS_URL", required=True)
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Relative to /api/docs, so the page finds its assets however the app is mounted, and
        # served by the app itself, so the docs work without a network.
        OPENAPI_SWAGGER_UI_URL="swagger-ui/",
        RATELIMIT_ENABLED=settings.rate_limit_enabled,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=settings.rate_limit_prefix,
        # If Redis goes away later, count in memory per worker until it is back: logins keep
        # working, still limited, instead of failing with a 500.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    extensions.api.init_app(app)
    app.register_blueprint(api_home())
    extensions.api.spec.components.security_scheme(
        "Token",
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <jwt>`, the token from registration or login.",
        },
    )
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    extensions.cors.init_app(
        app,
        resources={r"/api/*": {"origins": origins}},
        # No cookies are involved (the token travels in a header), so "*" is safe to send.
        send_wildcard="*" in origins,
        allow_headers=CORS_HEADERS,
        expose_headers=["Retry-After"],
        max_age=86400,
    )
    extensions.limiter.init_app(app)
    if hops := settings.trusted_proxy_hops:
        # The client address the login limit counts, the scheme, host and prefix (and so the
        # document's servers entry) come from the proxies' X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    state = BlogState(
        settings=settings,
        db=db,
        passwords=Passwords(
            settings.password_time_cost,
            settings.password_memory_cost,
            settings.password_parallelism,
        ),
        tokens=Tokens(settings.secret_key, settings.token_ttl),
        extensions=extensions,
        list_cache=ListCache(settings.list_cache_pages),
    )
    track_list_writes(db.session_factory)
    app.extensions["blog"] = state
    return state


def api_home() -> Blueprint:
    """``/api`` itself: an index of where to read about the API, and Swagger UI's files.

    The files are served at ``/api/swagger-ui/``, where the docs page looks for them.
    """
    home = Blueprint(
        "api_home", __name__, static_folder=SWAGGER_UI_DIST, static_url_path="/api/swagger-ui"
    )

    @home.get("/api", strict_slashes=False)
    def index() -> dict[str, str]:
        return {
            "name": API_TITLE,
            "docs": url_for("api-docs.openapi_swagger_ui"),
            "openapi": url_for("api-docs.openapi_json"),
            "spec": REALWORLD_SPEC,
        }

    return home


def blog_state() -> BlogState:
    """The current app's :class:`BlogState`."""
    return current_app.extensions["blog"]  # type: ignore[no-any-return]


def db_session() -> Session:
    """The current request's database session."""
    return blog_state().db.session()
