"""What SQLite's ALTER TABLE does in place, and what still needs Alembic's batch mode (a copy).

The lesson's claims, checked on the SQLite that Python ships here and the locked Alembic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.exc import IntegrityError, OperationalError


@pytest.fixture
def connection() -> Iterator[sa.Connection]:
    """An in-memory SQLite table ``t`` with a plain, a nullable and a UNIQUE column."""
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, note VARCHAR(10), extra VARCHAR(10), "
            "code VARCHAR(10) CONSTRAINT uq_t_code UNIQUE)"
        )
        yield connection
    engine.dispose()


def operations(connection: sa.Connection) -> Operations:
    return Operations(MigrationContext.configure(connection))


def column_names(connection: sa.Connection) -> list[str]:
    return [column["name"] for column in sa.inspect(connection).get_columns("t")]


def test_sqlite_adds_and_renames_a_column_in_place(connection: sa.Connection) -> None:
    ops = operations(connection)

    ops.add_column("t", sa.Column("added", sa.String(10)))
    ops.alter_column("t", "note", new_column_name="remark")  # ALTER TABLE t RENAME COLUMN

    assert column_names(connection) == ["id", "remark", "extra", "code", "added"]


def test_sqlite_drops_a_plain_column_in_place_since_3_35(connection: sa.Connection) -> None:
    assert sqlite3.sqlite_version_info >= (3, 35), sqlite3.sqlite_version

    operations(connection).drop_column("t", "extra")  # ALTER TABLE t DROP COLUMN extra

    assert column_names(connection) == ["id", "note", "code"]


@pytest.mark.parametrize(
    "change",
    [{"nullable": False}, {"type_": sa.String(20)}],
    ids=["set-not-null", "change-type"],
)
def test_sqlite_cannot_alter_a_column_in_place(
    connection: sa.Connection, change: dict[str, object]
) -> None:
    with pytest.raises(OperationalError, match='near "ALTER": syntax error'):
        operations(connection).alter_column("t", "note", existing_type=sa.String(10), **change)


def test_sqlite_cannot_drop_a_unique_column_in_place(connection: sa.Connection) -> None:
    with pytest.raises(OperationalError, match='cannot drop UNIQUE column: "code"'):
        operations(connection).drop_column("t", "code")


def test_alembic_refuses_to_add_a_constraint_on_sqlite_outside_batch_mode(
    connection: sa.Connection,
) -> None:
    with pytest.raises(NotImplementedError, match="batch mode"):
        operations(connection).create_unique_constraint("uq_t_note", "t", ["note"])


def test_batch_mode_does_all_of_it_by_copying_the_table(connection: sa.Connection) -> None:
    connection.exec_driver_sql("INSERT INTO t (id, note, extra, code) VALUES (1, 'kept', 'x', 'a')")

    with operations(connection).batch_alter_table("t") as batch:
        batch.alter_column("note", existing_type=sa.String(10), nullable=False)
        batch.alter_column("note", existing_type=sa.String(10), type_=sa.String(20))
        batch.drop_column("code")
        batch.create_unique_constraint("uq_t_extra", ["extra"])

    columns = {column["name"]: column for column in sa.inspect(connection).get_columns("t")}
    assert list(columns) == ["id", "note", "extra"]
    assert columns["note"]["nullable"] is False
    assert columns["note"]["type"].length == 20
    assert connection.exec_driver_sql("SELECT id, note, extra FROM t").all() == [(1, "kept", "x")]
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: t\.extra"):
        connection.exec_driver_sql("INSERT INTO t (id, note, extra) VALUES (2, 'y', 'x')")
