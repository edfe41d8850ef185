"""The Todo API: the Todo-Backend contract (https://todobackend.com) in Flask and SQLAlchemy 2.0.

``create_app()`` is the only way an app is made (``python -m shared.serve
'projects.todo_api:create_app()'``, ``make todo``, the portfolio's ``/todo`` mount, the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from projects.todo_api import jobs, live, observability
from projects.todo_api.config import load_todo_settings
from projects.todo_api.extensions import bind_extensions
from projects.todo_api.limits import document_rate_limits
from shared.db import Database, migrate_or_explain
from shared.db import migration_heads as shared_migration_heads
from shared.errors import register_error_handlers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the API.

    ``overrides`` take plain setting names (``{"DATABASE_URL": "sqlite://"}``) and win over the
    environment; a name that is no setting is refused. See
    :class:`~projects.todo_api.config.TodoSettings`. Unless ``AUTO_MIGRATE`` is off, the
    database is created and migrated to the latest revision (several workers take turns).
    """
    settings = load_todo_settings(overrides)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        TESTING=settings.testing,
        DEBUG=settings.debug,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    app.logger.setLevel(settings.log_level)
    # Keep the fields in the spec's order rather than sorting them.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # First, so its clock starts before any other extension's hooks run.
    metrics = observability.init_app(app)

    db = Database.from_url(settings.database_url, var="TODO_DATABASE_URL")
    if settings.auto_migrate:
        migrate(db)
    db.init_app(app)
    state = bind_extensions(app, settings, db, migration_heads())
    if state.extensions.cache is not None:
        state.extensions.cache.on_count = metrics.cache_event
    # Before the blueprints, so each write operation they add documents the limit's 429.
    document_rate_limits(state.extensions.api)
    register_blueprints(app, state.extensions.api)
    live.init_app(app, state.extensions.api, settings.redis_url, settings.live_max_connections)
    if jobs.init_app(app, settings) is not None:
        from projects.todo_api import jobs_api

        # Only with a Redis URL: without one there is no queue to offer.
        state.extensions.api.register_blueprint(jobs_api.blp)
    document_title_limit(state.extensions.api, settings.title_max_length)
    # After the Api's init_app, so these handlers replace flask-smorest's own.
    register_error_handlers(app)
    return app


def register_blueprints(app: Flask, api: Any) -> None:
    """Mount every resource at the root (``/todos``, ``/healthz``, ``/readyz``)."""
    from projects.todo_api import health, todos

    for module in (todos, health):
        api.register_blueprint(module.blp)


def document_title_limit(api: Any, limit: int) -> None:
    """Say in the OpenAPI document how long a title may be: TODO_TITLE_MAX_LENGTH, which
    the schemas read per request, so generated clients and fuzzers send what is accepted."""
    for name in ("TodoCreate", "TodoUpdate"):
        api.spec.components.schemas[name]["properties"]["title"]["maxLength"] = limit


def migration_heads() -> frozenset[str]:
    """The revision(s) at the head of this code's migrations."""
    return shared_migration_heads(MIGRATIONS)


def migrate(db: Database) -> None:
    """Upgrade the database to the latest migration, or fail with one clear line."""
    migrate_or_explain(MIGRATIONS, db.engine, "TODO_DATABASE_URL")
