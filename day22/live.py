"""Helpers to watch a live server from outside: WebSocket URLs and bounded JSON receives."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from simple_websocket import Client

#: How long any wait for a message or a clean-up lasts before giving up.
WAIT = 5.0


def ws_url(http_url: str) -> str:
    """The WebSocket endpoint of the server at ``http_url``."""
    return http_url.replace("http://", "ws://", 1) + "/ws"


def connect(http_url: str) -> tuple[Client, dict[str, Any]]:
    """Connect to the server's ``/ws`` and return the client with its hello message.

    simple-websocket's client handles only the first event of what it reads during the
    handshake: a hello that arrives in the same read as the 101 response waits in the client
    until more data comes. So the client sends a ping at once, and the pong flushes the hello.
    """
    client = Client.connect(ws_url(http_url))
    try:
        client.send('{"type": "ping"}')
        hello = receive_json(client)
        pong = receive_json(client)
    except BaseException:
        client.close()
        raise
    if hello.get("type") != "hello" or pong != {"type": "pong"}:
        client.close()
        raise AssertionError(f"expected a hello and a pong, got {hello} and {pong}")
    return client, hello


def receive_json(client: Client, timeout: float = WAIT) -> dict[str, Any]:
    """The next message as JSON; AssertionError if none came within ``timeout`` seconds."""
    text = client.receive(timeout=timeout)
    if text is None:
        raise AssertionError(f"no message within {timeout:g}s")
    return json.loads(text)


def nothing_within(client: Client, timeout: float) -> bool:
    """Whether no message arrives within ``timeout`` seconds."""
    return client.receive(timeout=timeout) is None


def eventually(check: Callable[[], bool], timeout: float = WAIT) -> bool:
    """Poll ``check`` every 20 ms until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
