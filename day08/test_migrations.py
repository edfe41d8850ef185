"""The migration history on SQLite, MySQL and PostgreSQL: round trips, the data migration, drift."""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from day08.migrate import (
    MIGRATIONS,
    UnknownRevision,
    alembic_config,
    current_revision,
    downgrade,
    head,
    history,
    pending_changes,
    upgrade,
)
from day08.models import Base
from shared.config import ConfigError
from shared.db import create_engine, upgrade_to_head
from shared.testing import BACKENDS, count_queries

REPO_ROOT = Path(__file__).resolve().parent.parent

COLUMNS_AT = {
    "0001_create_users": {"id", "email", "full_name"},
    "0002_add_name_parts": {"id", "email", "full_name", "first_name", "last_name"},
    "0003_split_full_name": {"id", "email", "first_name", "last_name"},
}

# Each column as (type, nullable): 0002 adds the name parts as optional, 0003 makes them required.
_ID, _EMAIL = ("INTEGER", False), ("VARCHAR(255)", False)
SHAPES_AT = {
    "0001_create_users": {"id": _ID, "email": _EMAIL, "full_name": ("VARCHAR(200)", False)},
    "0002_add_name_parts": {
        "id": _ID,
        "email": _EMAIL,
        "full_name": ("VARCHAR(200)", False),
        "first_name": ("VARCHAR(200)", True),
        "last_name": ("VARCHAR(200)", True),
    },
    "0003_split_full_name": {
        "id": _ID,
        "email": _EMAIL,
        "first_name": ("VARCHAR(200)", False),
        "last_name": ("VARCHAR(200)", False),
    },
}

# full_name before 0003 -> (first_name, last_name) after it.
SPLITS = {
    "Ada Lovelace": ("Ada", "Lovelace"),
    "Cher": ("Cher", ""),
    "Ludwig van Beethoven": ("Ludwig", "van Beethoven"),
    "Grace Brewster Murray Hopper": ("Grace", "Brewster Murray Hopper"),
    "  Alan   Turing ": ("Alan", "Turing"),
    "Zoë Ødegård": ("Zoë", "Ødegård"),
}

users_v1 = sa.table("users", sa.column("id"), sa.column("email"), sa.column("full_name"))
users_v3 = sa.table(
    "users", sa.column("id"), sa.column("email"), sa.column("first_name"), sa.column("last_name")
)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Engine]:
    """An engine on a new, empty database of each backend."""
    engine = create_engine(make_database(request.param), poolclass=NullPool)
    yield engine
    engine.dispose()


def columns(engine: Engine) -> set[str]:
    inspector = sa.inspect(engine)
    if not inspector.has_table("users"):
        return set()
    return {column["name"] for column in inspector.get_columns("users")}


def insert_full_names(engine: Engine, names: list[str]) -> None:
    """Add users at revision 0001, emails user0@example.com, user1@… in the order of ``names``."""
    with engine.begin() as connection:
        connection.execute(
            users_v1.insert(),
            [{"email": f"user{i}@example.com", "full_name": name} for i, name in enumerate(names)],
        )


def names_by_email(engine: Engine, *name_columns: str) -> dict[str, tuple[str, ...]]:
    table = sa.table("users", sa.column("email"), *(sa.column(name) for name in name_columns))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


# --- the history and its round trips -----------------------------------------------------------


def test_history_lists_the_three_revisions_oldest_first() -> None:
    steps = history()

    assert [step.id for step in steps] == list(COLUMNS_AT)
    assert [step.parent for step in steps] == [None, *list(COLUMNS_AT)[:-1]]
    assert head() == "0003_split_full_name"


def test_each_revision_is_described_by_the_first_line_of_its_docstring() -> None:
    assert [step.message for step in history()] == [
        "Create the users table, with the whole name in one full_name column.",
        "Add first_name and last_name, nullable until 0003 fills them.",
        "Split full_name into first_name and last_name, make them required, drop full_name.",
    ]


def test_upgrade_without_a_revision_goes_to_head(engine: Engine) -> None:
    upgrade(engine)

    assert current_revision(engine) == head()


