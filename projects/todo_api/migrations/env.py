"""Alembic environment for the Todo API (``shared.migrations.run_env`` does the work).

The ``alembic`` command line connects to the database the Todo API settings name
(``TODO_DATABASE_URL``). The revision is kept in a table of its own, so the Todo API can share
a database with another app's migrations.
"""

from __future__ import annotations

from projects.todo_api.config import load_todo_settings
from projects.todo_api.models import VERSION_TABLE, Base
from shared.migrations import run_env

run_env(
    Base.metadata,
    lambda: load_todo_settings().database_url,
    "TODO_DATABASE_URL",
    version_table=VERSION_TABLE,
)
