"""Day 25 fixtures: the Todo API served by gunicorn on a fresh SQLite file, whole or faulty."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from day25.__main__ import API, api_env, serve
from day25.degrade import NoRedisServer, RedisProcess
from shared.serve import Served


@pytest.fixture(scope="session")
def serve_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """``serve_api(app=API, redis_url=None, workers=2)``: the base URL of a served API on a
    database of its own; every server started stops at the end of the session."""
    running: list[Served] = []
    with ExitStack() as stack:

        def start(app: str = API, redis_url: str | None = None, workers: int = 2) -> str:
            folder = tmp_path_factory.mktemp("day25-api")
            env = api_env(f"sqlite:///{Path(folder) / 'todo.db'}", redis_url)
            server = stack.enter_context(serve(env, app, workers))
            running.append(server)
            return server.url

        yield start
        # SIGTERM to all at once, so they wind down side by side; the stack then waits for each.
        for server in running:
            server.process.terminate()


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    """A redis-server of the test's own, which it may stop, start, empty and count on."""
    try:
        server = RedisProcess()
    except NoRedisServer as missing:
        pytest.skip(str(missing))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api_url(serve_api: Callable[..., str], redis_url: str) -> str:
    """The Todo API as it runs for real: gunicorn, 2 workers of 24 threads, its list
    cached in Redis."""
    return serve_api(redis_url=redis_url)
