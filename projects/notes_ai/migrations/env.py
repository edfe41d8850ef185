"""Alembic environment for the AI Notes API (``shared.migrations.run_env`` does the work).

The ``alembic`` command line connects to the database the AI Notes settings name
(``NOTES_DATABASE_URL``). The revision is kept in a table of its own, so the API can share a
database with another app's migrations.
"""

from __future__ import annotations

from projects.notes_ai.config import load_notes_settings
from projects.notes_ai.models import VERSION_TABLE, Base
from shared.migrations import run_env

run_env(
    Base.metadata,
    lambda: load_notes_settings().database_url,
    "NOTES_DATABASE_URL",
    version_table=VERSION_TABLE,
)
