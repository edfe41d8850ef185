"""Migrations build exactly the models' schema, and round-trip, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from projects.blog_api import MIGRATIONS
from projects.blog_api.models import Base
from shared.db import create_engine, upgrade_to_head
from shared.testing import BACKENDS

TABLES = {"users", "follows", "articles", "tags", "article_tags", "favorites", "comments"}


@pytest.fixture(params=BACKENDS)
def empty_engine(
    request: pytest.FixtureRequest, make_database: Callable[[str], str]
) -> Iterator[Engine]:
    engine = create_engine(make_database(request.param))
    yield engine
    engine.dispose()


def run(engine: Engine, direction: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def schema_drift(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrated_schema_matches_the_models(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    assert schema_drift(empty_engine) == []


def test_migrations_round_trip_through_base(empty_engine: Engine) -> None:
    run(empty_engine, "upgrade", "head")
    run(empty_engine, "downgrade", "base")
    left = set(sa.inspect(empty_engine).get_table_names())
    assert left == {"alembic_version"}, f"tables left after downgrade: {left - {'alembic_version'}}"
    run(empty_engine, "upgrade", "head")
    assert set(sa.inspect(empty_engine).get_table_names()) >= TABLES
    assert schema_drift(empty_engine) == []


def test_upgrading_twice_changes_nothing(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    upgrade_to_head(MIGRATIONS, empty_engine)
    with empty_engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        versions = connection.scalar(sa.text("SELECT count(*) FROM content_version"))
    assert current == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert versions == 1, "the content version row is written once, by its migration"


@pytest.mark.parametrize(
    ("table", "row", "column"),
    [
        ("users", {"username": "same"}, "username"),
        ("users", {"email": "same@example.com"}, "email"),
    ],
)
def test_the_database_itself_enforces_unique_users(
    empty_engine: Engine, table: str, row: dict[str, str], column: str
) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    users = Base.metadata.tables[table]
    now = sa.func.now()

    def user(number: int) -> dict[str, object]:
        values = {
            "auth_id": f"{number:032d}",
            "username": f"user{number}",
            "email": f"user{number}@example.com",
            "password_hash": "x",
            "created_at": now,
            "updated_at": now,
        }
        return values | row

    with empty_engine.begin() as connection:
        connection.execute(sa.insert(users).values(user(1)))
    with pytest.raises(sa.exc.IntegrityError), empty_engine.begin() as connection:
        connection.execute(sa.insert(users).values(user(2)))
