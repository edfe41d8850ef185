"""The Todo resource over HTTP, with CORS for one browser origin.

``create_app(overrides)`` builds it; ``CORS_ORIGINS`` (a list) names the origins a browser may
call it from. Routes (the Todo-Backend shape, under ``/todos``):

- ``GET /todos`` every todo, by ``order`` then id; ``POST /todos`` adds one (201 + ``Location``);
  ``DELETE /todos`` removes them all.
- ``GET``, ``PUT`` (replace), ``PATCH`` (change some fields), ``DELETE`` on ``/todos/<id>``.

Errors are RFC 9457 problem details through ``shared.errors``: 422 lists every bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, request, url_for
from flask_cors import CORS

from day11.todos import InvalidTodo, Todo, TodoStore, parse_changes, parse_new, parse_replacement
from shared.errors import ApiError, NotFound, Unprocessable, register_error_handlers

DEFAULTS: dict[str, Any] = {
    # The front end's dev server; a browser page from anywhere else gets no CORS headers.
    "CORS_ORIGINS": ["http://localhost:5173"],
    # How long a browser may cache a preflight answer, in seconds.
    "CORS_MAX_AGE": 600,
}
#: Media types a PATCH body may have: plain JSON or RFC 7396 JSON Merge Patch.
PATCH_TYPES = ("application/json", "application/merge-patch+json")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """A Todo app with its own empty store; ``overrides`` replace :data:`DEFAULTS`."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(overrides or {})
    app.extensions["todos"] = TodoStore()
    CORS(
        app,
        resources={r"/todos*": {}},
        origins=app.config["CORS_ORIGINS"],
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Content-Type"],
        expose_headers=["Location"],
        max_age=app.config["CORS_MAX_AGE"],
        always_send=False,  # no Origin, no CORS: curl and servers get plain answers
        vary_header=False,  # sent by _vary_on_origin instead, always and once
    )
    app.after_request(_vary_on_origin)
    register_error_handlers(app)
    _routes(app)
    return app


def _vary_on_origin(response: Response) -> Response:
    """Tell caches that a ``/todos`` answer depends on ``Origin``.

    flask-cors leaves ``Vary: Origin`` out when only one origin is allowed, yet the answer still
    differs: the allowed origin gets ``Access-Control-Allow-Origin``, any other origin does not.
    A shared cache could then hand the header-less copy to the allowed origin's page. (With
    flask-cors's own Vary on as well, two origins would get the header twice.)
    """
    # practice 3: say that every /todos answer varies by Origin, once, whatever flask-cors did
    # hint: response.vary is a header set: adding to it twice still sends Origin once.
    if request.path.startswith("/todos"):
        response.vary.add("Origin")
    return response
    # end practice 3


def store() -> TodoStore:
    """The current app's todos."""
    store: TodoStore = current_app.extensions["todos"]
    return store


def render(todo: Todo) -> dict[str, Any]:
    """A todo as JSON, with the URL that addresses it."""
    return {
        "id": todo.id,
        "title": todo.title,
        "completed": todo.completed,
        "order": todo.order,
        "url": url_for("todo", todo_id=todo.id, _external=True),
    }


def json_body(allowed: tuple[str, ...] = ("application/json",)) -> Any:
    """The request's JSON body; 415 for another media type, 400 for malformed JSON."""
    # practice 2: read the JSON body: 415 for another media type, 400 when it is not JSON
    # hint: request.mimetype is the type without its parameters; get_json(silent=True) gives
    # hint: None for malformed JSON and for a body that is the JSON literal null alike.
    if request.mimetype not in allowed:
        raise ApiError(
            f"send the body as {' or '.join(allowed)}, got {request.mimetype or 'no Content-Type'}",
            status=415,
            title="Unsupported Media Type",
        )
    body = request.get_json(silent=True)
    if body is None and request.get_data() != b"null":
        raise ApiError("the body is not valid JSON")
    return body
    # end practice 2


def parsed(parse: Any, body: Any) -> dict[str, Any]:
    """Run a parser from :mod:`day11.todos`; its refusal becomes a 422 naming each field."""
    try:
        fields: dict[str, Any] = parse(body)
    except InvalidTodo as invalid:
        raise Unprocessable("the todo is not valid", errors=invalid.errors) from None
    return fields


def found(todo: Todo | None, todo_id: int) -> Todo:
    """``todo``, or a 404 naming the id."""
    if todo is None:
        raise NotFound(f"there is no todo {todo_id}")
    return todo


def _routes(app: Flask) -> None:
    @app.get("/todos")
    def todos() -> Response:
        return jsonify([render(todo) for todo in store().all()])

    @app.post("/todos")
    def add_todo() -> tuple[Response, int, dict[str, str]]:
        todo = store().add(parsed(parse_new, json_body()))
        body = render(todo)
        return jsonify(body), 201, {"Location": body["url"]}

    @app.delete("/todos")
    def clear_todos() -> tuple[str, int]:
        store().clear()
        return "", 204

    @app.get("/todos/<int:todo_id>")
    def todo(todo_id: int) -> Response:
        return jsonify(render(found(store().get(todo_id), todo_id)))

    @app.put("/todos/<int:todo_id>")
    def replace_todo(todo_id: int) -> Response:
        fields = parsed(parse_replacement, json_body())
        return jsonify(render(found(store().replace(todo_id, fields), todo_id)))

    @app.patch("/todos/<int:todo_id>")
    def change_todo(todo_id: int) -> Response:
        found(store().get(todo_id), todo_id)
        changes = parsed(parse_changes, json_body(PATCH_TYPES))
        return jsonify(render(found(store().change(todo_id, changes), todo_id)))

    @app.delete("/todos/<int:todo_id>")
    def delete_todo(todo_id: int) -> tuple[str, int]:
        if not store().delete(todo_id):
            raise NotFound(f"there is no todo {todo_id}")
        return "", 204
