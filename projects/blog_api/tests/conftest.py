"""Fixtures for the Blog API: one app per database backend per session, and a small client.

Tests share each backend's app and database, so they stay independent by making their own
users, articles and tags under unique names instead of cleaning tables between tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api import create_app
from projects.blog_api.tests.support import Conduit, settings_for
from shared.testing import BACKENDS


@pytest.fixture(
    scope="session",
    params=BACKENDS,
)
def app(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Flask]:
    """The API on a fresh database of each backend, shared by the session's tests."""
    application = create_app(settings_for(make_database(request.param)))
    yield application
    application.extensions["blog"].db.engine.dispose()


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
        application.extensions["blog"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def conduit(client: FlaskClient) -> Conduit:
    return Conduit(client)
