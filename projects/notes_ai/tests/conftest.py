"""Fixtures of the AI Notes API's tests: an app per database backend, and a client that logs in.

One app per backend (SQLite file with sqlite-vec, MySQL with numpy search, PostgreSQL with
pgvector) for the session. Users are made fresh for each test, so tests never see each other's
notes; that is the isolation the API promises, used as the isolation of the tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from projects.notes_ai import create_app
from shared.testing import BACKENDS

#: argon2's cheapest settings: hashing is not what these tests are about.
CHEAP_PASSWORDS = {"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8, "PASSWORD_PARALLELISM": 1}
PASSWORD = "correct horse battery"
_users = itertools.count(1)


def settings_for(database_url: str, **overrides: Any) -> dict[str, Any]:
    """create_app overrides for a test app on ``database_url``: offline, no Redis, no key."""
    # Not the harness's REDIS_URL or a developer's OPENAI_API_KEY: tests that want them say so.
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "LLM": "offline",
        "EMBEDDINGS": "local",
        "TESTING": True,
        **CHEAP_PASSWORDS,
        **overrides,
    }


@dataclass
class NotesClient:
    """A test client speaking for one registered user (flaskr's ``AuthActions``, grown up)."""

    client: FlaskClient
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def merged(self, kwargs: dict[str, Any]) -> dict[str, str]:
        """The token header plus any the call gives (taken out of ``kwargs``)."""
        return {**self.headers, **kwargs.pop("headers", {})}

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, headers=self.merged(kwargs), **kwargs)

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.post(url, headers=self.merged(kwargs), **kwargs)

    def patch(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.patch(url, headers=self.merged(kwargs), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.delete(url, headers=self.merged(kwargs), **kwargs)

    def add_note(self, title: str, body: str) -> dict[str, Any]:
        """POST a note and return it, failing the test with the body if it was refused."""
        response = self.post("/api/notes", json={"title": title, "body": body})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()  # type: ignore[no-any-return]

    def search(self, q: str, k: int = 5) -> list[dict[str, Any]]:
        response = self.get("/api/search", query_string={"q": q, "k": k})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["results"]  # type: ignore[no-any-return]


def register(client: FlaskClient, email: str | None = None) -> NotesClient:
    """A new user on ``client``'s app, logged in."""
    email = email or f"user{next(_users)}@example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    return NotesClient(client, response.get_json()["token"], email)


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Flask]:
    """The API on a new database of each backend, shared by the session's tests."""
    application = create_app(settings_for(make_database(request.param)))
    yield application
    application.extensions["notes"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous test client of ``app``."""
    return app.test_client()


@pytest.fixture
def user(client: FlaskClient) -> NotesClient:
    """A new user of ``app``, logged in."""
    return register(client)


@pytest.fixture
def other_user(client: FlaskClient) -> NotesClient:
    """A second user of the same app."""
    return register(client)


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """``make_app(**overrides)``: a throwaway app on in-memory SQLite."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        url = overrides.pop("DATABASE_URL", "sqlite://")
        application = create_app(settings_for(url, **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["notes"].db.engine.dispose()
