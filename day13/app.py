"""The day 13 app: liveness and readiness endpoints, and a slow route to watch gunicorn work.

``create_app()`` reads ``DAY13_DATABASE_URL`` (the database ``/readyz`` checks; an in-memory
SQLite if unset) and ``DAY13_CHECK_TIMEOUT`` (seconds, 1 by default).

- ``GET /healthz``: 200 ``{"status": "ok", "pid": …}``, no I/O at all.
- ``GET /readyz``: 200 when the database answers ``SELECT 1`` in time, else 503 with the
  failing check named and its error.
- ``GET /work?seconds=S``: sleeps S seconds (0 to 10), then answers with the worker's pid;
  it stands for a slow request when watching timeouts and graceful shutdown.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask, jsonify, request

from day13.probes import CHECK_TIMEOUT, database_check, probe_engine, readiness, run_checks
from shared.config import ConfigError

MAX_WORK_SECONDS = 10.0
log = logging.getLogger("day13")


def _timeout(text: str | None) -> float:
    if text is None:
        return CHECK_TIMEOUT
    # practice 1: read the timeout, refusing anything but seconds from 0 (excluded) to 30
    # hint: float() raises ValueError on "soon"; treat that like a value out of range.
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 30:
        raise ConfigError(
            f"DAY13_CHECK_TIMEOUT must be a number of seconds from 0 to 30, got {text!r}"
        )
    return value
    # end practice 1


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``overrides`` may set ``DATABASE_URL`` and ``CHECK_TIMEOUT``."""
    settings = {
        "DATABASE_URL": os.environ.get("DAY13_DATABASE_URL", "sqlite://"),
        "CHECK_TIMEOUT": _timeout(os.environ.get("DAY13_CHECK_TIMEOUT")),
        **(overrides or {}),
    }
    app = Flask(__name__)
    app.config.update(settings)
    engine = probe_engine(settings["DATABASE_URL"], settings["CHECK_TIMEOUT"], "DAY13_DATABASE_URL")
    checks = {"database": database_check(engine)}
    if not log.handlers:
        # Where gunicorn's error log goes (stderr), so the start of a slow request is visible.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[day13] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok", pid=os.getpid())

    @app.get("/readyz")
    def readyz() -> Any:
        status, body = readiness(run_checks(checks))
        return jsonify(body), status

    @app.get("/work")
    def work() -> Any:
        text = request.args.get("seconds", "0")
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= MAX_WORK_SECONDS:
            message = f"seconds must be a number from 0 to {MAX_WORK_SECONDS:g}, got {text!r}"
            return jsonify(error=message), 400
        log.info("work started pid=%d seconds=%g", os.getpid(), seconds)
        time.sleep(seconds)
        return jsonify(pid=os.getpid(), slept=seconds)

    return app
