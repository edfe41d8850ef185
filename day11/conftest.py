"""Day 11 fixtures: a fresh Todo app and its test client for every test."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from day11.app import create_app

FRONT_END = "http://localhost:5173"


@pytest.fixture
def app() -> Flask:
    """A Todo app with an empty store that allows CORS from the front end's origin only."""
    return create_app({"CORS_ORIGINS": [FRONT_END], "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
