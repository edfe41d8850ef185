"""The three database backends the test suite runs on, as pytest params."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

#: Parametrise a fixture or a test with it to run on each backend (``params=BACKENDS``); the
#: marks let ``-m "not mysql"`` deselect one. The names are what ``make_database`` takes.
BACKENDS = [
    "sqlite",
    pytest.param("mysql", marks=pytest.mark.mysql),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


def backend_of(url: str) -> str:
    """The ``make_database`` name (sqlite, mysql or postgres) of a database URL."""
    name = sa.make_url(url).get_backend_name()
    return "postgres" if name == "postgresql" else name
