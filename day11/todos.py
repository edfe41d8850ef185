"""The Todo resource without a framework: a todo, the rules for its fields, and a store.

The three ways a client can send fields are kept apart, because they mean different things:

- :func:`parse_new` (POST) and :func:`parse_replacement` (PUT) describe a *whole* todo: a field
  left out takes its default (``completed`` false, ``order`` null).
- :func:`parse_changes` (PATCH) describes a *difference*: a field left out stays as it is, a
  field sent as ``null`` is cleared (only where null is allowed: ``order``).

Every parser refuses a body that is not a JSON object, a field it does not know, a read-only
field and a value of the wrong type, all problems at once, each naming the field.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

#: Fields a client may write, in the order error messages list them.
WRITABLE = ("title", "completed", "order")
#: Fields the server owns: sent back in every response, never accepted from a client.
READ_ONLY = ("id", "url")
MAX_TITLE = 200


class InvalidTodo(Exception):
    """A request body the resource refuses; ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(
            "; ".join(f"{field} {msg}" for field, msgs in self.errors.items() for msg in msgs)
        )


@dataclass(frozen=True)
class Todo:
    """A stored todo. ``order`` is ``None`` for a todo with no place in the list yet."""

    id: int
    title: str
    completed: bool = False
    order: int | None = None

    def sort_key(self) -> tuple[bool, int, int]:
        """Ordered todos by ``order`` first, then the unordered ones; ties by id (oldest first)."""
        return (self.order is None, self.order or 0, self.id)


def _check_title(value: Any) -> str | None:
    if value is None:
        return "cannot be null; send a non-empty string"
    if not isinstance(value, str):
        return f"must be a string, got {value!r}"
    if not value.strip():
        return "must not be blank"
    if len(value) > MAX_TITLE:
        return f"must be at most {MAX_TITLE} characters, got {len(value)}"
    return None


def _check_completed(value: Any) -> str | None:
    if value is None:
        return "cannot be null; send true or false"
    if not isinstance(value, bool):
        return f"must be true or false, got {value!r}"
    return None


def _check_order(value: Any) -> str | None:
    # bool is a subclass of int in Python: without this check `true` would be order 1.
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        return f"must be a whole number or null, got {value!r}"
    return None


_CHECKS = {"title": _check_title, "completed": _check_completed, "order": _check_order}


def _json_type(value: Any) -> str:
    """What a parsed JSON value was called in the JSON the client sent."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else "an array"


def _checked(body: Any, *, required: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``body`` after every check; :class:`InvalidTodo` lists all its problems."""
    # practice 1: check every field of a body and refuse it with all its problems at once
    # hint: collect errors per field in a dict (missing required, read-only, unknown, _CHECKS)
    # hint: and raise InvalidTodo only at the end; a body that is not a dict is refused first.
    if not isinstance(body, dict):
        raise InvalidTodo({"body": [f"must be a JSON object, got {_json_type(body)}"]})
    errors: dict[str, list[str]] = {}
    for field in required:
        if field not in body:
            errors[field] = ["is required"]
    for field, value in body.items():
        if field in READ_ONLY:
            errors[field] = ["is read-only; it is set by the server"]
        elif field not in _CHECKS:
            errors[str(field)] = [f"is not a todo field; known fields: {', '.join(WRITABLE)}"]
        elif problem := _CHECKS[field](value):
            errors[field] = [problem]
    if errors:
        raise InvalidTodo(errors)
    if isinstance(body.get("title"), str):
        body = {**body, "title": body["title"].strip()}
    return body
    # end practice 1


def parse_new(body: Any) -> dict[str, Any]:
    """A POST body: ``title`` is required, the rest take their defaults."""
    return {"completed": False, "order": None, **_checked(body, required=("title",))}


def parse_replacement(body: Any) -> dict[str, Any]:
    """A PUT body: the whole todo. A field left out is reset to its default, not kept."""
    return parse_new(body)


def parse_changes(body: Any) -> dict[str, Any]:
    """A PATCH body: only the fields present change; ``{}`` is a valid (empty) change."""
    return _checked(body, required=())


class TodoStore:
    """Todos in memory, safe to share between threads. Ids are never reused."""

    def __init__(self) -> None:
        self._todos: dict[int, Todo] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, fields: Mapping[str, Any]) -> Todo:
        """Store a new todo from parsed fields (see :func:`parse_new`)."""
        with self._lock:
            todo = Todo(id=self._next_id, **fields)
            self._todos[todo.id] = todo
            self._next_id += 1
            return todo

    def get(self, todo_id: int) -> Todo | None:
        """The todo with ``todo_id``, or ``None``."""
        return self._todos.get(todo_id)

    def all(self) -> list[Todo]:
        """Every todo, by ``order`` (unordered last), then by id."""
        with self._lock:
            return sorted(self._todos.values(), key=Todo.sort_key)

    def replace(self, todo_id: int, fields: Mapping[str, Any]) -> Todo | None:
        """Put a whole new todo under ``todo_id``; ``None`` if there is none."""
        with self._lock:
            if todo_id not in self._todos:
                return None
            todo = Todo(id=todo_id, **fields)
            self._todos[todo_id] = todo
            return todo

    def change(self, todo_id: int, changes: Mapping[str, Any]) -> Todo | None:
        """Apply a partial update (see :func:`parse_changes`); ``None`` if there is no todo."""
        with self._lock:
            current = self._todos.get(todo_id)
            if current is None:
                return None
            todo = replace(current, **changes)
            self._todos[todo_id] = todo
            return todo

    def delete(self, todo_id: int) -> bool:
        """Remove one todo; whether it was there."""
        with self._lock:
            return self._todos.pop(todo_id, None) is not None

    def clear(self) -> None:
        """Remove every todo (ids keep counting up)."""
        with self._lock:
            self._todos.clear()
