"""Day 13 fixtures: the app under real gunicorn, and HTTP straight to 127.0.0.1."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

APP = "day13.app:create_app()"


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """An SQLite database file that exists (readiness never creates one)."""
    path = tmp_path / "day13.db"
    sqlite3.connect(path).close()
    return path


@pytest.fixture
def app_env(sqlite_file: Path) -> dict[str, str]:
    """The environment for a served app whose database is ``sqlite_file``."""
    return {**os.environ, "DAY13_DATABASE_URL": f"sqlite:///{sqlite_file}"}


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A session that goes straight to 127.0.0.1, whatever the proxy variables say."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
