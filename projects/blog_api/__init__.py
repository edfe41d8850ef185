"""Conduit, the RealWorld blog API, in Flask and SQLAlchemy 2.0.

``create_app()`` is the only way an app is made (``flask --app projects.blog_api run``,
``gunicorn 'projects.blog_api:create_app()'``, the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import Map, UnicodeConverter

from projects.blog_api.config import BlogSettings, load_blog_settings
from projects.blog_api.errors import register_blog_errors
from projects.blog_api.extensions import bind_extensions
from projects.blog_api.slugs import SlugConverter
from shared.db import Database, migrate_or_explain

MIGRATIONS = Path(__file__).parent / "migrations"
API_PREFIX = "/api"


class NameConverter(UnicodeConverter):
    """A username or slug in a URL: no NUL, at most 255 characters (else the route 404s).

    Such names cannot exist, and PostgreSQL would refuse a NUL in the lookup with an error.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, maxlength=255)
        self.regex = r"[^/\x00]{1,255}"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the API.

    ``overrides`` take plain setting names (``{"DATABASE_URL": "sqlite://"}``, ``{"DEBUG": True}``)
    and win over the environment; a name that is no setting is refused. See
    :class:`~projects.blog_api.config.BlogSettings`. Unless
    ``AUTO_MIGRATE`` is off, the database is created and migrated to the latest revision.
    """
    settings = load_blog_settings(overrides)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        TESTING=settings.testing,
        DEBUG=settings.debug,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    app.logger.setLevel(settings.log_level.upper())
    # Keep the field order of the spec, and skip the cost of sorting keys on every response.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.converters["name"] = NameConverter
    app.url_map.converters["slug"] = SlugConverter

    db = Database.from_url(settings.database_url, var="BLOG_DATABASE_URL")
    if settings.auto_migrate:
        migrate(db)
    db.init_app(app)
    bind_extensions(app, settings, db)
    register_blueprints(app, settings)
    register_blog_errors(app)

    from projects.blog_api.cli import migrate_command, seed_command

    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    return app


def register_blueprints(app: Flask, settings: BlogSettings) -> None:
    """Mount every resource under ``/api`` and rate-limit login with this app's limiter."""
    from projects.blog_api import articles, comments, profiles, tags, users

    state = app.extensions["blog"]
    api = state.extensions.api
    for module in (users, profiles, articles, comments, tags):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
    # The login limit belongs to this app's limiter (extensions.py says why there is one per
    # app), so the view is wrapped here rather than decorated at import time.
    limit = state.extensions.limiter.limit(settings.login_rate_limit, methods=["POST"])
    app.view_functions["users.login"] = limit(app.view_functions["users.login"])


def migrate(db: Database) -> None:
    """Upgrade the database to the latest migration, or fail with one clear line."""
    migrate_or_explain(MIGRATIONS, db.engine, "BLOG_DATABASE_URL")
