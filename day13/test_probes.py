"""Liveness and readiness on a real database: SQLite files and MariaDB."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from day13.app import create_app
from day13.conftest import APP
from day13.probes import CheckResult, probe_engine, readiness
from shared.config import ConfigError
from shared.serve import served

pytestmark = pytest.mark.timeout(30)


def test_healthz_does_no_io_so_it_stays_200_while_the_database_is_gone(tmp_path: Path) -> None:
    client = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}"}).test_client()
    health = client.get("/healthz")
    ready = client.get("/readyz")
    assert (health.status_code, health.json["status"]) == (200, "ok")
    assert ready.status_code == 503


def test_readyz_is_200_with_each_check_named_when_the_database_answers(sqlite_file: Path) -> None:
    ready = create_app({"DATABASE_URL": f"sqlite:///{sqlite_file}"}).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "ready"
    assert ready.json["checks"]["database"]["ok"] is True
    assert "failing" not in ready.json


def test_a_readiness_probe_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "never.db"
    ready = create_app({"DATABASE_URL": f"sqlite:///{path}"}).test_client().get("/readyz")
    assert ready.json["failing"] == ["database"]
    assert "unable to open database file" in ready.json["checks"]["database"]["error"]
    assert not path.exists()


def test_readiness_names_every_failing_check_not_just_the_first() -> None:
    results = [CheckResult("database", False, 1.0, "x"), CheckResult("redis", False, 1.0, "y")]
    status, body = readiness(results)
    assert (status, body["failing"]) == (503, ["database", "redis"])


def test_readyz_flips_to_503_under_gunicorn_when_the_sqlite_file_goes_away(
    app_env: dict[str, str], sqlite_file: Path, http: requests.Session
) -> None:
    with served(APP, env=app_env, workers=2, ready_path="/readyz") as server:
        before = http.get(server.url + "/readyz")
        sqlite_file.unlink()
        after = http.get(server.url + "/readyz")
        health = http.get(server.url + "/healthz")
    assert before.status_code == 200
    assert after.status_code == 503, after.text
    assert after.json()["failing"] == ["database"]
    assert health.status_code == 200


def test_readyz_flips_to_503_and_back_when_a_mariadb_database_is_dropped_and_recreated(
    make_database: Callable[[str], str], http: requests.Session
) -> None:
    url = make_database("mysql")
    name = sa.make_url(url).database
    admin = sa.create_engine(sa.make_url(url).set(database=""), isolation_level="AUTOCOMMIT")
    env = {**os.environ, "DAY13_DATABASE_URL": url}
    try:
        with served(APP, env=env, workers=2, ready_path="/readyz") as server:
            before = http.get(server.url + "/readyz")
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE `{name}`")
            dropped = http.get(server.url + "/readyz")
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE `{name}`")
            back = http.get(server.url + "/readyz")
    finally:
        admin.dispose()
    assert before.status_code == 200
    assert dropped.status_code == 503
    assert dropped.json()["failing"] == ["database"]
    assert "Unknown database" in dropped.json()["checks"]["database"]["error"]
    assert back.status_code == 200, "readiness recovers on its own: no restart needed"


def test_readiness_gives_up_within_its_timeout_on_a_database_that_never_answers() -> None:
    # A socket that listens but never accepts: the TCP handshake completes in the kernel, and
    # the MySQL greeting never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        client = create_app(
            {"DATABASE_URL": f"mysql+pymysql://u:p@127.0.0.1:{port}/app", "CHECK_TIMEOUT": 1}
        ).test_client()
        started = time.monotonic()
        ready = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert ready.status_code == 503
    assert ready.json["failing"] == ["database"]
    assert elapsed < 3, f"the probe took {elapsed:.1f}s with a 1 s timeout"


def test_a_bad_check_timeout_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAY13_CHECK_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="DAY13_CHECK_TIMEOUT must be a number of seconds"):
        create_app()


def test_the_slow_route_refuses_an_unbounded_wait(sqlite_file: Path) -> None:
    client = create_app({"DATABASE_URL": f"sqlite:///{sqlite_file}"}).test_client()
    answer = client.get("/work?seconds=60")
    assert answer.status_code == 400
    assert answer.json["error"] == "seconds must be a number from 0 to 10, got '60'"


def test_probe_engine_reads_the_variable_name_into_its_error() -> None:
    with pytest.raises(ConfigError, match="DAY13_DATABASE_URL"):
        probe_engine("not a url", var="DAY13_DATABASE_URL")
