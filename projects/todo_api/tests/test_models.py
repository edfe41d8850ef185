"""Stored todos: timezone-aware UTC timestamps, and ``updated_at`` moves only on a change."""

from __future__ import annotations

from datetime import UTC

from flask import Flask
from flask.testing import FlaskClient

from projects.todo_api.models import Todo


def stored(app: Flask, todo_id: int) -> Todo:
    with app.extensions["todo"].db.session_factory() as session:
        todo = session.get(Todo, todo_id)
        assert todo is not None
        return todo


def test_timestamps_are_utc_and_move_on_a_patch(app: Flask, client: FlaskClient) -> None:
    todo_id = client.post("/todos", json={"title": "x"}).get_json()["id"]
    created = stored(app, todo_id)
    assert created.created_at.tzinfo is UTC and created.updated_at.tzinfo is UTC
    assert created.updated_at == created.created_at
    assert created.completed is False and created.order is None

    client.patch(f"/todos/{todo_id}", json={"completed": True})
    patched = stored(app, todo_id)
    assert patched.created_at == created.created_at
    assert patched.updated_at > created.updated_at