def test_upgrade_head_then_downgrade_base_then_upgrade_head_round_trips(engine: Engine) -> None:
    upgrade(engine, "head")
    assert (current_revision(engine), columns(engine)) == (head(), COLUMNS_AT[head()])

    downgrade(engine, "base")
    assert (current_revision(engine), columns(engine)) == (None, set())

    upgrade(engine, "head")
    assert (current_revision(engine), columns(engine)) == (head(), COLUMNS_AT[head()])


def test_each_revision_has_its_columns_on_the_way_up_and_down(engine: Engine) -> None:
    seen_up, seen_down = {}, {}
    for step in history():
        upgrade(engine, step.id)
        seen_up[step.id] = columns(engine)
    for step in reversed(history()):
        downgrade(engine, step.id)
        seen_down[step.id] = columns(engine)
        assert current_revision(engine) == step.id

    assert seen_up == COLUMNS_AT
    assert seen_down == COLUMNS_AT


def column_shapes(engine: Engine) -> dict[str, tuple[str, bool]]:
    """Each column of ``users`` as (type, nullable), as the database reports it."""
    return {
        column["name"]: (str(column["type"]), column["nullable"])
        for column in sa.inspect(engine).get_columns("users")
    }


def test_a_downgrade_gives_each_revision_back_its_column_types_and_nullability(
    engine: Engine,
) -> None:
    shapes_up, shapes_down = {}, {}
    for step in history():
        upgrade(engine, step.id)
        shapes_up[step.id] = column_shapes(engine)
    for step in reversed(history()):
        downgrade(engine, step.id)
        shapes_down[step.id] = column_shapes(engine)

    assert shapes_up == SHAPES_AT
    assert shapes_down == SHAPES_AT


def test_every_step_keeps_the_table_named_users(engine: Engine) -> None:
    names = []
    for step in history():
        upgrade(engine, step.id)
        names.append(sa.inspect(engine).get_table_names())
    for step in reversed(history()[:-1]):
        downgrade(engine, step.id)
        names.append(sa.inspect(engine).get_table_names())

    # SQLite would find "USERS" as well, but a copied table keeps the name it was given.
    assert names == [["alembic_version", "users"]] * 5, names


def test_shared_upgrade_to_head_runs_this_history(engine: Engine) -> None:
    upgrade_to_head(MIGRATIONS, engine)

    assert current_revision(engine) == head()


# --- the data migration ------------------------------------------------------------------------


def test_upgrade_splits_each_full_name_at_its_first_space(engine: Engine) -> None:
    upgrade(engine, "0001_create_users")
    insert_full_names(engine, list(SPLITS))

    upgrade(engine, "head")

    expected = {f"user{i}@example.com": parts for i, parts in enumerate(SPLITS.values())}
    actual = names_by_email(engine, "first_name", "last_name")
    wrong = {email: (expected[email], actual.get(email)) for email in expected}
    wrong = {email: pair for email, pair in wrong.items() if pair[0] != pair[1]}
    assert not wrong, f"email: (expected, actual) for names split wrongly: {wrong}"


def test_downgrade_joins_the_names_back_into_full_name(engine: Engine) -> None:
    upgrade(engine, "0001_create_users")
    insert_full_names(engine, list(SPLITS))
    upgrade(engine, "head")

    downgrade(engine, "0002_add_name_parts")

    # Every name comes back; only runs of spaces collapse to one.
    expected = {f"user{i}@example.com": (" ".join(name.split()),) for i, name in enumerate(SPLITS)}
    assert names_by_email(engine, "full_name") == expected


def test_keyset_batches_visit_every_row_once_in_id_order(engine: Engine) -> None:
    upgrade(engine, "0001_create_users")
    insert_full_names(engine, [f"Person Number{i}" for i in range(1234)])
    split = ScriptDirectory.from_config(alembic_config()).get_revision("0003_split_full_name")

    with engine.connect() as connection:
        batches = split.module.rows_in_batches(connection, split.module.users.c.full_name)
        # At most 10 batches: a keyset that does not move past the last id would loop forever.
        sizes, ids = [], []
        for rows in itertools.islice(batches, 10):
            sizes.append(len(rows))
            ids.extend(row.id for row in rows)

    assert sizes == [500, 500, 234], f"batch sizes {sizes[:10]}"
    assert ids == sorted(set(ids)), "every id once, ascending"
    assert len(ids) == 1234


