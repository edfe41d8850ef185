"""shared.db: URLs, engines with dialect defaults, the Flask session and migrations."""

import os
import threading
import time

import flask
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.config import ConfigError
from shared.db import (
    Database,
    check_connection,
    create_engine,
    is_database_busy,
    parse_url,
    upgrade_to_head,
)
from shared.testing import BACKENDS, backend_of


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "shared_parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)


class Child(Base):
    __tablename__ = "shared_child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(sa.ForeignKey("shared_parent.id"))


@pytest.fixture
def db_metadata():
    return Base.metadata


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("mysql://u:p@h/db", "mysql+pymysql"),
        ("mariadb://u:p@h/db", "mysql+pymysql"),
        ("postgres://u:p@h/db", "postgresql+psycopg"),
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_urls_get_the_project_drivers(url, driver):
    assert parse_url(url).drivername == driver


def test_mysql_urls_default_to_utf8mb4_but_keep_an_explicit_charset():
    assert parse_url("mysql://u:p@h/db").query["charset"] == "utf8mb4"
    assert parse_url("mysql://u:p@h/db?charset=latin1").query["charset"] == "latin1"


def test_a_malformed_url_names_the_variable():
    with pytest.raises(ConfigError, match=r"^BLOG_DATABASE_URL is not a database URL: 'nonsense'"):
        parse_url("nonsense", "BLOG_DATABASE_URL")


def test_an_unknown_driver_names_the_variable_and_the_choices():
    with pytest.raises(
        ConfigError, match=r"DATABASE_URL uses an unknown database driver 'oracle\+nope'"
    ):
        parse_url("oracle+nope://u@h/db")


def test_a_known_dialect_with_a_missing_driver_is_one_line():
    with pytest.raises(ConfigError, match=r"^DATABASE_URL needs the 'mysql\+mysqldb' driver"):
        create_engine("mysql+mysqldb://u:p@h/db")


def test_sqlite_file_engines_create_the_folder_and_use_wal_with_foreign_keys(tmp_path):
    path = tmp_path / "nested" / "deeper" / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert path.exists()
    engine.dispose()


def test_in_memory_sqlite_is_one_database_across_threads():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    seen: list[int] = []

    def read() -> None:
        with engine.connect() as connection:
            seen.append(connection.exec_driver_sql("SELECT x FROM t").scalar())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [1]


def test_foreign_keys_are_enforced_on_every_backend(db_session):
    db_session.add(Child(parent_id=999))
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()


def test_unique_constraints_are_enforced_on_every_backend(db_session):
    db_session.add_all([Parent(name="same"), Parent(name="same")])
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()


def test_each_test_starts_with_empty_tables(db_session):
    # Runs after the tests above wrote rows: the harness rolled them back.
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Parent)) == 0
    db_session.add(Parent(name="kept only for this test"))
    db_session.commit()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Parent)) == 1


def test_a_forked_child_gets_its_own_connections(db_url):
    engine = create_engine(db_url)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert engine.pool.checkedin() >= 1 or isinstance(engine.pool, sa.pool.StaticPool)
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker of a preloaded app, in effect
        code = 1
        try:
            inherited = engine.pool.checkedin()
            with engine.connect() as connection:
                answer = connection.execute(sa.text("SELECT 1")).scalar()
            code = 0 if (inherited, answer) == (0, 1) else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child reused the parent's pooled connection"
    with engine.connect() as connection:  # and the parent's own connection still works
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_check_connection_turns_a_dead_server_into_one_line():
    engine = create_engine(
        "mysql+pymysql://u:p@127.0.0.1:1/db", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(ConfigError, match=r"^cannot reach the database in MYSQL_URL"):
        check_connection(engine, "MYSQL_URL")


def test_database_gives_each_request_its_own_session_and_removes_it(db_url):
    app = Flask(__name__)
    db = Database.from_url(db_url)
    db.init_app(app)
    seen = []

    @app.get("/")
    def index():
        seen.append(db.session())
        return {"ok": db.session.execute(sa.text("SELECT 1")).scalar() == 1}

    client = app.test_client()
    assert client.get("/").json == {"ok": True}
    assert client.get("/").json == {"ok": True}
    assert seen[0] is not seen[1], "the session should be removed after each request"
    db.engine.dispose()


def test_transaction_commits_on_success_and_rolls_back_on_error(db_url):
    db = Database.from_url(db_url)
    Base.metadata.create_all(db.engine)
    try:
        with db.transaction() as session:
            session.add(Parent(name="committed"))
        with pytest.raises(RuntimeError), db.transaction() as session:
            session.add(Parent(name="rolled back"))
            session.flush()
            raise RuntimeError("boom")
        with db.engine.connect() as connection:
            names = connection.execute(sa.select(Parent.name)).scalars().all()
        assert names == ["committed"]
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(Parent))
        db.engine.dispose()


