"""The Todo-Backend specs once more, over HTTP: gunicorn (2 workers) and a real client.

This is what todobackend.com's spec runner does from a browser, CORS preflight included, and
what the tests of the app alone cannot show: the absolute urls of a real server, and two
worker processes sharing one database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.serve import Served, served

TODO_APP = "projects.todo_api:create_app()"
ORIGIN = "https://www.todobackend.com"


def todo_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The served API's environment: this database, no Redis."""
    return {**os.environ, "TODO_DATABASE_URL": database_url, "TODO_REDIS_URL": "", **extra}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database = Path(tmp_path_factory.mktemp("live")) / "todo.db"
    environment = todo_environment(f"sqlite:///{database}")
    with served(TODO_APP, env=environment, workers=2, ready_path="/healthz") as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    session.headers["Origin"] = ORIGIN
    yield session
    session.close()


@pytest.mark.slow
def test_the_spec_runs_against_a_live_server(live: Served, http: requests.Session) -> None:
    root = f"{live.url}/todos"
    assert http.delete(root, timeout=10).status_code == 204
    assert http.get(root, timeout=10).json() == []

    created = http.post(root, json={"title": "walk the dog", "order": 2}, timeout=10)
    assert created.status_code == 201
    todo = created.json()
    assert todo["url"] == f"{live.url}/todos/{todo['id']}"
    assert (todo["completed"], todo["order"]) == (False, 2)
    assert created.headers["Access-Control-Allow-Origin"] == "*"

    # Several requests, so both workers answer some of them.
    for _ in range(4):
        assert http.get(todo["url"], timeout=10).json() == todo
    patched = http.patch(todo["url"], json={"title": "bathe the cat", "completed": True},
                         timeout=10)  # fmt: skip
    assert patched.json() == {**todo, "title": "bathe the cat", "completed": True}
    assert http.get(root, timeout=10).json() == [patched.json()]

    assert http.delete(todo["url"], timeout=10).status_code == 204
    assert http.get(todo["url"], timeout=10).status_code == 404
    assert http.get(root, timeout=10).json() == []


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_a_cors_preflight_for_json_is_allowed_from_any_origin(
    live: Served, http: requests.Session, method: str
) -> None:
    # The spec runner sends Content-Type: application/json on every request, GET included.
    path = "/todos" if method in ("GET", "POST") else "/todos/1"
    response = http.options(
        f"{live.url}{path}",
        headers={
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert method in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.slow
def test_a_problem_over_http_is_problem_json_with_cors(
    live: Served, http: requests.Session
) -> None:
    response = http.post(f"{live.url}/todos", json={"title": "x", "completed": "yes"}, timeout=10)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["errors"] == {
        "completed": ["must be true or false (a JSON boolean), not a string or number"]
    }
