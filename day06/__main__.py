"""``python -m day06``: the bookshelf repository on a real database, one unit of work at a time.

By default it uses an SQLite file in a temporary folder; ``--db URL`` points it at MySQL or
PostgreSQL instead (it creates the ``day06_books`` table if needed and deletes the rows it added).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from day06.models import Base, Book
from day06.repository import BookNotFound, BookRepository, DuplicateIsbn
from shared.config import ConfigError
from shared.db import Database, check_connection
from shared.testing import count_queries

DEMO_BOOKS = [
    {"title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "year": 1969},
    {"title": "Dune", "author": "Frank Herbert", "year": 1966},
    {"title": "Children of Dune", "author": "Frank Herbert", "year": 1976},
]
DEMO_ISBNS = ["9780441478125", "9780441172719", "9780441104024"]


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


SERVER_NAMES = {"sqlite": "SQLite", "mysql": "MySQL", "postgresql": "PostgreSQL"}


def describe_database(engine: Engine) -> str:
    """``dialect mysql, driver pymysql, server MariaDB 10.11.6`` (call after connecting once)."""
    dialect = engine.dialect
    if dialect.name == "sqlite":
        version = sqlite3.sqlite_version
    else:
        version = ".".join(str(part) for part in dialect.server_version_info or ())
    server = SERVER_NAMES.get(dialect.name, dialect.name)
    if getattr(dialect, "is_mariadb", False):
        server = "MariaDB"
    return f"dialect {dialect.name}, driver {dialect.driver}, server {server} {version}"


def one_line(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def show(book: Book) -> str:
    return f"#{book.id} {book.title!r} by {book.author} ({book.year}), ISBN {book.isbn}"


def run_demo(database: Database, shown_url: str, show_times: bool = False) -> None:
    """Create, read, update and delete a few books, printing what each step did.

    Timestamps are the clock's, so they are printed only with ``show_times``; otherwise the
    output is the same on every run.
    """
    engine = database.engine
    Base.metadata.create_all(engine)
    print(f"database: {describe_database(engine)}")
    print(f"url:      {shown_url}")
    print()
    try:
        with database.transaction() as session:  # one unit of work: commits at the end
            repo = BookRepository(session)
            added = [
                repo.add(**book, isbn=isbn)
                for book, isbn in zip(DEMO_BOOKS, DEMO_ISBNS, strict=True)
            ]
            for book in added:
                print(f"added     {show(book)}")
            created = added[0].created_at
            when = created.isoformat() if show_times else "(--times shows it)"
            print(f"          created_at {when}, tzinfo {created.tzinfo}: aware, UTC")

        with database.transaction() as session:
            repo = BookRepository(session)
            try:
                repo.add(
                    title="Dune (again)", author="Frank Herbert", year=1990, isbn=DEMO_ISBNS[1]
                )
            except DuplicateIsbn as error:
                print(f"refused   {error} (the database's unique constraint said no)")

            with count_queries(engine) as queries:
                page = repo.find(author="frank herbert", limit=1)
            titles = ", ".join(book.title for book in page.items)
            print(f"found     {len(page.items)} of {page.total} by 'frank herbert': {titles}")
            for statement in queries.statements:
                print(f"          SQL: {one_line(statement)}")

            dune = repo.update(added[1].id, {"year": 1965})
            print(f"updated   {show(dune)}")
            moved = "later than" if dune.updated_at > dune.created_at else "NOT later than"
            when = f" ({dune.updated_at.isoformat()})" if show_times else ""
            print(f"          updated_at{when} {moved} created_at")

        with database.transaction() as session:
            repo = BookRepository(session)
            repo.delete(added[2].id)
            try:
                repo.get(added[2].id)
            except BookNotFound as error:
                print(f"deleted   #{added[2].id}; reading it again: {error}")
    finally:
        with database.transaction() as session:
            # Leave a real --db database as it was found (the table stays, the rows go).
            session.execute(delete(Book).where(Book.isbn.in_(DEMO_ISBNS)))


def main(argv: list[str] | None = None) -> int:
    parser = OneLineErrorParser(
        prog="python -m day06",
        description="CRUD on the bookshelf with SQLAlchemy 2.0 on SQLite, MySQL or PostgreSQL.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL, e.g. mysql+pymysql://user:pass@127.0.0.1/books "
        "(default: an SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--times", action="store_true", help="print the timestamps, which change every run"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day06-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bookshelf.db'}"
        try:
            database = Database.from_url(url, var="--db")
            check_connection(database.engine, var="--db")
        except ConfigError as error:
            print(f"{parser.prog}: {error}", file=sys.stderr)
            return 2
        try:
            shown = database.engine.url.render_as_string(hide_password=True)
            run_demo(database, shown.replace(folder, "<tmp>"), show_times=args.times)
        except DuplicateIsbn as error:
            print(
                f"{parser.prog}: the database already holds a demo book ({error}); "
                "point --db at an empty database",
                file=sys.stderr,
            )
            return 1
        finally:
            database.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
