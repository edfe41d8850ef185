"""The AI Notes API: notes you can search and chat with, answers grounded in them with citations.

``create_app()`` is the only way an app is made (``make notes``, the portfolio's ``/notes`` mount,
the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from projects.notes_ai.config import load_notes_settings
from projects.notes_ai.extensions import bind_extensions
from projects.notes_ai.retrieval import embedding_dim
from projects.notes_ai.vectors import make_store, sqlite_module
from shared.db import Database, migrate_or_explain
from shared.db import migration_heads as shared_migration_heads
from shared.errors import register_error_handlers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the API.

    ``overrides`` take plain setting names (``{"DATABASE_URL": "sqlite://"}``) and win over the
    environment; a name that is no setting is refused. See
    :class:`~projects.notes_ai.config.NotesSettings`. Unless ``AUTO_MIGRATE`` is off, the
    database is created and migrated to the latest revision (several workers take turns).
    """
    settings = load_notes_settings(overrides)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        TESTING=settings.testing,
        DEBUG=settings.debug,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    app.logger.setLevel(settings.log_level)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    db = database(settings.database_url)
    if settings.auto_migrate:
        migrate(db)
    db.init_app(app)
    state = bind_extensions(app, settings, db, migration_heads())
    state.store = make_store(settings.vector_store, db.engine)
    with db.engine.begin() as connection:
        state.store.prepare(connection, embedding_dim(state))
    register_blueprints(state.api)
    # After the Api's init_app, so these handlers replace flask-smorest's own.
    register_error_handlers(app)
    return app


def database(url: str) -> Database:
    """The database in ``url``; on SQLite through a driver that can load sqlite-vec."""
    options: dict[str, Any] = {}
    if sa.make_url(url).get_backend_name() == "sqlite":
        options["module"] = sqlite_module()
    return Database.from_url(url, var="NOTES_DATABASE_URL", **options)


def register_blueprints(api: Any) -> None:
    """Every resource under ``/api``."""
    from projects.notes_ai import auth, chat, notes, search

    for module in (auth, notes, search, chat):
        api.register_blueprint(module.blp)


def migration_heads() -> frozenset[str]:
    """The revision(s) at the head of this code's migrations."""
    return shared_migration_heads(MIGRATIONS)


def migrate(db: Database) -> None:
    """Upgrade the database to the latest migration, or fail with one clear line."""
    migrate_or_explain(MIGRATIONS, db.engine, "NOTES_DATABASE_URL")
