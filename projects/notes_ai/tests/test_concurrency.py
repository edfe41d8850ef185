"""Many writers at once through a real gunicorn: every note answered, stored and searchable.

Each write chunks and embeds a note and adds its vectors in the same transaction as its rows.
On SQLite (one writer at a time, sqlite-vec in the same file) the writes must queue for the
lock rather than fail; on MariaDB they run side by side. Either way no write may be lost, and
no stored note may be missing from search.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from projects.notes_ai.tests.conftest import CHEAP_PASSWORDS, PASSWORD
from shared.serve import Served, served

NOTES_APP = "projects.notes_ai:create_app()"
WRITERS = 8
NOTES_EACH = 10

# Straight to 127.0.0.1, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def notes_environment(database_url: str) -> dict[str, str]:
    """The served API's environment: this database, offline, cheap hashing, no Redis."""
    return {
        **os.environ,
        "NOTES_DATABASE_URL": database_url,
        "NOTES_LLM": "offline",
        "NOTES_EMBEDDINGS": "local",
        "NOTES_REDIS_URL": "",
        "NOTES_OPENAI_API_KEY": "",
        "OPENAI_API_KEY": "",
        **{f"NOTES_{key}": str(value) for key, value in CHEAP_PASSWORDS.items()},
    }


def call(
    base: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """``(status, JSON body)`` of one request; an error status is an answer too."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{base}/api{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    try:
        with _DIRECT.open(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except json.JSONDecodeError:
            return error.code, text


def register(base: str, writer: int) -> str:
    email = f"writer{writer}@example.com"
    status, body = call(base, "POST", "/auth/register", {"email": email, "password": PASSWORD})
    assert status == 201, body
    return str(body["token"])


def note(writer: int, number: int) -> dict[str, str]:
    return {
        "title": f"Writer {writer}, note {number}",
        "body": "# Garden\n\nWater the tomatoes every morning and pick the ripe ones at dusk.",
    }


@pytest.fixture(params=["sqlite", "mysql"])
def notes_api(
    request: pytest.FixtureRequest, make_database: Callable[[str], str]
) -> Iterator[Served]:
    """The Notes API under gunicorn (2 workers) on a new SQLite file or MariaDB database."""
    environment = notes_environment(make_database(request.param))
    with served(NOTES_APP, env=environment, workers=2, ready_path="/api", timeout=90) as server:
        yield server


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_concurrent_writers_are_all_answered_201_stored_and_searchable(notes_api: Served) -> None:
    tokens = [register(notes_api.url, writer) for writer in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> list[tuple[int, Any]]:
        start.wait(timeout=30)
        return [
            call(notes_api.url, "POST", "/notes", note(writer, number), tokens[writer])
            for number in range(NOTES_EACH)
        ]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = list(pool.map(write, range(WRITERS)))

    statuses = Counter(status for batch in answers for status, _ in batch)
    failures = [body for batch in answers for status, body in batch if status != 201][:3]
    assert statuses == {201: WRITERS * NOTES_EACH}, f"{dict(statuses)}; first: {failures}"
    for writer, batch in enumerate(answers):
        written = {body["id"] for _, body in batch}
        _, listed = call(
            notes_api.url, "GET", f"/notes?limit={NOTES_EACH + 1}", None, tokens[writer]
        )
        assert listed["total"] == NOTES_EACH and {n["id"] for n in listed["notes"]} == written
        query = urllib.parse.urlencode({"q": "when do I water the tomatoes?", "k": 50})
        _, found = call(notes_api.url, "GET", f"/search?{query}", None, tokens[writer])
        assert {r["note_id"] for r in found["results"]} == written, f"writer {writer}: {found}"
