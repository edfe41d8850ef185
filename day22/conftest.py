"""Day 22 fixtures: two real gunicorn servers on one Redis, and an HTTP session to reach them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

from shared.serve import Served, served

NAMESPACE = "day22-test"
APP = "day22.app:create_app()"
#: Threads per gunicorn worker.
THREADS = 4


def serve(name: str, redis_url: str) -> Iterator[Served]:
    env = {**os.environ, "REDIS_URL": redis_url, "DAY22_NAMESPACE": NAMESPACE}
    env["DAY22_SERVER"] = name
    # gthread, as flask-sock asks under gunicorn: an open WebSocket holds a thread, not a worker.
    with served(
        APP, env=env, workers=2, threads=THREADS, ready_path="/health", access_log=False
    ) as server:
        yield server


@pytest.fixture(scope="module")
def server_a(redis_url: str) -> Iterator[Served]:
    yield from serve("A", redis_url)


@pytest.fixture(scope="module")
def server_b(redis_url: str) -> Iterator[Served]:
    yield from serve("B", redis_url)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A session that goes straight to 127.0.0.1, whatever the proxy variables say."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
