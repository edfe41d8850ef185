"""Live updates: every committed change to the todos, pushed to WebSocket clients.

``GET /todos/live`` is a WebSocket (flask-sock). A client first gets ``{"type": "hello",
"todos": URL}`` (from then on it misses no change; ``todos`` is the list to load), then one
message per change, whichever process or worker made it:

- ``{"type": "created" | "updated", "todo": {id, title, completed, order, url}}``
- ``{"type": "deleted", "id": 3, "url": ...}`` and ``{"type": "cleared"}`` (DELETE /todos)
- ``{"type": "reload"}``: the list changed in a way no message itemises (a bulk change, or
  Redis came back after an outage): load ``todos`` again.

Every ``url`` is rendered per connection from that connection's own request (scheme, host,
prefix, forwarded headers), so it is what the same client would get from the HTTP API. The
server only sends; what a client sends is read and ignored. It pings every
:data:`PING_INTERVAL` seconds and drops a client that does not answer.

Fan-out: a change is published once to the Redis channel ``todo:events`` (the prefix the
cache and the limiter use); each server process that has WebSocket clients subscribes with
one thread, started by its first client (after gunicorn has forked it) and confirmed before
that client is greeted, and queues each message for each of its clients. Each client's own
thread sends its queue, so a slow client delays nobody else; one that has taken nothing for
:data:`STALL` seconds while messages wait for it, or falls :data:`OUTBOX_SIZE` behind, is cut
off. Without a Redis URL, a change reaches the clients of the process that made it only.
When Redis goes away, writes still succeed: the change reaches this process's clients, one
line is logged, and the subscriber reconnects with backoff; once it is back, its clients
get ``reload``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, Response, current_app, url_for
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from werkzeug.routing import WebsocketMismatch

from projects.todo_api.schemas import TodoResponse
from shared.errors import BadRequest, problem_details

log = logging.getLogger(__name__)

PATH = "/todos/live"
CHANNEL = "todo:events"
#: Seconds between the server's pings; a client that misses one pong is closed.
PING_INTERVAL = 25
#: Seconds a client may take no message while messages wait for it, before it is cut off.
STALL = 3.0
#: Messages that may wait for one client (a burst larger than this is better sent as reload).
OUTBOX_SIZE = 1000
#: Kernel send buffer of each WebSocket, so a stuck client holds ~100 KB, not megabytes.
SEND_BUFFER = 65536
#: Largest message a client may send (it has nothing to say); more closes the connection.
MAX_CLIENT_MESSAGE = 1024
#: How often an idle connection's thread looks whether its client is still there.
POLL = 0.5
#: How long the first client of a process waits for the subscription to be confirmed.
SUBSCRIBE_WAIT = 2.0
#: Seconds a Redis call may take before it counts as failed.
SOCKET_TIMEOUT = 0.5
#: After a failed publish, seconds before Redis is tried again (meanwhile: this process only).
RETRY_AFTER = 1.0
#: The subscriber's reconnect delays: the first, doubled up to the last.
BACKOFF = (0.1, 5.0)
#: RFC 6455 close code "Try Again Later".
TRY_AGAIN_LATER = 1013

Event = dict[str, Any]

_TODO_FIELDS = TodoResponse(exclude=("url",))


# --- the events ---------------------------------------------------------------------------


def created(todo: Any) -> Event:
    return {"type": "created", "todo": _TODO_FIELDS.dump(todo)}


def updated(todo: Any) -> Event:
    return {"type": "updated", "todo": _TODO_FIELDS.dump(todo)}


def deleted(todo_id: int) -> Event:
    return {"type": "deleted", "id": todo_id}


def cleared() -> Event:
    return {"type": "cleared"}


def reload() -> Event:
    return {"type": "reload"}


def render(event: Event, todo_url: Callable[[int], str]) -> str:
    """``event`` as one client receives it: JSON, with the urls its own request would have."""
    if "todo" in event:
        todo = event["todo"]
        event = {**event, "todo": {**todo, "url": todo_url(todo["id"])}}
    elif "id" in event:
        event = {**event, "url": todo_url(event["id"])}
    return to_json(event)


def to_json(message: Event) -> str:
    """Compact JSON text, non-ASCII kept as it is."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


# --- one process's clients ----------------------------------------------------------------


@dataclass(eq=False)
class Listener:
    """One connected client: its socket and the events queued for it."""

    ws: Any
    outbox: queue.Queue[Event] = field(default_factory=lambda: queue.Queue(OUTBOX_SIZE))
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: Set when the hub cut the client off for falling behind.
    dropped: threading.Event = field(default_factory=threading.Event)
    #: When its thread last sent a message or found nothing to send (monotonic seconds).
    progress: float = field(default_factory=time.monotonic)

    def stalled(self, now: float) -> bool:
        """Whether messages have waited for this client for STALL seconds without a send."""
        return now - self.progress > STALL and not self.outbox.empty()

    def cut(self) -> None:
        """End the connection under its thread, even one blocked in a send."""
        self.dropped.set()
        with suppress(OSError):  # already closed
            self.ws.sock.shutdown(socket.SHUT_RDWR)


