"""Test helpers that days and projects share: a SQL statement counter, free ports, live servers.

The pytest fixtures themselves live in :mod:`shared.testing.plugin`, loaded by the root
``conftest.py``; ``BACKENDS`` parametrises a test or fixture over the three databases.
"""

from shared.testing.backends import BACKENDS, backend_of
from shared.testing.helpers import (
    QueryCounter,
    count_queries,
    free_port,
    transactional_session,
    wait_for_port,
)

__all__ = [
    "BACKENDS",
    "QueryCounter",
    "backend_of",
    "count_queries",
    "free_port",
    "transactional_session",
    "wait_for_port",
]
