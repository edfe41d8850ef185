"""Alembic environment for the Blog API (``shared.migrations.run_env`` does the work).

The ``alembic`` command line connects to the database the Blog API settings name
(``BLOG_DATABASE_URL``); the app and ``flask migrate`` hand over their own connection.
"""

from __future__ import annotations

from projects.blog_api.config import load_blog_settings
from projects.blog_api.models import Base
from shared.migrations import run_env

run_env(Base.metadata, lambda: load_blog_settings().database_url, "BLOG_DATABASE_URL")