class LiveHub:
    """The live clients of this process, and its publisher and subscriber on Redis.

    ``redis_url`` None: in-process fan-out only. ``max_connections`` caps this process's
    clients. The subscriber starts with the first client in each process (``listen``).
    """

    def __init__(
        self,
        redis_url: str | None,
        *,
        max_connections: int,
        channel: str = CHANNEL,
        backoff: tuple[float, float] = BACKOFF,
    ) -> None:
        self.client = None if redis_url is None else connect(redis_url)
        self.max_connections = max_connections
        self.channel = channel
        self.backoff = backoff
        self._listeners: dict[str, Listener] = {}
        self._lock = threading.Lock()
        self._publish_down_until: float | None = None
        self._subscriber: threading.Thread | None = None
        self._subscriber_pid: int | None = None
        self._settled = threading.Event()
        self._subscribed = threading.Event()
        self._stopping = threading.Event()

    # --- publishing, from any process (a web worker, the job worker) ---

    def publish(self, events: Iterable[Event]) -> None:
        """Send ``events`` to the clients of every process; never fails the caller."""
        for event in events:
            if self.client is None or self._publish_resting():
                self.deliver(event)
                continue
            try:
                self.client.publish(self.channel, to_json(event))
            except redis.RedisError as error:
                self._publish_failed(error)
                self.deliver(event)
                continue
            if self._publish_down_until is not None:
                self._publish_down_until = None
                log.info("live updates: Redis answers again; publishing to every process")

    def _publish_resting(self) -> bool:
        until = self._publish_down_until
        return until is not None and time.monotonic() < until

    def _publish_failed(self, error: redis.RedisError) -> None:
        first = self._publish_down_until is None
        self._publish_down_until = time.monotonic() + RETRY_AFTER
        if first:
            # An ERROR, as the limiter's: changes are being lost for every other process's
            # clients (they learn of it only from the reload that follows the outage).
            log.error(
                "live updates: Redis unreachable (%s); changes reach only this process's "
                "clients until it answers again",
                error,
            )

    # --- this process's clients ---

    def join(self, ws: Any) -> Listener | None:
        """Register ``ws`` as a client here; None if this process has its maximum already."""
        with suppress(OSError):
            ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        with self._lock:
            if len(self._listeners) >= self.max_connections:
                return None
            listener = Listener(ws)
            self._listeners[listener.id] = listener
        return listener

    def leave(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.pop(listener.id, None)

    def connections(self) -> int:
        with self._lock:
            return len(self._listeners)

    def deliver(self, event: Event | None) -> None:
        """Queue ``event`` for every client of this process (None: only look for stalled
        clients); cut off those that stopped taking messages or fell too far behind."""
        with self._lock:
            listeners = list(self._listeners.values())
        now = time.monotonic()
        for listener in listeners:
            try:
                if listener.stalled(now):
                    raise queue.Full
                if event is not None:
                    listener.outbox.put_nowait(event)
            except queue.Full:
                self.leave(listener)
                listener.cut()
                log.warning(
                    "live updates: cut off a client that took no message for %gs or fell %d behind",
                    STALL,
                    OUTBOX_SIZE,
                )

    # --- the subscriber: one thread per process, from its first client on ---

    def listen(self) -> None:
        """Make sure this process subscribes (started here after a fork), and wait until its
        first attempt is settled, so a client greeted after this gets every later change."""
        if self.client is None:
            return
        with self._lock:
            if self._subscriber_pid != os.getpid() or not self._subscriber:
                self._settled, self._subscribed = threading.Event(), threading.Event()
                self._subscriber = threading.Thread(
                    target=self._subscribe, name="todo-live-subscriber", daemon=True
                )
                self._subscriber_pid = os.getpid()
                self._subscriber.start()
        self._settled.wait(SUBSCRIBE_WAIT)

    def subscribed(self) -> bool:
        """Whether this process's subscription is confirmed right now."""
        return self._subscribed.is_set()

    def close(self) -> None:
        """Stop the subscriber and close the Redis connections (tests; processes just exit)."""
        self._stopping.set()
        if self._subscriber is not None and self._subscriber_pid == os.getpid():
            self._subscriber.join(SUBSCRIBE_WAIT + SOCKET_TIMEOUT)
        if self.client is not None:
            self.client.close()

    def _subscribe(self) -> None:
        assert self.client is not None
        delay, lost = self.backoff[0], False
        while not self._stopping.is_set():
            pubsub = self.client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                self._await_confirmation(pubsub)
                self._subscribed.set()
                self._settled.set()
                delay = self.backoff[0]
                if lost:
                    lost = False
                    log.info("live updates: subscribed to Redis again; clients told to reload")
                    self.deliver(reload())
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=POLL)
                    if message is not None and message["type"] == "message":
                        self._relay(message["data"])
                    elif message is None:
                        self.deliver(None)  # a quiet moment: cut off stalled clients
            except (redis.RedisError, OSError) as error:
                self._subscribed.clear()
                self._settled.set()
                if not lost:
                    lost = True
                    log.warning(
                        "live updates: no subscription to Redis (%s); other processes' "
                        "changes are not pushed here until it is back (retrying)",
                        error,
                    )
                self._stopping.wait(delay)
                delay = min(delay * 2, self.backoff[1])
            finally:
                with suppress(OSError):
                    pubsub.close()

    def _await_confirmation(self, pubsub: Any) -> None:
        deadline = time.monotonic() + SUBSCRIBE_WAIT
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.1)
            if message is not None and message["type"] == "subscribe":
                return
        raise redis.TimeoutError(f"Redis did not confirm SUBSCRIBE {self.channel}")

    def _relay(self, data: str) -> None:
        try:
            event = json.loads(data)
        except ValueError:
            log.warning("live updates: ignored a message on %s that is not JSON", self.channel)
            return
        if isinstance(event, dict) and isinstance(event.get("type"), str):
            self.deliver(event)


