"""Alembic environment for day 08: migrate the connection it is handed, or the database at a URL.

Code passes an open connection in ``config.attributes["connection"]`` (day08.migrate and
shared.db.upgrade_to_head do); the command line gives a URL with ``-x db=URL`` or falls back
to ``sqlalchemy.url`` in alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from day08.models import Base
from shared.db import create_engine

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    """Run the pending revisions on ``connection``, inside its transaction if it has one."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Use the connection code handed over, else connect to the URL from -x db or the ini."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database to migrate: pass -x db=URL or set sqlalchemy.url")
    engine = create_engine(url, var="-x db", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit(
        "day08 migrations run online only: revision 0003 reads every user to split its name, "
        "which a SQL script generated offline cannot do"
    )
run_online()
