"""The hub in-process on a real Redis, with stand-in sockets: who gets a message, who is dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from simple_websocket import ConnectionClosed

from day22.hub import Hub

NAMESPACE = "day22-hub"


class Socket:
    """A stand-in for a WebSocket: it keeps what is sent, or fails as a closed one does."""

    def __init__(self, closed: bool = False) -> None:
        self.closed = closed
        self.sent: list[str] = []

    def send(self, text: str) -> None:
        if self.closed:
            raise ConnectionClosed()
        self.sent.append(text)


@pytest.fixture
def hub(redis_client: redis.Redis) -> Iterator[Hub]:
    hub = Hub(redis_client, NAMESPACE, "unit")
    yield hub
    if hub._listener is not None:  # the subscriber thread join() started
        hub._listener.stop()
        hub._listener.join(timeout=2)


def test_deliver_reaches_every_client_and_drops_the_one_gone(
    hub: Hub, redis_client: redis.Redis
) -> None:
    alice, bob, gone = Socket(), Socket(), Socket(closed=True)
    clients = [hub.join(socket) for socket in (alice, bob, gone)]

    assert hub.deliver('{"type":"pong"}') == 2

    assert alice.sent == bob.sent == ['{"type":"pong"}']
    assert hub.local_clients() == sorted(client.id for client in clients[:2])
    assert sorted(redis_client.hkeys(f"{NAMESPACE}:clients")) == hub.local_clients()
