"""``python -m projects.todo_api.release``: migrate the Todo API's database to head, then exit.

It is the release step of every deploy descriptor (Render's preDeployCommand, Heroku's
``release:`` process): the database is migrated once, before the new web processes start, so
they can run with ``TODO_AUTO_MIGRATE=false``. The database is the one the settings name
(``TODO_DATABASE_URL``, then ``DATABASE_URL``).

Running it twice is safe (the second run finds the database at head), and so is running it in
two processes at once: ``shared.db.upgrade_to_head`` holds an advisory lock on MySQL/MariaDB
and PostgreSQL, and SQLite's write lock, while it migrates. Exit status 0 when the database is
at head, 1 when it cannot be reached or migrated (one line on stderr saying why), 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.config import ConfigError
from shared.db import check_connection, create_engine, upgrade_to_head

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PROG = "python -m projects.todo_api.release"


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=PROG,
        description="Migrate the Todo API's database (TODO_DATABASE_URL, then DATABASE_URL) to "
        "the newest revision and exit. Safe to run again and from several processes at once. "
        "Exit status 0 when the database is at head, 1 when it cannot be reached or migrated.",
    )


def release() -> str:
    """Migrate the configured database to head; return its URL with the password hidden.

    Raises ConfigError (one line) for settings that do not validate (load_todo_settings turns
    them into one) or a database that cannot be reached.
    """
    from projects.todo_api.config import load_todo_settings

    settings = load_todo_settings()
    engine = create_engine(settings.database_url, "TODO_DATABASE_URL")
    try:
        check_connection(engine, "TODO_DATABASE_URL")
        upgrade_to_head(MIGRATIONS_DIR, engine)
        return engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    try:
        url = release()
    except ConfigError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    print(f"migrated {url} to head")
    return 0


if __name__ == "__main__":
    sys.exit(main())
