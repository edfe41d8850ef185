"""Many writers at once through a real gunicorn (2 workers): every POST a 201, every todo stored.

On SQLite a writing request queues for the one write lock (shared.db's BEGIN IMMEDIATE and
busy timeout) instead of failing; MySQL and PostgreSQL take the writes side by side.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from projects.todo_api.tests.test_live import TODO_APP, todo_environment
from shared.serve import Served, served
from shared.testing import BACKENDS

WRITERS = 8
TODOS_EACH = 10


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Served]:
    environment = todo_environment(make_database(request.param))
    with served(TODO_APP, env=environment, workers=2, ready_path="/healthz", timeout=60) as server:
        yield server


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_concurrent_posts_are_all_answered_201_and_all_stored(live: Served) -> None:
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> list[tuple[int, Any]]:
        with requests.Session() as http:
            http.trust_env = False
            start.wait(timeout=30)
            answers = []
            for number in range(TODOS_EACH):
                response = http.post(
                    f"{live.url}/todos",
                    json={"title": f"writer {writer} todo {number}", "order": number},
                    timeout=60,
                )
                answers.append((response.status_code, response.json()))
            return answers

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = [answer for batch in pool.map(write, range(WRITERS)) for answer in batch]

    statuses = Counter(status for status, _ in answers)
    failures = [body for status, body in answers if status != 201][:3]
    assert statuses == {201: WRITERS * TODOS_EACH}, f"{dict(statuses)}; first: {failures}"
    listed = requests.get(f"{live.url}/todos", timeout=30, proxies={"http": "", "https": ""})
    stored = {(todo["id"], todo["title"]) for todo in listed.json()}
    assert stored == {(body["id"], body["title"]) for _, body in answers}
    assert len(stored) == WRITERS * TODOS_EACH
