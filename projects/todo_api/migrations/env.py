"""Alembic environment for the Todo API.

``shared.db.upgrade_to_head`` (what the app uses on start) hands over an open connection in
``config.attributes["connection"]``; the ``alembic`` command line instead connects to the
database the Todo API settings name (``TODO_DATABASE_URL``). The revision is kept in a table
of its own, so the Todo API can share a database with another app's migrations.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from projects.todo_api.config import load_todo_settings
from projects.todo_api.models import VERSION_TABLE, Base
from shared.db import create_engine

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=load_todo_settings().database_url,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
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
    engine = create_engine(load_todo_settings().database_url, "TODO_DATABASE_URL")
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
