"""Engines with the right defaults per dialect, a session per Flask request, and migrations.

``create_engine("mysql://u:p@host/db")`` gives PyMySQL with utf8mb4, pre-ping and recycle;
``postgresql://…`` gives psycopg 3; SQLite gets foreign keys on and, for files, WAL mode and a
busy timeout (``?timeout=SECONDS`` in the URL, 5 by default) for which a writer waits its turn.
Work that writes (a Flask request other than GET/HEAD/OPTIONS, :meth:`Database.transaction`)
takes SQLite's write lock when it begins, so concurrent writers queue instead of failing.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

from shared.config import ConfigError

if TYPE_CHECKING:
    from flask import Flask

EXAMPLES = "sqlite:///instance/app.db, mysql+pymysql://user:pass@127.0.0.1/app, postgresql+psycopg://user:pass@127.0.0.1/app"

#: Seconds an SQLite connection waits for another's lock before giving up (``?timeout=``).
SQLITE_BUSY_TIMEOUT = 5.0
#: Request methods that only read; every other request's session may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "mariadb+pymysql": "mysql+pymysql",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
}


def parse_url(url: str | URL, var: str = "DATABASE_URL") -> URL:
    """Parse and normalise a database URL, or raise ConfigError naming ``var``."""
    if isinstance(url, URL):
        parsed = url
    else:
        try:
            parsed = sa.make_url(url.strip())
        except ArgumentError:
            raise ConfigError(
                f"{var} is not a database URL: {url!r}; expected something like {EXAMPLES}"
            ) from None
    drivername = _DRIVERS.get(parsed.drivername, parsed.drivername)
    parsed = parsed.set(drivername=drivername)
    if parsed.get_backend_name() == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    if parsed.get_backend_name() == "sqlite" and "timeout" in parsed.query:
        _check_busy_timeout(parsed.query["timeout"], var)
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(
            f"{var} uses an unknown database driver {parsed.drivername!r}; "
            f"use sqlite, mysql+pymysql or postgresql+psycopg (e.g. {EXAMPLES})"
        ) from None
    return parsed


def _check_busy_timeout(value: str | tuple[str, ...], var: str) -> None:
    try:
        seconds = float(value) if isinstance(value, str) else -1.0
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigError(
            f"{var} has timeout={value!r}; SQLite's busy timeout is a number of seconds, "
            "e.g. sqlite:///instance/app.db?timeout=5"
        )


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_engine(url: str | URL, var: str = "DATABASE_URL", **kwargs: Any) -> Engine:
    """An engine for ``url`` with the dialect's sensible defaults; ``kwargs`` override them."""
    parsed = parse_url(url, var)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        if is_memory_sqlite(parsed):
            # One shared connection, or every new connection would see a fresh empty database.
            options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            if "timeout" not in parsed.query:
                options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
            folder = Path(parsed.database).expanduser().resolve().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigError(
                    f"{var} names an SQLite file in {str(folder)!r}, which cannot be created "
                    f"({error.strerror}); point it at a writable folder"
                ) from None
    elif backend == "mysql":
        options |= {"pool_pre_ping": True, "pool_recycle": 280}
    elif backend == "postgresql":
        options |= {"pool_pre_ping": True}
    options |= kwargs
    try:
        engine = sa.create_engine(parsed, **options)
    except ImportError as error:
        raise ConfigError(
            f"{var} needs the {parsed.drivername!r} driver, which is not installed ({error.name}); "
            f"use sqlite, mysql+pymysql or postgresql+psycopg (e.g. {EXAMPLES})"
        ) from None
    _fresh_pool_after_fork(engine)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(not is_memory_sqlite(parsed)))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(file_backed: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; let SQLAlchemy
        # emit BEGIN itself (see the "begin" listener) so transactions mean what they say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if file_backed:
            # The busy timeout is sqlite3.connect's own timeout (connect_args or ?timeout=).
            _enable_wal(cursor)
        cursor.close()

    return on_connect


def _enable_wal(cursor: Any) -> None:
    # Switching a new file to WAL needs it to itself, and SQLite answers "locked" at once,
    # without its busy handler, when another process is doing the same: try again briefly.
    for attempt in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as error:
            # sqlite3's OperationalError, or pysqlite3's (a driver that loads extensions).
            if not _is_sqlite_error(error) or "locked" not in str(error) or attempt == 49:
                raise
            time.sleep(0.1)


def _is_sqlite_error(error: BaseException) -> bool:
    """An OperationalError of sqlite3 or of pysqlite3, whose classes are not related."""
    if isinstance(error, sqlite3.OperationalError):
        return True
    kind = type(error)
    return kind.__name__ == "OperationalError" and kind.__module__.startswith("pysqlite3")


def _sqlite_begin(connection: sa.Connection) -> None:
    # DEFERRED by default; execution_options(sqlite_begin="IMMEDIATE") takes the write lock now.
    # A deferred transaction that has read and then writes cannot wait in the busy handler
    # (SQLite answers SQLITE_BUSY at once), so a writer must begin IMMEDIATE to queue.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


#: MySQL/MariaDB: "Lock wait timeout exceeded" and "Deadlock found"; retrying is the remedy.
MYSQL_BUSY_CODES = frozenset({1205, 1213})
#: PostgreSQL SQLSTATEs: lock_not_available (lock_timeout) and deadlock_detected.
POSTGRES_BUSY_STATES = frozenset({"55P03", "40P01"})


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` is a lock that was not had in time: SQLite's busy timeout ran out, or
    MySQL's and PostgreSQL's lock wait timed out or chose this transaction as a deadlock victim."""
    cause = getattr(error, "orig", error)
    if _is_sqlite_error(cause):
        # The primary result code is the low byte; SQLITE_BUSY_SNAPSHOT and kin are BUSY too.
        return (cause.sqlite_errorcode & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    module = type(cause).__module__
    if module.startswith("pymysql"):
        return bool(cause.args) and cause.args[0] in MYSQL_BUSY_CODES
    if module.startswith("psycopg"):
        return getattr(cause, "sqlstate", None) in POSTGRES_BUSY_STATES
    return False


def check_connection(engine: Engine, var: str = "DATABASE_URL") -> None:
    """Open one connection, turning a failure into a one-line ConfigError."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ConfigError(
            f"cannot reach the database in {var} ({engine.url.render_as_string()}): {reason}"
        ) from None


class Database:
    """An engine plus a scoped session, bound to a Flask app's request lifecycle.

    ``db.session`` is the current request's session; it is removed when the app context ends,
    so every request starts clean. Views commit; models never do. The session of a request
    that may write (any method but GET, HEAD and OPTIONS) is a :meth:`writer`: on SQLite its
    transactions begin IMMEDIATE, taking the write lock (or queueing for it) before the first
    read, so that a read-then-write never fails on another writer's lock.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The same pool; on SQLite its transactions begin IMMEDIATE (see _sqlite_begin).
        self.writer_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
        # Thread-local, which is what a WSGI server's request threads need.
        self.session = scoped_session(self._request_session)  # type: ignore[arg-type]

    def writer(self) -> Session:
        """A session for work that writes, from :attr:`session_factory` (and its listeners)."""
        return self.session_factory(bind=self.writer_engine)

    def _request_session(self) -> Session:
        from flask import has_request_context, request

        if has_request_context() and request.method not in READ_METHODS:
            return self.writer()
        return self.session_factory()

    @classmethod
    def from_url(cls, url: str | URL, var: str = "DATABASE_URL", **kwargs: Any) -> Database:
        return cls(create_engine(url, var, **kwargs))

    def init_app(self, app: Flask) -> None:
        app.extensions["shared.db"] = self

        @app.teardown_appcontext
        def remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session outside a request (CLI commands, jobs): commit on success, else roll back.

        It is a writer's session: on SQLite it holds the write lock from its first statement.
        """
        with self.writer() as session, session.begin():
            yield session


#: Name of the server-side lock that serialises migrations of one database.
MIGRATION_LOCK = "backend45_migrations"
_LOCK_SECONDS = 60


def _fresh_pool_after_fork(engine: Engine) -> None:
    """In a forked child (a gunicorn worker of a preloaded app), drop the parent's pooled
    connections without closing them: two processes must never share one socket."""
    engine_ref = weakref.ref(engine)

    def forget_parents_connections() -> None:
        if (forked := engine_ref()) is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=forget_parents_connections)


def upgrade_to_head(migrations_dir: str | Path, engine: Engine) -> None:
    """Run Alembic ``upgrade head`` for an app's migrations folder on ``engine``.

    Several processes may start at once (gunicorn workers that each migrate on start): on
    MySQL and PostgreSQL an advisory lock makes them take turns, so the second one finds the
    database already at head instead of failing on "table already exists". SQLite needs no
    lock: its migration transaction holds the database's write lock.

    The folder's ``env.py`` must use ``config.attributes["connection"]`` when it is set.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # SQLite: take the write lock up front, or a second migrator that read the old schema
    # could not upgrade its read to a write once the first one commits.
    with (
        _migration_lock(engine),
        engine.connect() as connection,
        connection.execution_options(sqlite_begin="IMMEDIATE").begin(),
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def migrate_or_explain(migrations_dir: str | Path, engine: Engine, var: str) -> None:
    """:func:`upgrade_to_head`, with a database that cannot be migrated as one ConfigError
    naming ``var`` (the setting that holds the URL) and the server's first line of reason."""
    try:
        upgrade_to_head(migrations_dir, engine)
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ConfigError(
            f"cannot migrate the database in {var} ({engine.url.render_as_string()}): {reason}"
        ) from None


def migration_heads(migrations_dir: str | Path) -> frozenset[str]:
    """The revision(s) at the head of an app's migrations folder."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold a server-side advisory lock for the database while the block runs."""
    backend = engine.dialect.name
    if backend not in ("mysql", "mariadb", "postgresql"):
        yield
        return
    with engine.connect() as connection:
        if backend == "postgresql":
            key = sa.func.hashtext(MIGRATION_LOCK)
            connection.execute(sa.select(sa.func.pg_advisory_lock(key)))
            release = sa.select(sa.func.pg_advisory_unlock(key))
        else:
            # MySQL's named locks are server-wide: name the database in the lock.
            name = f"{MIGRATION_LOCK}:{engine.url.database}"[:64]
            acquired = connection.scalar(
                sa.text("SELECT GET_LOCK(:name, :seconds)"),
                {"name": name, "seconds": _LOCK_SECONDS},
            )
            if acquired != 1:
                raise ConfigError(
                    f"another process has been migrating {engine.url.database!r} for over "
                    f"{_LOCK_SECONDS}s; wait for it, or look for a stuck migration"
                )
            release = sa.text("SELECT RELEASE_LOCK(:name)").bindparams(name=name)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(release)
            connection.commit()
