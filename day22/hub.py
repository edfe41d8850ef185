"""One process's WebSocket clients, fed from a Redis channel that every process shares.

A change is published once to ``{namespace}:events``. Each server process subscribes to that
channel and pushes every message to the clients connected to it, so a change posted through
one process reaches the clients of all of them. Who is connected is also kept in the Redis hash
``{namespace}:clients`` (client id -> server name), so any process, or a test, can see it.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.client import PubSub
from simple_websocket import ConnectionClosed

#: How long a new subscription may take to be confirmed by Redis.
SUBSCRIBE_TIMEOUT = 5.0


def encode(message: dict[str, Any]) -> str:
    """A message as the JSON text sent on the wire; every message has a ``type``."""
    if not isinstance(message.get("type"), str):
        raise ValueError(f"a message needs a string 'type', got {message!r}")
    return json.dumps(message, separators=(",", ":"), sort_keys=True)


@dataclass
class Client:
    """A connected WebSocket; sends are serialised, as two threads may push to it at once."""

    id: str
    ws: Any
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, text: str) -> bool:
        """Send ``text``; False if the connection is gone."""
        with self.lock:
            try:
                self.ws.send(text)
            except (ConnectionClosed, OSError):
                return False
        return True


class Hub:
    """The clients of this process and its subscription to the shared channel."""

    def __init__(self, client: redis.Redis, namespace: str, server: str) -> None:
        self.redis = client
        self.namespace = namespace
        self.server = server
        self.channel = f"{namespace}:events"
        self.registry = f"{namespace}:clients"
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()
        self._pubsub: PubSub | None = None
        self._listener: threading.Thread | None = None
        self._pid: int | None = None

    def publish(self, message: dict[str, Any]) -> int:
        """Publish ``message`` to every process; return how many processes got it."""
        return int(self.redis.publish(self.channel, encode(message)))

    def join(self, ws: Any) -> Client:
        """Register a new connection here and in Redis; the subscription is live on return."""
        self._listen()
        client = Client(uuid.uuid4().hex[:12], ws)
        with self._lock:
            self._clients[client.id] = client
        self.redis.hset(self.registry, client.id, self.server)
        return client

    def leave(self, client: Client) -> None:
        """Forget ``client`` (it closed, or a send to it failed)."""
        with self._lock:
            self._clients.pop(client.id, None)
        self.redis.hdel(self.registry, client.id)

    def local_clients(self) -> list[str]:
        """The ids of the clients connected to this process."""
        with self._lock:
            return sorted(self._clients)

    def deliver(self, text: str) -> int:
        """Push ``text`` to every local client; drop those that are gone; return how many got it."""
        # practice 1: push a message to every client of this process and drop the ones gone
        # hint: copy the clients under the lock, send outside it (a send can be slow); a client
        # hint: whose send fails leaves, here and in the Redis registry.
        with self._lock:
            clients = list(self._clients.values())
        delivered = 0
        for client in clients:
            if client.send(text):
                delivered += 1
            else:
                self.leave(client)
        return delivered
        # end practice 1

    def _listen(self) -> None:
        """Subscribe once per process (the app is built before gunicorn forks its workers)."""
        with self._lock:
            if self._pid == os.getpid() and self._listener is not None:
                return
            pubsub = self.redis.pubsub()
            pubsub.subscribe(**{self.channel: self._on_message})
            deadline = time.monotonic() + SUBSCRIBE_TIMEOUT
            while True:
                confirmation = pubsub.get_message(timeout=0.1)
                if confirmation and confirmation["type"] == "subscribe":
                    break
                if time.monotonic() > deadline:
                    pubsub.close()
                    raise TimeoutError(f"Redis did not confirm SUBSCRIBE {self.channel}")
            self._pubsub, self._pid = pubsub, os.getpid()
            self._listener = pubsub.run_in_thread(sleep_time=0.5, daemon=True)

    def _on_message(self, message: dict[str, Any]) -> None:
        data = message["data"]
        self.deliver(data.decode() if isinstance(data, bytes) else data)