MIGRATION_ENV = """
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
"""

MIGRATION = """
import time

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
SLEEP = {sleep}


def upgrade():
    op.create_table("migrated", sa.Column("id", sa.Integer, primary_key=True))
    time.sleep(SLEEP)  # long enough for a second migrator to arrive mid-way


def downgrade():
    op.drop_table("migrated")
"""


def write_migrations(folder, sleep: float = 0.0) -> None:
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(MIGRATION_ENV)
    (folder / "versions" / "0001_create.py").write_text(MIGRATION.format(sleep=sleep))


def test_upgrade_to_head_runs_an_apps_migrations(tmp_path, make_database):
    write_migrations(tmp_path)
    engine = create_engine(make_database("sqlite"))
    upgrade_to_head(tmp_path, engine)
    assert "migrated" in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0001"
        )
    engine.dispose()


def test_processes_migrating_at_once_take_turns(tmp_path, db_url, make_database):
    # Two gunicorn workers that both migrate on start, in effect; one database per run.
    backend = backend_of(db_url)
    url = make_database(backend)
    write_migrations(tmp_path, sleep=0.5)
    engines = [create_engine(url), create_engine(url)]
    errors: list[BaseException] = []

    def migrate(engine) -> None:
        try:
            upgrade_to_head(tmp_path, engine)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with engines[0].connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert [tuple(row) for row in versions] == [("0001",)]
    for engine in engines:
        engine.dispose()


def test_an_sqlite_folder_that_cannot_be_created_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match=r"^BLOG_DATABASE_URL names an SQLite file in .*a-file"):
        create_engine(f"sqlite:///{blocker}/app.db", "BLOG_DATABASE_URL")


# --- SQLite with several writers ------------------------------------------------------------


def sqlite_table(tmp_path, timeout: float = 2.0) -> tuple[str, sa.Engine]:
    """A file database with one table ``t``, its URL carrying the busy timeout in seconds."""
    url = f"sqlite:///{tmp_path / 'writers.db'}?timeout={timeout}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    return url, engine


def hold_write_lock(url: str) -> sa.Connection:
    """Another writer, holding SQLite's write lock until it is closed."""
    holder = create_engine(url).connect()
    holder.execution_options(sqlite_begin="IMMEDIATE").begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (0)")
    return holder


@pytest.mark.parametrize(("query", "milliseconds"), [("", 5000), ("?timeout=0.25", 250)])
def test_sqlite_waits_the_busy_timeout_of_its_url(tmp_path, query, milliseconds):
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}{query}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == milliseconds
    engine.dispose()


@pytest.mark.parametrize("timeout", ["soon", "-1", "inf", "nan"])
def test_a_busy_timeout_that_is_not_seconds_names_the_variable(timeout):
    with pytest.raises(ConfigError, match=rf"^BLOG_DATABASE_URL has timeout='{timeout}'; "):
        parse_url(f"sqlite:///x.db?timeout={timeout}", "BLOG_DATABASE_URL")


def test_a_deferred_transaction_that_read_cannot_wait_for_the_write_lock(tmp_path):
    # Why writers must begin IMMEDIATE: this fails at once, whatever the busy timeout.
    url, engine = sqlite_table(tmp_path, timeout=2.0)
    with engine.connect() as reader:
        reader.begin()
        reader.exec_driver_sql("SELECT count(*) FROM t").scalar()
        holder = hold_write_lock(url)
        try:
            began = time.monotonic()
            with pytest.raises(sa.exc.OperationalError, match="database is locked") as raised:
                reader.exec_driver_sql("INSERT INTO t VALUES (1)")
            waited = time.monotonic() - began
        finally:
            holder.close()
    assert is_database_busy(raised.value)
    assert waited < 1.0, f"waited {waited:.2f}s: the busy handler was not skipped after all"
    engine.dispose()


