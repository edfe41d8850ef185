"""Mounted at /todo next to the portfolio (wsgi.py), the API's urls carry the prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from werkzeug.test import Client

import wsgi
from projects.todo_api import create_app


def test_mounted_at_todo_the_urls_include_todo(tmp_path: Path) -> None:
    api = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}", "REDIS_URL": None})
    client = Client(wsgi.create_portfolio({"/todo": api}, proxy_hops=0))
    todo: Any = client.post("/todo/todos", json={"title": "mounted"}).get_json()
    assert todo["url"] == f"http://localhost/todo/todos/{todo['id']}"
    assert client.get("/todo/todos").get_json() == [todo]
    assert client.get("/todo/openapi.json").get_json()["servers"][0]["url"] == "/todo"


def test_the_portfolio_mounts_the_todo_api_and_links_its_docs() -> None:
    apps = wsgi.capstone_apps()
    assert "/todo" in apps
    client = Client(wsgi.create_portfolio(apps, proxy_hops=0))
    assert client.get("/todo/healthz").get_json() == {"status": "ok"}
    assert 'href="/todo/docs"' in client.get("/").get_data(as_text=True)
