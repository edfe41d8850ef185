"""Day 21 fixtures: an RQ queue on the real Redis (emptied per test) and an SQLite todo file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import Queue

from day21.jobs import create_schema


@pytest.fixture
def queue(redis_url: str, redis_client: Any) -> Iterator[Queue]:
    """The queue ``day21-test`` on an emptied database (``redis_client`` empties it)."""
    # RQ pickles job data: its connection must not decode responses.
    connection = redis.Redis.from_url(redis_url)
    yield Queue("day21-test", connection=connection)
    connection.close()


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A fresh SQLite file with the todo tables."""
    path = str(tmp_path / "todos.db")
    create_schema(path)
    return path