def test_keyset_batches_follow_the_ids_not_the_order_rows_were_written_in(engine: Engine) -> None:
    upgrade(engine, "0001_create_users")
    with engine.begin() as connection:
        connection.execute(
            users_v1.insert(),
            [
                {"id": i, "email": f"user{i}@example.com", "full_name": f"Person Number{i}"}
                for i in range(1200, 0, -1)
            ],
        )
    split = ScriptDirectory.from_config(alembic_config()).get_revision("0003_split_full_name")

    with engine.connect() as connection:
        batches = split.module.rows_in_batches(connection, split.module.users.c.full_name)
        ids = [row.id for rows in itertools.islice(batches, 10) for row in rows]

    assert ids == list(range(1, 1201)), f"first ids {ids[:5]}, {len(ids)} in all"


def test_data_migration_covers_more_rows_than_one_batch(engine: Engine) -> None:
    upgrade(engine, "0001_create_users")
    insert_full_names(engine, [f"Person Number{i}" for i in range(1234)])

    upgrade(engine, "head")
    after_upgrade = names_by_email(engine, "last_name")
    downgrade(engine, "0002_add_name_parts")
    after_downgrade = names_by_email(engine, "full_name")

    assert after_upgrade == {f"user{i}@example.com": (f"Number{i}",) for i in range(1234)}
    assert after_downgrade == {f"user{i}@example.com": (f"Person Number{i}",) for i in range(1234)}


def test_downgrade_joins_a_name_of_exactly_200_characters(engine: Engine) -> None:
    upgrade(engine, "head")
    with engine.begin() as connection:
        connection.execute(
            users_v3.insert(),
            {"email": "long@example.com", "first_name": "A" * 100, "last_name": "B" * 99},
        )

    downgrade(engine, "0002_add_name_parts")

    assert names_by_email(engine, "full_name") == {
        "long@example.com": ("A" * 100 + " " + "B" * 99,)
    }


def test_downgrade_refuses_names_too_long_to_join_and_changes_nothing(engine: Engine) -> None:
    upgrade(engine, "head")
    with engine.begin() as connection:
        connection.execute(
            users_v3.insert(),
            {"email": "long@example.com", "first_name": "A" * 150, "last_name": "B" * 150},
        )

    with pytest.raises(ValueError) as error:
        downgrade(engine, "0002_add_name_parts")

    assert str(error.value) == (
        "cannot downgrade: users [1] have names longer than 200 characters once joined, "
        "more than full_name holds; shorten them first"
    )

    assert current_revision(engine) == head()
    assert columns(engine) == COLUMNS_AT[head()]


# --- what each backend does with ALTER TABLE ----------------------------------------------------


def test_batch_mode_copies_the_table_on_sqlite_only(engine: Engine) -> None:
    upgrade(engine, "0002_add_name_parts")

    with count_queries(engine) as queries:
        upgrade(engine, "0003_split_full_name")

    copied = any("_alembic_tmp_users" in statement for statement in queries.statements)
    # SQLite cannot make a column NOT NULL in place; MySQL and PostgreSQL get a plain ALTER.
    assert copied == (engine.dialect.name == "sqlite"), queries.statements


def test_only_mysql_keeps_an_alter_table_that_was_rolled_back(engine: Engine) -> None:
    upgrade(engine, "head")

    with engine.connect() as connection:
        transaction = connection.begin()
        connection.exec_driver_sql("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
        transaction.rollback()

    # MySQL commits each ALTER TABLE on its own: why 0003's downgrade checks before it alters.
    kept = "nickname" in columns(engine)
    assert kept == (engine.dialect.name == "mysql"), f"{engine.dialect.name}: kept={kept}"


# --- drift: the migrations and models.py agree -------------------------------------------------


def test_after_upgrade_head_the_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine, "head")

    assert pending_changes(engine) == []


