"""The API in-process on a real Redis: refusals, and what one change publishes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from simple_websocket import ConnectionClosed

from day22.app import answer, create_app, updates
from day22.hub import encode

NAMESPACE = "day22-unit"


@pytest.fixture
def app(redis_url: str, redis_client: redis.Redis) -> Iterator[Flask]:
    app = create_app({"REDIS_URL": redis_url, "NAMESPACE": NAMESPACE, "SERVER": "unit"})
    yield app
    listener = app.extensions["day22.hub"]._listener  # started by the first WebSocket
    if listener is not None:
        listener.stop()
        listener.join(timeout=2)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def published(redis_client: redis.Redis) -> Iterator[Any]:
    """A subscription to the channel; call it to get the next message published, as JSON."""
    pubsub = redis_client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(f"{NAMESPACE}:events")
    assert pubsub.get_message(timeout=2) is None  # the confirmation, ignored

    def next_message(timeout: float = 2.0) -> dict[str, Any] | None:
        message = pubsub.get_message(timeout=timeout)
        return None if message is None else json.loads(message["data"])

    yield next_message
    pubsub.close()


def test_a_created_todo_is_published_once_with_its_type(
    client: FlaskClient, published: Any
) -> None:
    response = client.post("/todos", json={"title": "  buy milk "})
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "title": "buy milk", "done": False}
    assert published() == {"type": "todo.created", "todo": response.get_json(), "via": "unit"}
    assert published(timeout=0.3) is None


@pytest.mark.parametrize("title", ["", "   ", None, 7, "x" * 201])
def test_a_bad_title_is_422_and_publishes_nothing(
    client: FlaskClient, published: Any, title: Any
) -> None:
    response = client.post("/todos", json={"title": title})
    assert response.status_code == 422
    assert response.get_json()["detail"] == (
        f"title must be a text of 1 to 200 characters, got {title!r}"
    )
    assert published(timeout=0.3) is None


@pytest.mark.parametrize("done", ["yes", 1, None])
def test_done_must_be_a_boolean(client: FlaskClient, done: Any) -> None:
    client.post("/todos", json={"title": "a"})
    response = client.patch("/todos/1", json={"done": done})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"done": ["true or false"]}


def test_an_unknown_todo_is_404(client: FlaskClient) -> None:
    assert client.delete("/todos/5").get_json()["detail"] == "no todo 5"


def test_a_body_that_is_not_a_json_object_is_400(client: FlaskClient) -> None:
    response = client.post("/todos", data="[1]", content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_message_without_a_type_is_refused() -> None:
    with pytest.raises(ValueError, match="a message needs a string 'type'"):
        encode({"todo": {}})
    assert encode({"type": "pong"}) == '{"type":"pong"}'


def test_binary_ping_is_answered_too() -> None:
    assert answer(b'{"type": "ping"}') == {"type": "pong"}


class Socket:
    """A stand-in for a WebSocket: it hands out ``incoming``, then is closed by the client."""

    def __init__(self, *incoming: str) -> None:
        self.incoming = list(incoming)
        self.sent: list[dict[str, Any]] = []

    def receive(self) -> str:
        if not self.incoming:
            raise ConnectionClosed()
        return self.incoming.pop(0)

    def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


def test_the_handler_greets_answers_and_leaves_when_the_client_goes(
    app: Flask, redis_client: redis.Redis
) -> None:
    socket = Socket('{"type": "ping"}', "junk")
    with app.app_context(), pytest.raises(ConnectionClosed):
        updates(socket)

    hello, pong, error = socket.sent
    assert (hello["type"], hello["server"]) == ("hello", "unit")
    assert pong == {"type": "pong"}
    assert error == {"type": "error", "detail": 'send JSON, e.g. {"type": "ping"}'}
    assert redis_client.hgetall(f"{NAMESPACE}:clients") == {}


def test_create_app_says_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ValueError, match="day22 needs REDIS_URL"):
        create_app()
