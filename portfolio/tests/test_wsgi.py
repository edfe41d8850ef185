"""wsgi.py: the portfolio at /, capstone APIs dispatched by prefix next to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.test import Client

import wsgi


def fake_api(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A stand-in capstone: answers with the path it was given, below its mount point."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"blog saw {environ['SCRIPT_NAME']} {environ['PATH_INFO']}".encode()]


def test_a_mounted_api_answers_under_its_prefix():
    client = Client(wsgi.create_portfolio({"/blog": fake_api}))
    response = client.get("/blog/api/articles")
    assert response.get_data(as_text=True) == "blog saw /blog /api/articles"


def test_the_portfolio_links_the_apis_it_mounts(repo: Path):
    client = Client(wsgi.create_portfolio({"/blog": fake_api}, {"REPO_ROOT": str(repo)}))
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/blog/api/docs">Interactive docs' in html


def test_the_module_level_app_serves_the_portfolio():
    response = Client(wsgi.app).get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_the_module_level_app_mounts_the_blog_api():
    response = Client(wsgi.app).get("/blog/api/tags")
    assert (response.status_code, response.get_json()) == (
        200,
        {"tags": response.get_json()["tags"]},
    )
    assert Client(wsgi.app).get("/").get_data(as_text=True).count('href="/blog/api/docs"') == 1
