"""Alembic environment for the Blog API.

``shared.db.upgrade_to_head`` (what the app and ``flask migrate`` use) hands over an open
connection in ``config.attributes["connection"]``; the ``alembic`` command line instead
connects to the database the Blog API settings name (``BLOG_DATABASE_URL``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from projects.blog_api.config import load_blog_settings
from projects.blog_api.models import Base
from shared.db import create_engine

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=load_blog_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = create_engine(load_blog_settings().database_url, "BLOG_DATABASE_URL")
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
