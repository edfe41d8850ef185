"""The day 16 app: a tiny todo reader with request ids, JSON access logs and ``/metrics``.

Overrides (all optional): ``CLOCK`` (seconds, for the latency), ``MAKE_REQUEST_ID`` (new ids),
``LOG_STREAM`` (where the JSON lines go; stdout by default).
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, abort, g, jsonify, request

from day16.observability import install, json_access_logger
from day16.request_id import new_request_id

TODOS = {1: "write the access log", 2: "count requests", 3: "draw the latency histogram"}
MAX_WORK_SECONDS = 5.0


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; see the module docstring for ``overrides``."""
    settings = overrides or {}
    app = Flask(__name__)
    logger = json_access_logger(settings.get("LOG_STREAM"))
    install(
        app,
        logger,
        clock=settings.get("CLOCK", time.perf_counter),
        make_id=settings.get("MAKE_REQUEST_ID", new_request_id),
    )

    @app.get("/todos")
    def todos() -> Any:
        return jsonify([{"id": key, "title": title} for key, title in TODOS.items()])

    @app.get("/todos/<int:todo_id>")
    def todo(todo_id: int) -> Any:
        if todo_id not in TODOS:
            abort(404)
        return jsonify(id=todo_id, title=TODOS[todo_id], request_id=g.request_id)

    @app.get("/work")
    def work() -> Any:
        # Two of these at once keep both sync workers busy: how a test makes both answer.
        text = request.args.get("seconds", "0")
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= MAX_WORK_SECONDS:
            message = f"seconds must be a number from 0 to {MAX_WORK_SECONDS:g}, got {text!r}"
            return jsonify(error=message), 400
        time.sleep(seconds)
        return jsonify(pid=os.getpid())

    return app