def test_a_writer_session_queues_for_the_lock_then_writes(tmp_path):
    url, engine = sqlite_table(tmp_path, timeout=5.0)
    db = Database(engine)
    holder = hold_write_lock(url)

    def commit_and_release() -> None:
        holder.commit()
        holder.close()

    released = threading.Timer(0.3, commit_and_release)
    began = time.monotonic()
    released.start()
    try:
        with db.transaction() as session:
            # The read a deferred transaction would start with; here BEGIN has waited already,
            # so it sees the other writer's row.
            count = session.execute(sa.text("SELECT count(*) FROM t")).scalar()
            session.execute(sa.text("INSERT INTO t VALUES (:n)"), {"n": count + 1})
    finally:
        released.join()
    assert time.monotonic() - began >= 0.3, "the writer did not wait for the lock"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT x FROM t ORDER BY x").scalars().all() == [0, 2]
    engine.dispose()


def write_lock_app(db: Database, reads: list[str]) -> Flask:
    app = Flask(__name__)
    app.testing = True  # errors reach the test
    db.init_app(app)

    @app.route("/rows", methods=["GET", "POST"])
    def rows():
        count = db.session.execute(sa.text("SELECT count(*) FROM t")).scalar()
        reads.append(flask.request.method)
        if flask.request.method == "POST":
            db.session.execute(sa.text("INSERT INTO t VALUES (:n)"), {"n": count + 1})
            db.session.commit()
        return {"rows": count}

    return app


def test_requests_that_may_write_take_the_lock_before_reading_and_readers_do_not(tmp_path):
    url, engine = sqlite_table(tmp_path, timeout=0.1)
    reads: list[str] = []
    client = write_lock_app(Database(engine), reads).test_client()
    holder = hold_write_lock(url)
    try:
        read = client.get("/rows")
        with pytest.raises(sa.exc.OperationalError) as raised:
            client.post("/rows")
    finally:
        holder.close()
    assert read.json == {"rows": 0}, "a reader needs no lock (WAL)"
    assert is_database_busy(raised.value), raised.value
    assert reads == ["GET"], "the writer read before it had the lock"
    assert client.post("/rows").json == {"rows": 0}, "the lock released, the write goes through"
    assert client.get("/rows").json == {"rows": 1}
    engine.dispose()


def test_other_database_errors_are_not_busy(tmp_path):
    _, engine = sqlite_table(tmp_path)
    with engine.connect() as connection, pytest.raises(sa.exc.OperationalError) as raised:
        connection.exec_driver_sql("SELECT * FROM no_such_table")
    assert not is_database_busy(raised.value)
    assert not is_database_busy(RuntimeError("database is locked"))
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS[1:])
def test_a_lock_wait_that_times_out_on_a_server_database_is_busy(backend, make_database):
    engine = create_engine(make_database(backend))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1, 0)")
    short_wait = {
        "mysql": "SET SESSION innodb_lock_wait_timeout = 1",
        "postgres": "SET lock_timeout = '200ms'",
    }[backend]
    with engine.connect() as holder, engine.connect() as waiter:
        holder.begin()
        holder.exec_driver_sql("UPDATE t SET x = 1 WHERE id = 1")
        waiter.exec_driver_sql(short_wait)
        with pytest.raises(sa.exc.OperationalError) as raised:
            waiter.exec_driver_sql("UPDATE t SET x = 2 WHERE id = 1")
        holder.rollback()
    assert is_database_busy(raised.value), raised.value
    engine.dispose()


def test_a_lock_held_on_pysqlite3_is_busy_too(tmp_path):
    # The driver that loads extensions (the AI Notes API's) raises its own OperationalError,
    # no subclass of sqlite3's: the busy check and the 503 must still recognise it.
    pysqlite3 = pytest.importorskip("pysqlite3.dbapi2")
    url = f"sqlite:///{tmp_path / 'locked.db'}?timeout=0"
    engine = create_engine(url, module=pysqlite3)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    holder = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    holder.begin()
    try:
        with (
            engine.connect().execution_options(sqlite_begin="IMMEDIATE") as other,
            pytest.raises(sa.exc.OperationalError) as raised,
        ):
            other.begin()
        assert type(raised.value.orig).__module__.startswith("pysqlite3")
        assert is_database_busy(raised.value)
    finally:
        holder.close()
        engine.dispose()
