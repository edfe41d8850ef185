"""Day 16 fixtures: an app whose JSON log lines a test can read, and HTTP straight to 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from day16.app import create_app


class Clock:
    """A clock that moves only when told: ``clock.advance(0.25)``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` that is a JSON object, parsed; other lines are skipped."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def app(log_stream: io.StringIO, clock: Clock) -> Flask:
    ids = iter(f"generated-{n}" for n in range(1, 1000))
    return create_app({"LOG_STREAM": log_stream, "CLOCK": clock, "MAKE_REQUEST_ID": ids.__next__})


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A session that goes straight to 127.0.0.1, whatever the proxy variables say."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