def test_autogenerate_at_0002_sees_the_schema_half_of_0003_only(engine: Engine) -> None:
    upgrade(engine, "0002_add_name_parts")

    found = set()
    for diff in pending_changes(engine):
        # A column's changes come as a list of tuples; a removed column as one tuple.
        for change in diff if isinstance(diff, list) else [diff]:
            column = change[3] if isinstance(change[3], str) else change[3].name
            found.add((change[0], column))

    # It sees the columns to drop and tighten, but could never write the split itself.
    assert found == {
        ("modify_nullable", "first_name"),
        ("modify_nullable", "last_name"),
        ("remove_column", "full_name"),
    }


def test_autogenerate_sees_a_column_whose_type_changed(engine: Engine) -> None:
    upgrade(engine, "head")
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("users") as batch:
            batch.alter_column(
                "last_name",
                existing_type=sa.String(200),
                existing_nullable=False,  # MySQL's MODIFY would make it nullable otherwise
                type_=sa.String(50),
            )

    changes = [change[:4] for diff in pending_changes(engine) for change in diff]

    assert changes == [("modify_type", None, "users", "last_name")], changes


def test_autogenerate_compares_column_types_unless_told_not_to(engine: Engine) -> None:
    upgrade(engine, "head")
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("users") as batch:
            batch.alter_column(
                "last_name", existing_type=sa.String(200), existing_nullable=False, type_=sa.Text()
            )

    with engine.connect() as connection:
        by_default = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        told_none = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": None}), Base.metadata
        )
        told_not_to = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": False}), Base.metadata
        )

    # Alembic 1.12 turned compare_type on by default; pending_changes asks for it all the same.
    assert [change[0][0] for change in by_default] == ["modify_type"], by_default
    assert [change[0][0] for change in told_none] == ["modify_type"], "only False turns it off"
    assert told_not_to == [], told_not_to


def test_autogenerate_sees_a_renamed_column_as_one_dropped_and_one_added(engine: Engine) -> None:
    upgrade(engine, "head")
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE users RENAME COLUMN last_name TO surname")

    changes = {(diff[0], diff[3].name) for diff in pending_changes(engine)}

    # Run as generated, this would throw every surname away.
    assert changes == {("add_column", "last_name"), ("remove_column", "surname")}


# --- helpers and the command line --------------------------------------------------------------


def test_an_unknown_revision_is_rejected_with_the_known_ones(engine: Engine) -> None:
    with pytest.raises(UnknownRevision) as error:
        upgrade(engine, "0004_nothing")

    assert str(error.value) == (
        "unknown revision '0004_nothing'; use one of: base, 0001_create_users, "
        "0002_add_name_parts, 0003_split_full_name, head"
    )


def cli_config(x_db: str | None = None, ini_url: str | None = None) -> Config:
    """The config the alembic command line builds from ``-x db=...`` and the ini's URL."""
    config = Config(cmd_opts=argparse.Namespace(x=[f"db={x_db}"] if x_db else None))
    config.set_main_option("script_location", str(MIGRATIONS))
    if ini_url is not None:
        config.set_main_option("sqlalchemy.url", ini_url)
    return config