def connect(redis_url: str) -> redis.Redis:
    """A client with short timeouts and no retries of its own: the hub decides when to retry."""
    return redis.Redis.from_url(
        redis_url,
        decode_responses=True,
        socket_connect_timeout=SOCKET_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        retry_on_timeout=False,
        retry=None,
        # A subscription that went quiet because the network did is noticed by a PING.
        health_check_interval=10,
    )


# --- the WebSocket route ------------------------------------------------------------------


def live_hub(app: Flask | None = None) -> LiveHub:
    """The app's :class:`LiveHub`."""
    return (app or current_app).extensions["todo_live"]  # type: ignore[no-any-return]


def publish(*events: Event) -> None:
    """Push ``events`` to every live client (call after the commit)."""
    live_hub().publish(events)


def todo_url(todo_id: int) -> str:
    return url_for("todos.todo", todo_id=todo_id, _external=True)


def live_updates(ws: Any) -> None:
    """One client, from its greeting until it leaves or is cut off (runs in its own thread)."""
    hub = live_hub()
    hub.listen()
    listener = hub.join(ws)
    if listener is None:
        ws.close(
            reason=TRY_AGAIN_LATER,
            message=f"this server has its {hub.max_connections} live clients "
            "(TODO_LIVE_MAX_CONNECTIONS); try again later",
        )
        return
    try:
        list_url = url_for("todos.TodoCollection", _external=True)
        ws.send(to_json({"type": "hello", "todos": list_url}))
        while ws.connected and not listener.dropped.is_set():
            try:
                event = listener.outbox.get(timeout=POLL)
            except queue.Empty:
                event = None
            # Read what the client sent, so it cannot pile up; this endpoint only sends.
            while ws.receive(timeout=0) is not None:
                pass
            if event is not None:
                ws.send(render(event, todo_url))
            listener.progress = time.monotonic()
    except (ConnectionClosed, OSError):
        pass  # the client left, or was cut off
    finally:
        hub.leave(listener)


def not_a_websocket(error: WebsocketMismatch) -> Response:
    """A plain HTTP request to the WebSocket route: a 400 problem saying how to connect."""
    return problem_details(
        BadRequest(f"{PATH} is a WebSocket: connect with a WebSocket client (ws:// or wss://)")
    )


LIVE_DESCRIPTION = f"""
**Live updates** (not describable in OpenAPI): `GET {PATH}` is a WebSocket. It greets with
`{{"type": "hello", "todos": URL}}`, then sends one JSON message per change made through any
server: `created` and `updated` with the `todo`, `deleted` with its `id` and `url`, `cleared`
after `DELETE /todos`, and `reload` when the list must be loaded again. Urls are absolute, as
in the HTTP answers. A server accepts up to TODO_LIVE_MAX_CONNECTIONS clients and closes more
with code 1013.
"""


def init_app(app: Flask, api: Any, redis_url: str | None, max_connections: int) -> LiveHub:
    """Add ``GET /todos/live`` to ``app``, with its hub, and say so in the OpenAPI document."""
    hub = LiveHub(redis_url, max_connections=max_connections)
    app.extensions["todo_live"] = hub
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": PING_INTERVAL,
        "max_message_size": MAX_CLIENT_MESSAGE,
    }
    Sock(app).route(PATH, endpoint="todo_live")(live_updates)
    app.register_error_handler(WebsocketMismatch, not_a_websocket)
    info = api.spec.options.setdefault("info", {})
    info["description"] = (info.get("description", "") + LIVE_DESCRIPTION).strip()
    return hub
