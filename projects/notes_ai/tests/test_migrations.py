"""The Notes API's migrations build exactly the models' schema and round-trip, on each backend."""

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

from projects.notes_ai import MIGRATIONS, migration_heads
from projects.notes_ai.models import VERSION_TABLE, Base
from shared.db import create_engine, upgrade_to_head
from shared.testing import BACKENDS

TABLES = set(Base.metadata.tables)


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
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return compare_metadata(context, Base.metadata)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def test_the_migrated_schema_matches_the_models(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    assert set(sa.inspect(empty_engine).get_table_names()) == TABLES | {VERSION_TABLE}
    assert schema_drift(empty_engine) == []


def test_migrations_round_trip_through_base(empty_engine: Engine) -> None:
    run(empty_engine, "upgrade", "head")
    run(empty_engine, "downgrade", "base")
    left = set(sa.inspect(empty_engine).get_table_names())
    assert left == {VERSION_TABLE}, f"tables left after downgrade: {left - {VERSION_TABLE}}"
    run(empty_engine, "upgrade", "head")
    assert schema_drift(empty_engine) == []


def test_upgrading_twice_changes_nothing(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    upgrade_to_head(MIGRATIONS, empty_engine)
    (head,) = migration_heads()
    assert (
        current_revision(empty_engine)
        == head
        == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    )


def test_the_revision_is_kept_in_a_table_of_its_own(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    tables = set(sa.inspect(empty_engine).get_table_names())
    assert VERSION_TABLE in tables and "alembic_version" not in tables


def test_deleting_a_note_deletes_its_chunks_in_the_database_itself(empty_engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, empty_engine)
    users, notes, chunks = (
        Base.metadata.tables[name] for name in ("notes_users", "notes", "chunks")
    )
    now = sa.func.now()
    with empty_engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        user_id = connection.execute(
            sa.insert(users).values(
                email="a@example.com", password_hash="x", auth_id="0" * 32, created_at=now
            )
        ).inserted_primary_key[0]
        note_id = connection.execute(
            sa.insert(notes).values(
                user_id=user_id, title="t", body="b", created_at=now, updated_at=now
            )
        ).inserted_primary_key[0]
        connection.execute(
            sa.insert(chunks).values(
                note_id=note_id,
                user_id=user_id,
                position=0,
                heading=None,
                text="b",
                digest="0" * 64,
                model="m",
                dim=1,
                embedding=b"\x00\x00\x80\x3f",
            )
        )
        connection.execute(sa.delete(notes).where(notes.c.id == note_id))
        assert connection.scalar(sa.select(sa.func.count()).select_from(chunks)) == 0
