"""Day 18 fixtures: a todo table on SQLite (fast) or on every backend, and a cache over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from day18.todo_cache import TodoStore, todos
from shared.db import create_engine


def _store(url: str) -> Iterator[TodoStore]:
    engine = create_engine(url)
    store = TodoStore(engine)
    store.create_table()
    with engine.begin() as connection:
        connection.execute(sa.delete(todos))
    yield store
    engine.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TodoStore]:
    """An empty todo table in a fresh SQLite file."""
    yield from _store(f"sqlite:///{tmp_path / 'todos.db'}")


@pytest.fixture
def any_store(db_url: str) -> Iterator[TodoStore]:
    """An empty todo table on SQLite, MariaDB and PostgreSQL in turn."""
    yield from _store(db_url)


@pytest.fixture
def client(redis_client: redis.Redis) -> redis.Redis:
    """The emptied Redis database of the run."""
    return redis_client
