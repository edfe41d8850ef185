"""The Todo-Backend resource: ``/todos`` and ``/todos/{id}`` (https://todobackend.com)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, request
from flask.views import MethodView

from projects.todo_api import live, schemas
from projects.todo_api.extensions import db_session, todo_state
from projects.todo_api.models import Todo
from projects.todo_api.parsing import Blueprint
from shared.errors import NotFound

blp = Blueprint("todos", __name__, description="Todos, as the Todo-Backend spec has them")

# Ids beyond a 32-bit INTEGER cannot exist; asking the database would be an overflow error.
ID_MAX = 2**31 - 1
#: The list order: the client's ``order`` (todos without one last, on every backend), then id.
LIST_ORDER = (Todo.order.is_(None), Todo.order, Todo.id)


def todo_or_404(todo_id: int) -> Todo:
    """The todo with ``todo_id``, or a 404 problem."""
    todo = db_session().get(Todo, todo_id) if todo_id <= ID_MAX else None
    if todo is None:
        raise NotFound(f"there is no todo {todo_id}; GET /todos lists the todos there are")
    return todo


def list_todos() -> Sequence[Todo]:
    """Every todo in the list order, in one SELECT."""
    return db_session().scalars(sa.select(Todo).order_by(*LIST_ORDER)).all()


def list_body() -> str:
    """``GET /todos``'s JSON body, as the response schema and the app's JSON settings make it."""
    return current_app.json.dumps(schemas.TodoResponse(many=True).dump(list_todos()))


def list_changed(*events: live.Event) -> None:
    """After the commit: tell the list cache, then the live clients of every process, what
    changed. With no ``events`` (a bulk change, e.g. a purge) the clients are told to reload."""
    if (cache := todo_state().extensions.cache) is not None:
        cache.invalidate()
    live.publish(*(events or (live.reload(),)))


@blp.route("/todos")
class TodoCollection(MethodView):
    @blp.response(200, schemas.TodoResponse(many=True))
    def get(self) -> Sequence[Todo] | Response:
        """Every todo, by ``order`` (those without one last), then by creation."""
        cache = todo_state().extensions.cache
        if cache is None:
            return list_todos()
        # The urls in the body are this request's scheme, host and prefix: one entry per root.
        body = cache.read(request.url_root, list_body)
        return current_app.response_class(body, mimetype="application/json")

    @blp.arguments(schemas.TodoCreate)
    @blp.response(201, schemas.TodoResponse)
    def post(self, fields: dict[str, Any]) -> Todo:
        """Add a todo; ``completed`` is false and ``order`` null unless given."""
        session = db_session()
        todo = Todo(**fields)
        session.add(todo)
        session.commit()
        list_changed(live.created(todo))
        return todo

    @blp.response(204)
    def delete(self) -> None:
        """Delete every todo."""
        session = db_session()
        session.execute(sa.delete(Todo))
        session.commit()
        list_changed(live.cleared())


@blp.route("/todos/<int:todo_id>", endpoint="todo")
class TodoItem(MethodView):
    @blp.response(200, schemas.TodoResponse)
    @blp.problem_response(404, "No todo has this id")
    def get(self, todo_id: int) -> Todo:
        """One todo."""
        return todo_or_404(todo_id)

    @blp.arguments(schemas.TodoUpdate)
    @blp.response(200, schemas.TodoResponse)
    @blp.problem_response(404, "No todo has this id")
    def patch(self, fields: dict[str, Any], todo_id: int) -> Todo:
        """Change the given fields of a todo, and only those."""
        session = db_session()
        todo = todo_or_404(todo_id)
        for name, value in fields.items():
            setattr(todo, name, value)
        session.commit()
        list_changed(live.updated(todo))
        return todo

    @blp.response(204)
    @blp.problem_response(404, "No todo has this id")
    def delete(self, todo_id: int) -> None:
        """Delete one todo."""
        session = db_session()
        session.delete(todo_or_404(todo_id))
        session.commit()
        list_changed(live.deleted(todo_id))
