"""Live todos: a small JSON API whose every change is pushed to WebSocket clients.

- ``GET /ws`` (WebSocket): first ``{"type": "hello", "client": ID, "server": NAME}``, then one
  message per change anywhere: ``{"type": "todo.created" | "todo.updated" | "todo.deleted",
  "todo": {...}, "via": NAME}``. A client may send ``{"type": "ping"}`` (answered with
  ``pong``); anything else is answered with ``{"type": "error", "detail": ...}``.
- ``POST /todos`` ``{"title": ...}``, ``PATCH /todos/<id>`` ``{"done": true}``,
  ``DELETE /todos/<id>``: change the todos (kept in Redis, shared by every process).
- ``GET /health``: 200, for readiness.

Settings come from ``overrides`` or the environment: ``REDIS_URL`` (required),
``DAY22_NAMESPACE`` (key and channel prefix, default ``day22``), ``DAY22_SERVER`` (this server's
name in messages, default ``server-<pid>``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask, current_app, request
from flask_sock import Sock

from day22.hub import Hub, encode
from shared.errors import BadRequest, NotFound, Unprocessable, register_error_handlers

MAX_TITLE = 200


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The app; one :class:`Hub` per app, subscribing in whichever process serves it."""
    app = Flask(__name__)
    app.config.update(
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        NAMESPACE=os.environ.get("DAY22_NAMESPACE", "day22"),
        SERVER=os.environ.get("DAY22_SERVER", f"server-{os.getpid()}"),
    )
    app.config.update(overrides or {})
    if not app.config["REDIS_URL"]:
        raise ValueError("day22 needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
    app.extensions["day22.hub"] = Hub(client, app.config["NAMESPACE"], app.config["SERVER"])
    register_error_handlers(app)
    app.add_url_rule("/health", view_func=lambda: {"status": "ok"}, endpoint="health")
    app.add_url_rule("/todos", view_func=list_todos, methods=["GET"])
    app.add_url_rule("/todos", view_func=create_todo, methods=["POST"])
    app.add_url_rule("/todos/<int:todo_id>", view_func=update_todo, methods=["PATCH"])
    app.add_url_rule("/todos/<int:todo_id>", view_func=delete_todo, methods=["DELETE"])
    Sock(app).route("/ws")(updates)
    return app


def hub() -> Hub:
    return current_app.extensions["day22.hub"]


def _key() -> str:
    return f"{hub().namespace}:todos"


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('send a JSON object, e.g. {"title": "buy milk"}')
    return body


def load(todo_id: int) -> dict[str, Any]:
    text = hub().redis.hget(_key(), str(todo_id))
    if text is None:
        raise NotFound(f"no todo {todo_id}")
    return json.loads(text)


def save_and_announce(todo: dict[str, Any], kind: str) -> None:
    shared = hub()
    shared.redis.hset(_key(), str(todo["id"]), json.dumps(todo))
    shared.publish({"type": kind, "todo": todo, "via": shared.server})


def list_todos() -> dict[str, Any]:
    todos = [json.loads(text) for text in hub().redis.hvals(_key())]
    return {"todos": sorted(todos, key=lambda todo: todo["id"])}


def create_todo() -> tuple[dict[str, Any], int]:
    title = json_object().get("title")
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE:
        raise Unprocessable(
            f"title must be a text of 1 to {MAX_TITLE} characters, got {title!r}",
            errors={"title": [f"a text of 1 to {MAX_TITLE} characters"]},
        )
    todo_id = int(hub().redis.incr(f"{hub().namespace}:next_id"))
    todo = {"id": todo_id, "title": title.strip(), "done": False}
    save_and_announce(todo, "todo.created")
    return todo, 201


def update_todo(todo_id: int) -> dict[str, Any]:
    done = json_object().get("done")
    if not isinstance(done, bool):
        raise Unprocessable(
            f"done must be true or false, got {done!r}", errors={"done": ["true or false"]}
        )
    todo = load(todo_id) | {"done": done}
    save_and_announce(todo, "todo.updated")
    return todo


def delete_todo(todo_id: int) -> tuple[str, int]:
    todo = load(todo_id)
    shared = hub()
    shared.redis.hdel(_key(), str(todo_id))
    shared.publish({"type": "todo.deleted", "todo": todo, "via": shared.server})
    return "", 204


def updates(ws: Any) -> None:
    """One WebSocket connection: hello, then answer pings until the client goes away."""
    # practice 2: greet a new connection, answer what it sends, and forget it when it goes
    # hint: join the hub first (its subscription is live then), send the hello, loop on
    # hint: ws.receive(); leaving belongs in a finally, as a cut connection ends with an error.
    shared = hub()
    client = shared.join(ws)
    try:
        client.send(encode({"type": "hello", "client": client.id, "server": shared.server}))
        while True:
            text = ws.receive()
            if text is None:
                continue
            client.send(encode(answer(text)))
    finally:
        shared.leave(client)
    # end practice 2


def answer(text: str | bytes) -> dict[str, Any]:
    """The reply to a message a client sent."""
    # practice 3: answer a ping with a pong, and anything else with a typed error
    # hint: text or bytes may not be JSON at all (ValueError), or JSON that is not an object.
    try:
        message = json.loads(text)
    except ValueError:
        return {"type": "error", "detail": 'send JSON, e.g. {"type": "ping"}'}
    if isinstance(message, dict) and message.get("type") == "ping":
        return {"type": "pong"}
    return {"type": "error", "detail": 'the only message a client sends is {"type": "ping"}'}
    # end practice 3
