"""The body of a capstone's Alembic ``env.py``: run its revisions on the right connection.

``shared.db.upgrade_to_head`` (what the apps use on start) hands over an open connection in
``config.attributes["connection"]``; the ``alembic`` command line instead connects to the
database the app's settings name. Offline (``alembic upgrade --sql``) renders the SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection

from shared.db import create_engine


def run_env(
    metadata: sa.MetaData,
    database_url: Callable[[], str],
    var: str,
    version_table: str = "alembic_version",
) -> None:
    """Run the migrations of ``metadata``'s app, as Alembic's ``env.py`` is asked to.

    ``database_url`` is read only when Alembic was given no connection; ``var`` names the
    setting in an error about it. ``version_table`` lets two apps' revisions share a database.
    """
    if context.is_offline_mode():
        context.configure(
            url=database_url(),
            target_metadata=metadata,
            version_table=version_table,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata, version_table)
        return
    engine = create_engine(database_url(), var)
    try:
        with engine.begin() as connection:
            _run(connection, metadata, version_table)
    finally:
        engine.dispose()


def _run(connection: Connection, metadata: sa.MetaData, version_table: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=version_table,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