def revision_of(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_env_migrates_the_x_db_database_rather_than_the_ini_one(tmp_path: Path) -> None:
    given, in_ini = f"sqlite:///{tmp_path / 'given.db'}", f"sqlite:///{tmp_path / 'ini.db'}"

    command.upgrade(cli_config(x_db=given, ini_url=in_ini), "head")

    assert (revision_of(given), revision_of(in_ini)) == (head(), None)


def test_env_without_x_db_migrates_the_database_in_the_ini(tmp_path: Path) -> None:
    in_ini = f"sqlite:///{tmp_path / 'ini.db'}"

    command.upgrade(cli_config(ini_url=in_ini), "head")

    assert revision_of(in_ini) == head()


def test_env_without_any_database_says_how_to_give_one() -> None:
    with pytest.raises(SystemExit) as stop:
        command.upgrade(cli_config(), "head")

    assert str(stop.value) == "no database to migrate: pass -x db=URL or set sqlalchemy.url"


def test_env_names_the_x_db_option_when_its_url_is_bad() -> None:
    with pytest.raises(ConfigError) as error:
        command.upgrade(cli_config(x_db="not a url"), "head")

    assert str(error.value).startswith("-x db is not a database URL: 'not a url'; "), error.value


def test_autogenerate_writes_batch_operations_that_carry_a_changed_type(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'drifted.db'}", poolclass=NullPool)
    upgrade(engine, "head")
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("users") as batch:
            batch.alter_column(
                "last_name",
                existing_type=sa.String(200),
                existing_nullable=False,
                type_=sa.String(50),
            )
    versions = tmp_path / "versions"
    versions.mkdir()

    with engine.begin() as connection:
        config = alembic_config(connection)
        config.set_main_option("path_separator", "os")
        config.set_main_option(
            "version_locations", os.pathsep.join([str(MIGRATIONS / "versions"), str(versions)])
        )
        script = command.revision(
            config, "shorter", autogenerate=True, rev_id="0004_probe", version_path=str(versions)
        )
    engine.dispose()

    assert script is not None and not isinstance(script, list)
    upgrade_body = Path(script.path).read_text(encoding="utf-8").split("def upgrade()")[1]
    # env.py asks for batch operations, so the script also runs on SQLite, and for type changes.
    assert "with op.batch_alter_table('users', schema=None) as batch_op:" in upgrade_body
    assert "batch_op.alter_column('last_name'," in upgrade_body
    assert "type_=sa.String(length=200)" in upgrade_body


def run_alembic(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "day08/alembic.ini", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_alembic_command_line_migrates_the_database_given_with_x_db(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    result = run_alembic("-x", f"db={url}", "upgrade", "head")

    assert result.returncode == 0, result.stderr
    engine = create_engine(url, poolclass=NullPool)
    assert current_revision(engine) == head()
    engine.dispose()


def test_the_alembic_command_line_refuses_offline_mode_with_a_reason(tmp_path: Path) -> None:
    result = run_alembic("-x", f"db=sqlite:///{tmp_path / 'x.db'}", "upgrade", "head", "--sql")

    assert result.returncode != 0
    assert result.stderr.splitlines()[-1] == (
        "day08 migrations run online only: revision 0003 reads every user to split its name, "
        "which a SQL script generated offline cannot do"
    ), result.stderr


def write_ini(folder: Path, url: str | None) -> Path:
    """An alembic.ini for day 08's migrations; ``sqlalchemy.url`` only when ``url`` is given."""
    ini = folder / "alembic.ini"
    lines = ["[alembic]", f"script_location = {MIGRATIONS}", f"prepend_sys_path = {REPO_ROOT}"]
    if url is not None:
        lines.append(f"sqlalchemy.url = {url}")
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


def test_the_alembic_command_line_falls_back_to_the_url_in_the_ini(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ini.db'}"
    ini = write_ini(tmp_path, url)

    result = run_alembic_with(ini, "upgrade", "head")

    assert result.returncode == 0, result.stderr
    engine = create_engine(url, poolclass=NullPool)
    assert current_revision(engine) == head()
    engine.dispose()


def test_the_alembic_command_line_without_a_database_says_how_to_give_one(tmp_path: Path) -> None:
    result = run_alembic_with(write_ini(tmp_path, None), "upgrade", "head")

    assert result.returncode != 0
    assert result.stderr.splitlines()[-1] == (
        "no database to migrate: pass -x db=URL or set sqlalchemy.url"
    ), result.stderr


def test_the_alembic_command_line_rejects_a_bad_x_db_url_naming_the_option() -> None:
    result = run_alembic("-x", "db=not a url", "upgrade", "head")

    assert result.returncode != 0
    assert "-x db is not a database URL: 'not a url'" in result.stderr, result.stderr


def run_alembic_with(ini: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_constraints_carry_the_names_of_the_naming_convention(engine: Engine) -> None:
    upgrade(engine, "head")
    inspector = sa.inspect(engine)

    unique = [c["name"] for c in inspector.get_unique_constraints("users")]
    # MySQL ignores a primary key's name; SQLAlchemy reflects it there as None.
    expected_pk = None if engine.dialect.name == "mysql" else "pk_users"
    assert unique == ["uq_users_email"], unique
    assert inspector.get_pk_constraint("users")["name"] == expected_pk
