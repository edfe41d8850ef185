"""The migrations build exactly what models.py describes, on every backend, and undo cleanly."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from flask import Flask

from projects.todo_api import MIGRATIONS
from projects.todo_api.models import VERSION_TABLE, Base
from shared.db import create_engine


def test_the_migrated_schema_matches_the_models(app: Flask) -> None:
    engine = app.extensions["todo"].db.engine
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_migrations_downgrade_to_nothing_and_back(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("sqlite")
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        for target, step in (("head", command.upgrade), ("base", command.downgrade),
                             ("head", command.upgrade)):  # fmt: skip
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                step(config, target)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            assert context.get_current_heads() == ("0002",)
    finally:
        engine.dispose()
