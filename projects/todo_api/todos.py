"""The Todo-Backend resource: ``/todos`` and ``/todos/{id}`` (https://todobackend.com)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from projects.todo_api import schemas
from projects.todo_api.extensions import db_session
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


@blp.route("/todos")
class TodoCollection(MethodView):
    @blp.response(200, schemas.TodoResponse(many=True))
    def get(self) -> Sequence[Todo]:
        """Every todo, by ``order`` (those without one last), then by creation."""
        return db_session().scalars(sa.select(Todo).order_by(*LIST_ORDER)).all()

    @blp.arguments(schemas.TodoCreate)
    @blp.response(201, schemas.TodoResponse)
    def post(self, fields: dict[str, Any]) -> Todo:
        """Add a todo; ``completed`` is false and ``order`` null unless given."""
        session = db_session()
        todo = Todo(**fields)
        session.add(todo)
        session.commit()
        return todo

    @blp.response(204)
    def delete(self) -> None:
        """Delete every todo."""
        session = db_session()
        session.execute(sa.delete(Todo))
        session.commit()


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
        return todo

    @blp.response(204)
    @blp.problem_response(404, "No todo has this id")
    def delete(self, todo_id: int) -> None:
        """Delete one todo."""
        session = db_session()
        session.delete(todo_or_404(todo_id))
        session.commit()
