"""Fixtures for the Todo API: an app and a client per database backend.

One app per backend (SQLite file, MySQL, PostgreSQL) for the session; the ``client`` fixture
empties the todos table first, so each test starts from an empty list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from projects.todo_api import create_app, observability
from projects.todo_api.models import Todo
from shared.testing import BACKENDS


def settings_for(database_url: str, **overrides: Any) -> dict[str, Any]:
    """create_app overrides for a test app on ``database_url``."""
    # Not the harness's REDIS_URL from the environment: tests that want Redis say so.
    return {"DATABASE_URL": database_url, "REDIS_URL": None, "TESTING": True, **overrides}


# create_app() stops the app's logger propagating (its JSON handler writes every line). pytest's
# log capture attaches to loggers that do not propagate only if they already do not when a test
# phase starts, so the first test to create an app would capture none of its records: set the
# logger up as create_app() does before any test runs.
observability.json_handler(logging.getLogger("projects.todo_api"))


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Flask]:
    """The API on a new database of each backend, shared by the session's tests."""
    application = create_app(settings_for(make_database(request.param)))
    yield application
    application.extensions["todo"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``, whose todos table has just been emptied."""
    with app.extensions["todo"].db.transaction() as session:
        session.execute(sa.delete(Todo))
    return app.test_client()


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """``make_app(**overrides)``: a throwaway app on in-memory SQLite."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        application = create_app(settings_for("sqlite://", **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["todo"].db.engine.dispose()
