"""``/healthz`` answers without the database; ``/readyz`` checks it and its migrations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from projects.todo_api.models import VERSION_TABLE


def test_healthz_says_ok(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_reports_each_check_when_ready(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_is_503_when_the_database_is_unreachable(make_app: Any) -> None:
    # Never migrated (AUTO_MIGRATE off), so the app starts on a database that is not there.
    unreachable = "postgresql+psycopg://nobody:x@127.0.0.1:1/todo"
    app = make_app(DATABASE_URL=unreachable, AUTO_MIGRATE=False)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unreachable: ")
    # Liveness does not depend on the database.
    assert client.get("/healthz").status_code == 200


def test_readyz_is_503_when_the_schema_is_behind(make_app: Any) -> None:
    app = make_app(AUTO_MIGRATE=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("behind: at none, expected 0001")


def test_migrations_keep_their_own_version_table(app: Flask) -> None:
    engine = app.extensions["todo"].db.engine
    assert VERSION_TABLE in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")) == "0001"
