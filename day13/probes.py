"""Readiness checks: is each dependency reachable right now, within a short timeout?

Liveness (``/healthz``) asks only "is this process up and answering?", so it does no I/O: a
database outage must not make an orchestrator restart every healthy worker. Readiness
(``/readyz``) asks "should traffic come here?", so it opens a real connection to the database
and runs ``SELECT 1``, with a timeout short enough that a hung database gives a fast 503
rather than a probe that hangs too.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from shared.db import parse_url

#: Seconds a readiness check may take to connect and answer before it counts as failed.
CHECK_TIMEOUT = 1.0


@dataclass(frozen=True)
class CheckResult:
    """One named check: whether it passed, how long it took, and why it failed if it did."""

    name: str
    ok: bool
    duration_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The check as the ``/readyz`` body shows it."""
        body: dict[str, Any] = {"ok": self.ok, "duration_ms": round(self.duration_ms, 1)}
        if self.error is not None:
            body["error"] = self.error
        return body


def probe_engine(url: str, timeout: float = CHECK_TIMEOUT, var: str = "DATABASE_URL") -> Engine:
    """An engine for readiness probes only: a fresh connection per probe, bounded by ``timeout``.

    No pool, so a probe proves the database accepts a new connection now (a pooled connection
    could hide that). An SQLite file is opened read-write but never created: a missing file is
    a failed check, not a new empty database.
    """
    parsed = parse_url(url, var)
    backend = parsed.get_backend_name()
    whole = max(1, round(timeout))
    if backend == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:"):
            return sa.create_engine("sqlite://", poolclass=NullPool)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)

        return sa.create_engine("sqlite://", creator=connect, poolclass=NullPool)
    # practice 3: bound how long a MySQL or PostgreSQL probe may wait for the server
    # hint: each driver has its own connect_args; a server that accepts, then hangs, needs more.
    if backend == "mysql":
        # PyMySQL takes whole seconds; read_timeout bounds a server that accepts and then hangs.
        args = {"connect_timeout": whole, "read_timeout": whole, "write_timeout": whole}
    elif backend == "postgresql":
        args = {"connect_timeout": whole}
    else:
        args = {}
    # end practice 3
    return sa.create_engine(parsed, poolclass=NullPool, connect_args=args)


def database_check(engine: Engine) -> Callable[[], None]:
    """A check that connects through ``engine`` and runs ``SELECT 1``; it raises if it cannot."""

    def check() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1")).scalar_one()

    return check


def run_checks(
    checks: dict[str, Callable[[], None]], clock: Callable[[], float] = time.perf_counter
) -> list[CheckResult]:
    """Run every check (all of them, so the answer names every failing one) and time each."""
    results = []
    for name, check in checks.items():
        start = clock()
        try:
            check()
        except Exception as error:  # a readiness probe reports any failure, it never raises
            message = str(getattr(error, "orig", None) or error).splitlines()[0]
            failure = f"{type(error).__name__}: {message}"
            results.append(CheckResult(name, False, (clock() - start) * 1000, failure))
        else:
            results.append(CheckResult(name, True, (clock() - start) * 1000))
    return results


def readiness(results: list[CheckResult]) -> tuple[int, dict[str, Any]]:
    """The ``/readyz`` status and body: 200 if every check passed, else 503 naming the failures."""
    # practice 2: answer 200 when every check passed, else 503 naming each failing one
    # hint: collect the names of the results that are not ok first; the body lists every check.
    failing = [result.name for result in results if not result.ok]
    body: dict[str, Any] = {
        "status": "not ready" if failing else "ready",
        "checks": {result.name: result.as_json() for result in results},
    }
    if failing:
        body["failing"] = failing
    return (503 if failing else 200), body
    # end practice 2
