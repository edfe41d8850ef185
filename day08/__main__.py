"""`python -m day08`: walk a database up and down the migration history, showing the data."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from day08.migrate import current_revision, downgrade, history, pending_changes, upgrade
from shared.config import ConfigError
from shared.db import check_connection, create_engine

SAMPLE_USERS = [
    ("ada@example.com", "Ada Lovelace"),
    ("cher@example.com", "Cher"),
    ("ludwig@example.com", "Ludwig van Beethoven"),
    ("grace@example.com", "Grace Brewster Murray Hopper"),
]


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m day08",
        description="Upgrade a database one revision at a time, showing the users table after "
        "each step, then downgrade to base and upgrade again.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="an empty database to migrate, left at head afterwards "
        "(default: a temporary SQLite file, deleted afterwards)",
    )
    return parser


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """An engine on ``url``, or on a temporary SQLite file that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="day08-") as folder:
        target = url or f"sqlite:///{Path(folder) / 'day08.db'}"
        engine = create_engine(target, var="--db", poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()


def show_users(engine: Engine) -> None:
    """Print the users table as it is now, whatever its columns are at this revision."""
    if not sa.inspect(engine).has_table("users"):
        print("    (no users table)")
        return
    table = sa.Table("users", sa.MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
    names = [column.name for column in table.columns]
    cells = [[("NULL" if value is None else repr(value)) for value in row] for row in rows]
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, name in enumerate(names)]
    for line in [names, *cells]:
        padded = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("    " + "  ".join(padded).rstrip())


def walk_history(engine: Engine) -> None:
    """Upgrade step by step, downgrade one step and to base, upgrade to head again."""
    steps = history()
    for step in steps:
        upgrade(engine, step.id)
        print(f"\nupgrade -> {step.id}: {step.message}")
        if step.parent is None:
            with engine.begin() as connection:
                connection.execute(
                    sa.table("users", sa.column("email"), sa.column("full_name")).insert(),
                    [{"email": email, "full_name": name} for email, name in SAMPLE_USERS],
                )
            print(f"    inserted {len(SAMPLE_USERS)} users")
        show_users(engine)

    previous = steps[-1].parent
    if previous is not None:
        downgrade(engine, previous)
        print(f"\ndowngrade -> {previous}: the names are joined back into full_name")
        show_users(engine)

    downgrade(engine, "base")
    print("\ndowngrade -> base: every revision undone")
    show_users(engine)

    upgrade(engine, "head")
    drift = pending_changes(engine)
    print(f"\nupgrade -> head ({current_revision(engine)}) again")
    if drift:
        print(f"    the schema differs from day08/models.py: {drift}")
    else:
        print("    the schema matches day08/models.py: autogenerate finds nothing to change")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 on success, 1 for a database in use, 2 for a bad or unreachable URL."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with database(args.db) as engine:
            check_connection(engine, var="--db")
            revision = current_revision(engine)
            if revision is not None or sa.inspect(engine).has_table("users"):
                parser.exit(
                    1,
                    f"{parser.prog}: error: {engine.url.render_as_string()} already has a users "
                    f"table (revision {revision or 'none'}); point --db at an empty database\n",
                )
            where = "a temporary SQLite file" if args.db is None else engine.url.render_as_string()
            print(f"Migrating {where}")
            walk_history(engine)
            if args.db is not None:
                print(f"\n{where} is left at head.")
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
