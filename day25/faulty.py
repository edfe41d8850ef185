"""The real Todo API with one planted fault, to show that the checks catch what they claim to.

``create_app("stale-list")`` answers every ``GET /todos`` after the first with that first body,
as a cache that is never invalidated would. ``create_app("lost-writes")`` answers every fifth
``POST /todos`` with a plausible 201 without storing anything, as a write lost after the answer
would look from outside. Serve either with gunicorn like the real one:
``'day25.faulty:create_app("stale-list")'``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from projects.todo_api import create_app as create_todo_app

FAULTS = ("stale-list", "lost-writes")
#: Every how many POSTs ``lost-writes`` drops one.
LOSE_EVERY = 5

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def create_app(fault: str) -> WSGIApp:
    """The Todo API (settings from the environment, as usual) with ``fault`` planted."""
    if fault not in FAULTS:
        raise ValueError(f"no such fault {fault!r}; choose one of {', '.join(FAULTS)}")
    app = create_todo_app()
    return StaleList(app) if fault == "stale-list" else LostWrites(app)


def is_list(environ: dict[str, Any], method: str) -> bool:
    return environ["REQUEST_METHOD"] == method and environ.get("PATH_INFO") == "/todos"


class StaleList:
    """Keeps the first ``GET /todos`` answer forever."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.first: bytes | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not is_list(environ, "GET"):
            return self.app(environ, start_response)
        if self.first is None:
            captured: list[Any] = []

            def keep(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                captured.append(status)
                return start_response(status, headers, *rest)

            body = b"".join(self.app(environ, keep))
            if captured and captured[0].startswith("200"):
                self.first = body
            return [body]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [self.first]


class LostWrites:
    """Answers every fifth ``POST /todos`` with a 201 and stores nothing."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if is_list(environ, "POST"):
            with self.lock:
                self.count += 1
                lose = self.count % LOSE_EVERY == 0
            if lose:
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                body = json.dumps({"id": 0, "title": "lost", "completed": False, "order": None})
                start_response("201 Created", [("Content-Type", "application/json")])
                return [body.encode()]
        return self.app(environ, start_response)
