"""Day 44's fixtures: the shortener on each database, with or without Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask

from day44.app import Shortener, create_app

#: A creation budget the tests that are not about limits never reach.
UNLIMITED = "100000 per minute"


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """``make_app(database_url, redis_url=None, **settings)``: a shortener, disposed after."""
    apps: list[Flask] = []

    def make(database_url: str, redis_url: str | None = None, **settings: Any) -> Flask:
        settings = {"CREATE_LIMIT": UNLIMITED, **settings}
        app = create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        state: Shortener = app.extensions["day44"]
        state.db.engine.dispose()
        if state.redis is not None:
            state.redis.close()


@pytest.fixture
def cached(
    make_app: Callable[..., Flask], db_url: str, redis_url: str, redis_client: redis.Redis
) -> Flask:
    """The shortener on each database, with an emptied Redis."""
    return make_app(db_url, redis_url)


@pytest.fixture
def uncached(make_app: Callable[..., Flask], db_url: str) -> Flask:
    """The shortener on each database, with no Redis."""
    return make_app(db_url)
