"""The app factory, OpenAPI docs, CORS, and a real gunicorn serving the app."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api import create_app
from projects.blog_api.tests.support import CHEAP_HASHING, SECRET, assert_error, unique
from shared.config import ConfigError
from shared.serve import served
from shared.testing import free_port

PREFLIGHT = {
    "Origin": "https://frontend.example",
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "Authorization, Content-Type, X-Requested-With",
}


def test_an_unreachable_database_fails_with_one_clear_line() -> None:
    url = f"mysql+pymysql://nobody:nothing@127.0.0.1:{free_port()}/blog"
    with pytest.raises(ConfigError, match="cannot migrate the database in BLOG_DATABASE_URL"):
        create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})


def test_the_app_creates_and_migrates_its_database(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "blog.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": SECRET})
    assert database.exists()
    assert app.test_client().get("/api/articles").json == {"articles": [], "articlesCount": 0}
    app.extensions["blog"].db.engine.dispose()


def test_auto_migrate_off_leaves_the_database_alone(tmp_path: Path) -> None:
    database = tmp_path / "blog.db"
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": SECRET, "AUTO_MIGRATE": False}
    )
    assert not database.exists()
    app.extensions["blog"].db.engine.dispose()


def test_two_apps_in_one_process_keep_their_own_settings(make_app: Callable[..., Flask]) -> None:
    strict = make_app(LOGIN_RATE_LIMIT="1 per minute").test_client()
    relaxed = make_app().test_client()
    login = {"user": {"email": "a@example.com", "password": "whatever1"}}
    strict.post("/api/users/login", json=login)
    assert strict.post("/api/users/login", json=login).status_code == 429
    assert relaxed.post("/api/users/login", json=login).status_code == 401


def test_the_openapi_document_lists_every_route(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["info"]["title"] == "Conduit Blog API"
    paths = set(document["paths"])
    assert {"/api/articles/{slug}/comments/{comment_id}", "/api/user", "/api/tags"} <= paths
    assert "Token" in document["components"]["securitySchemes"]
    assert document["paths"]["/api/user"]["get"]["security"] == [{"Token": []}]


def test_the_interactive_docs_are_served(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "swagger" in response.get_data(as_text=True).lower()


def test_a_cors_preflight_is_answered_without_auth(client: FlaskClient) -> None:
    response = client.options("/api/user", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type", "x-requested-with"} <= allowed
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_responses_carry_the_cors_header(client: FlaskClient) -> None:
    response = client.get("/api/tags", headers={"Origin": "https://frontend.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_origins_can_be_restricted(make_app: Callable[..., Flask]) -> None:
    client = make_app(CORS_ORIGINS="https://mine.example").test_client()
    mine = client.get("/api/tags", headers={"Origin": "https://mine.example"})
    theirs = client.get("/api/tags", headers={"Origin": "https://theirs.example"})
    assert mine.headers.get("Access-Control-Allow-Origin") == "https://mine.example"
    assert "Access-Control-Allow-Origin" not in theirs.headers


def test_a_small_max_body_size_applies(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_BODY_BYTES=100).test_client()
    name = "x" * 200
    response = client.post(
        "/api/users", json={"user": {"username": name, "email": "a@b.co", "password": name}}
    )
    assert_error(response, 413, "body")


@pytest.mark.slow
def test_gunicorn_serves_the_app_as_documented(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BLOG_DATABASE_URL": f"sqlite:///{tmp_path / 'blog.db'}",
        "BLOG_SECRET_KEY": SECRET,
        **{f"BLOG_{key}": str(value) for key, value in CHEAP_HASHING.items()},
    }
    with served("projects.blog_api:create_app()", env=env, ready_path="/api/tags") as server:
        name = unique()
        request = urllib.request.Request(
            f"{server.url}/api/users",
            data=json.dumps(
                {"user": {"username": name, "email": f"{name}@example.com", "password": SECRET}}
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
            assert json.load(response)["user"]["username"] == name
        with urllib.request.urlopen(f"{server.url}/api/articles", timeout=10) as listed:
            assert json.load(listed) == {"articles": [], "articlesCount": 0}
