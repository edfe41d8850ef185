"""Many writers at once through a real gunicorn: every write answered and stored, on each database.

SQLite allows one writer at a time. A request that writes must queue for that lock (busy
timeout, ``BEGIN IMMEDIATE``) rather than fail, and a lock that is never released in time is a
503 with ``Retry-After`` that leaves nothing half-written, never a 500.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from projects.blog_api.tests.support import CHEAP_HASHING, PASSWORD, SECRET, unique
from shared.serve import Served, served
from shared.testing import BACKENDS

BLOG_APP = "projects.blog_api:create_app()"
WRITERS = 8
ARTICLES_EACH = 10
#: The busy timeout of the lock test, in seconds: short, so that the test stays quick.
SHORT_BUSY_TIMEOUT = 0.3

# Straight to 127.0.0.1, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def blog_environment(database_url: str) -> dict[str, str]:
    """The served API's environment: this database, cheap hashing, no Redis, no login limit."""
    return {
        **os.environ,
        "BLOG_DATABASE_URL": database_url,
        "BLOG_SECRET_KEY": SECRET,
        "BLOG_REDIS_URL": "",
        "BLOG_RATE_LIMIT_ENABLED": "false",
        **{f"BLOG_{key}": str(value) for key, value in CHEAP_HASHING.items()},
    }


def call(
    base: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, dict[str, str], Any]:
    """``(status, headers, JSON body)`` of one request; an error status is an answer too."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(
        f"{base}/api{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    try:
        with _DIRECT.open(request, timeout=60) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            text = error.read().decode(errors="replace")
        try:
            payload: Any = json.loads(text)
        except json.JSONDecodeError:
            payload = text
        return error.code, dict(error.headers), payload


def register(base: str) -> str:
    """A new user's token."""
    name = unique()
    user = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    status, _, body = call(base, "POST", "/users", {"user": user})
    assert status == 201, body
    return body["user"]["token"]


def article(writer: int, number: int) -> dict[str, Any]:
    # One tag every writer shares (the INSERT ... ON CONFLICT that collides), one of its own.
    return {
        "article": {
            "title": f"Writer {writer} article {number}",
            "description": "Written while others write",
            "body": "Every one of these must be stored.",
            "tagList": ["concurrency", f"writer-{writer}"],
        }
    }


@pytest.fixture(params=BACKENDS)
def blog(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Served]:
    """The Blog API under gunicorn (2 workers) on a new database of each backend."""
    environment = blog_environment(make_database(request.param))
    with served(BLOG_APP, env=environment, workers=2, ready_path="/api/tags", timeout=60) as server:
        yield server


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_concurrent_writers_are_all_answered_201_and_all_stored(blog: Served) -> None:
    tokens = [register(blog.url) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> list[tuple[int, Any]]:
        start.wait(timeout=30)
        answers = []
        for number in range(ARTICLES_EACH):
            status, _, body = call(
                blog.url, "POST", "/articles", article(writer, number), tokens[writer]
            )
            answers.append((status, body))
        return answers

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = [answer for batch in pool.map(write, range(WRITERS)) for answer in batch]

    statuses = Counter(status for status, _ in answers)
    failures = [body for status, body in answers if status != 201][:3]
    assert statuses == {201: WRITERS * ARTICLES_EACH}, f"{dict(statuses)}; first: {failures}"
    written = {body["article"]["slug"] for _, body in answers}
    _, _, listed = call(blog.url, "GET", f"/articles?limit={WRITERS * ARTICLES_EACH + 1}")
    assert listed["articlesCount"] == WRITERS * ARTICLES_EACH
    assert {each["slug"] for each in listed["articles"]} == written
    _, _, tags = call(blog.url, "GET", "/tags")
    expected_tags = {"concurrency", *(f"writer-{writer}" for writer in range(WRITERS))}
    assert set(tags["tags"]) == expected_tags


@pytest.fixture
def sqlite_blog(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    """The Blog API on an SQLite file whose busy timeout is :data:`SHORT_BUSY_TIMEOUT`."""
    database = tmp_path / "blog.db"
    url = f"sqlite:///{database}?timeout={SHORT_BUSY_TIMEOUT}"
    with served(BLOG_APP, env=blog_environment(url), ready_path="/api/tags", timeout=60) as server:
        yield server, database


def stored_rows(database: Path) -> tuple[int, int]:
    """(articles, tags) in the SQLite file, read by a connection of this test."""
    with sqlite3.connect(database) as connection:
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        tags = connection.execute("SELECT count(*) FROM tags").fetchone()[0]
    connection.close()
    return articles, tags


@pytest.mark.slow
def test_a_write_lock_held_past_the_busy_timeout_is_a_503_that_stores_nothing(
    sqlite_blog: tuple[Served, Path],
) -> None:
    blog, database = sqlite_blog
    token = register(blog.url)
    # Another process's write transaction, held for longer than the API waits for it.
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        began = time.monotonic()
        status, headers, body = call(blog.url, "POST", "/articles", article(0, 0), token)
        waited = time.monotonic() - began
        _, _, listed = call(blog.url, "GET", "/articles")
    finally:
        holder.rollback()
        holder.close()
    assert (status, headers.get("Retry-After")) == (503, "1"), body
    assert set(body) == {"errors"} and body["errors"]["body"], body
    assert waited >= SHORT_BUSY_TIMEOUT, f"answered after {waited:.2f}s without waiting"
    assert listed["articlesCount"] == 0, "readers are not blocked by the writer"
    assert stored_rows(database) == (0, 0)
    # The lock released, the same write goes through.
    status, _, body = call(blog.url, "POST", "/articles", article(0, 0), token)
    assert status == 201, body
    assert stored_rows(database) == (1, 2)
