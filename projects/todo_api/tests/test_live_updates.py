"""GET /todos/live: real WebSocket clients on two gunicorn servers sharing one Redis and one
database. A write through either reaches the clients of both, each with its own urls; a
refused write pushes nothing; a client that stops reading is cut off without slowing the
others; a server caps its clients; and Redis stopped then restarted costs no write, only a
``reload``. Every wait is bounded (5 s for a message).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import simple_websocket
from flask import Flask
from simple_websocket import ConnectionClosed

from projects.todo_api import create_app, live, todos
from projects.todo_api.config import TodoSettings
from projects.todo_api.tests.conftest import settings_for
from projects.todo_api.tests.test_cache import RedisServer
from shared.serve import Served, served

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

APP = "projects.todo_api:create_app()"
#: Threads per gunicorn worker: each open WebSocket holds one.
THREADS = 4
WAIT = 5.0


class Client(simple_websocket.Client):
    """simple-websocket's client, with two fixes to its handshake.

    Upstream sends ``Host`` without the port, and the server builds every url from it: here
    it has the port, as a browser sends it. And upstream takes only the first event (the 101)
    from the read that brings it: a message or a close that arrived with it waits inside the
    client until more data comes (day 22 pins this). Here the rest is handled at once; a
    close that came with the 101 keeps its code and reason, and ``receive`` raises them once
    the reader thread sees the socket end.
    """

    def handshake(self) -> None:
        self.host = f"{self.host}:{self.port}"
        super().handshake()
        self._handle_events()
        self.connected = True


def ws_url(server: Served) -> str:
    return server.url.replace("http://", "ws://", 1) + live.PATH


def receive_json(client: Client, timeout: float = WAIT) -> dict[str, Any]:
    text = client.receive(timeout=timeout)
    if text is None:
        raise AssertionError(f"no message within {timeout:g}s")
    return json.loads(text)


def nothing_within(client: Client, timeout: float) -> bool:
    return client.receive(timeout=timeout) is None


def eventually(check: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def with_url(todo: dict[str, Any], server: Served) -> dict[str, Any]:
    """``todo`` as a client of ``server`` sees it: the url is that server's."""
    return {**todo, "url": f"{server.url}/todos/{todo['id']}"}


@pytest.fixture(scope="module")
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this module's own, which a test stops and starts again."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{Path(tmp_path_factory.mktemp('live')) / 'todo.db'}"


def environment(database: str, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TODO_DATABASE_URL": database,
        "TODO_REDIS_URL": redis_url,
        "TODO_LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass(frozen=True)
class Servers:
    a: Served
    b: Served
    #: One worker of THREADS threads, at most two live clients.
    single: Served
    #: One worker, no Redis, a database of its own.
    alone: Served


@pytest.fixture(scope="module")
def servers(
    database: str, own_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    """Three gunicorn servers (gthread) on the same database and Redis (A migrates first),
    and one on a database of its own without Redis."""
    options: dict[str, Any] = {"threads": THREADS, "ready_path": "/healthz", "access_log": False}
    later = {"TODO_AUTO_MIGRATE": "false"}
    with ExitStack() as stack:
        a = stack.enter_context(served(APP, env=environment(database, own_redis.url), **options))
        b = stack.enter_context(
            served(APP, env=environment(database, own_redis.url, **later), **options)
        )
        capped = environment(database, own_redis.url, **later, TODO_LIVE_MAX_CONNECTIONS="2")
        single = stack.enter_context(served(APP, env=capped, workers=1, **options))
        own = f"sqlite:///{Path(tmp_path_factory.mktemp('alone')) / 'todo.db'}"
        alone = stack.enter_context(served(APP, env=environment(own, ""), workers=1, **options))
        yield Servers(a, b, single, alone)
        # Stop them all at once rather than one after the other.
        for server in (a, b, single, alone):
            server.process.terminate()


@pytest.fixture
def server_a(servers: Servers) -> Served:
    return servers.a


@pytest.fixture
def server_b(servers: Servers) -> Served:
    return servers.b


@pytest.fixture
def single(servers: Servers) -> Served:
    return servers.single


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    yield session
    session.close()


@pytest.fixture
def connect() -> Iterator[Callable[[Served], tuple[Client, dict[str, Any]]]]:
    """``connect(server)``: a client greeted by ``server``, closed when the test ends.

    Refused with 1013 (a server at its cap, whose last test's clients are still leaving),
    it tries again, as a client is told to, for up to WAIT seconds."""
    opened: list[Client] = []

    def open_one(server: Served) -> tuple[Client, dict[str, Any]]:
        deadline = time.monotonic() + WAIT
        while True:
            client = Client.connect(ws_url(server))
            opened.append(client)
            try:
                hello = receive_json(client)
                break
            except ConnectionClosed as closed:
                if closed.reason != live.TRY_AGAIN_LATER or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert hello == {"type": "hello", "todos": f"{server.url}/todos"}
        return client, hello

    yield open_one
    for client in opened:
        if client.connected:  # close() on a closed client raises ConnectionClosed
            client.close()


def post(http: requests.Session, server: Served, title: str) -> dict[str, Any]:
    response = http.post(f"{server.url}/todos", json={"title": title}, timeout=WAIT)
    assert response.status_code == 201, response.text
    return response.json()


# --- fan-out across processes ---------------------------------------------------------------


def test_a_todo_created_through_a_reaches_clients_of_a_and_b_each_with_its_own_url(
    server_a: Served, server_b: Served, connect: Callable[..., Any], http: requests.Session
) -> None:
    on_a, _ = connect(server_a)
    on_b, _ = connect(server_b)
    todo = post(http, server_a, "buy milk")
    assert todo["url"] == f"{server_a.url}/todos/{todo['id']}"
    assert receive_json(on_a) == {"type": "created", "todo": todo}
    assert receive_json(on_b) == {"type": "created", "todo": with_url(todo, server_b)}


def test_patch_delete_and_clear_are_pushed_in_order_to_every_client(
    server_a: Served, server_b: Served, connect: Callable[..., Any], http: requests.Session
) -> None:
    watchers = [(connect(server)[0], server) for server in (server_a, server_b, server_b)]
    todo = post(http, server_b, "ship")
    patched = http.patch(todo["url"], json={"completed": True, "order": 2}, timeout=WAIT)
    assert patched.status_code == 200
    assert http.delete(f"{server_a.url}/todos/{todo['id']}", timeout=WAIT).status_code == 204
    assert http.delete(f"{server_b.url}/todos", timeout=WAIT).status_code == 204
    for watcher, server in watchers:
        mine = with_url(todo, server)
        expected = [
            {"type": "created", "todo": mine},
            {"type": "updated", "todo": {**mine, "completed": True, "order": 2}},
            {"type": "deleted", "id": todo["id"], "url": mine["url"]},
            {"type": "cleared"},
        ]
        assert [receive_json(watcher) for _ in expected] == expected


def test_a_client_that_connects_after_a_write_gets_only_later_events(
    server_a: Served, server_b: Served, connect: Callable[..., Any], http: requests.Session
) -> None:
    post(http, server_a, "before")
    late, _ = connect(server_b)
    after = post(http, server_a, "after")
    assert receive_json(late) == {"type": "created", "todo": with_url(after, server_b)}
    assert nothing_within(late, 0.3)


def test_a_refused_write_pushes_nothing(
    server_a: Served, connect: Callable[..., Any], http: requests.Session
) -> None:
    client, _ = connect(server_a)
    root = f"{server_a.url}/todos"
    assert http.post(root, json={"title": " "}, timeout=WAIT).status_code == 422
    assert http.post(root, json={"title": "x", "id": 3}, timeout=WAIT).status_code == 422
    assert http.patch(f"{root}/999999", json={"completed": True}, timeout=WAIT).status_code == 404
    assert http.patch(f"{root}/1", json={"completed": "yes"}, timeout=WAIT).status_code == 422
    assert http.delete(f"{root}/999999", timeout=WAIT).status_code == 404
    assert nothing_within(client, 0.5)


def test_a_change_from_a_process_with_no_request_and_no_clients_reaches_the_servers(
    server_a: Served,
    server_b: Served,
    connect: Callable[..., Any],
    database: str,
    own_redis: RedisServer,
) -> None:
    # As the job worker does: an app of its own, an app context, no request, no WebSocket.
    app: Flask = create_app(settings_for(database, REDIS_URL=own_redis.url, AUTO_MIGRATE=False))
    try:
        on_a, _ = connect(server_a)
        on_b, _ = connect(server_b)
        with app.app_context():
            todos.list_changed(live.deleted(41))
            todos.list_changed()
        for client, server in ((on_a, server_a), (on_b, server_b)):
            deleted = {"type": "deleted", "id": 41, "url": f"{server.url}/todos/41"}
            assert [receive_json(client), receive_json(client)] == [deleted, {"type": "reload"}]
    finally:
        live.live_hub(app).close()
        app.extensions["todo"].db.engine.dispose()


# --- Redis going away and coming back -------------------------------------------------------


def test_with_redis_stopped_writes_succeed_and_after_its_restart_pushes_resume(
    server_a: Served,
    server_b: Served,
    connect: Callable[..., Any],
    http: requests.Session,
    own_redis: RedisServer,
) -> None:
    on_a, _ = connect(server_a)
    on_b, _ = connect(server_b)
    own_redis.stop()
    try:
        for n in range(3):
            post(http, server_a, f"while redis is down {n}")
        assert http.get(f"{server_b.url}/todos", timeout=WAIT).status_code == 200
    finally:
        own_redis.start()
    # Each client's process subscribes again (with backoff) and says what may have been missed;
    # a client of the process that made the change may have had it pushed locally first.
    for client in (on_a, on_b):
        while (message := receive_json(client, timeout=2 * WAIT))["type"] != "reload":
            assert message["type"] == "created", message
    todo = post(http, server_b, "after the restart")
    assert receive_json(on_a) == {"type": "created", "todo": with_url(todo, server_a)}
    assert receive_json(on_b) == {"type": "created", "todo": todo}
    said = server_a.output().count("live updates: Redis unreachable")
    assert 1 <= said <= 2, server_a.output()  # once per worker that tried, not once per write


# --- one server's limits ----------------------------------------------------------------------


def stuck_client(server: Served) -> socket.socket:
    """A WebSocket client that completes the handshake, then never reads again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(
        f"GET {live.PATH} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


CUT_OFF = "live updates: cut off a client"


def closed_by_the_server(sock: socket.socket, timeout: float) -> bool:
    """Whether the server ends the connection within ``timeout`` seconds (reading what it had
    sent, then the end of the stream or a reset)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


def test_a_client_that_stops_reading_is_cut_off_and_does_not_hold_up_the_others(
    single: Served, connect: Callable[..., Any], own_redis: RedisServer
) -> None:
    stuck = stuck_client(single)
    try:
        reader, _ = connect(single)
        # More than the stuck client's socket buffers hold (about 100 KB), published as
        # another process would; each message about 1 KB.
        count = 400
        publisher = redis.Redis.from_url(own_redis.url)
        pipe = publisher.pipeline(transaction=False)
        for n in range(count):
            todo = {"id": n + 1, "title": "x" * 1000, "completed": False, "order": None}
            pipe.publish(live.CHANNEL, json.dumps({"type": "created", "todo": todo}))
        started = time.monotonic()
        pipe.execute()
        publisher.close()
        ids = [receive_json(reader)["todo"]["id"] for _ in range(count)]
        assert ids == list(range(1, count + 1))
        assert time.monotonic() - started < WAIT
        # Cut off once it has taken nothing for STALL seconds with messages waiting (reading
        # from it before then would un-stick it): the server says so, and ends the stream.
        assert eventually(lambda: CUT_OFF in single.output(), timeout=live.STALL + WAIT)
        assert closed_by_the_server(stuck, timeout=WAIT)
    finally:
        stuck.close()


def test_a_client_beyond_the_cap_is_closed_with_1013_and_a_reason(
    single: Served, connect: Callable[..., Any], http: requests.Session
) -> None:
    first, _ = connect(single)
    connect(single)
    refused = Client.connect(ws_url(single))
    with pytest.raises(ConnectionClosed) as closed:
        refused.receive(timeout=WAIT)
    assert closed.value.reason == live.TRY_AGAIN_LATER
    assert "TODO_LIVE_MAX_CONNECTIONS" in closed.value.message
    # The other threads still serve plain requests.
    assert http.get(f"{single.url}/todos", timeout=WAIT).status_code == 200

    first.close()

    def admitted() -> bool:
        client = Client.connect(ws_url(single))
        try:
            return json.loads(client.receive(timeout=WAIT) or "{}").get("type") == "hello"
        except ConnectionClosed:
            return False
        finally:
            if client.connected:
                client.close()

    assert eventually(admitted)


# --- without Redis, and the route itself ------------------------------------------------------


def test_without_redis_a_change_reaches_the_clients_of_the_same_process(
    servers: Servers, connect: Callable[..., Any], http: requests.Session
) -> None:
    client, _ = connect(servers.alone)
    todo = post(http, servers.alone, "no redis")
    assert receive_json(client) == {"type": "created", "todo": todo}


def test_a_plain_get_of_the_live_route_is_a_400_problem_saying_to_use_a_websocket(
    make_app: Callable[..., Flask],
) -> None:
    response = make_app().test_client().get(live.PATH)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == (
        "/todos/live is a WebSocket: connect with a WebSocket client (ws:// or wss://)"
    )


def test_the_live_route_does_not_shadow_a_todo_and_the_openapi_document_describes_it(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app().test_client()
    created = client.post("/todos", json={"title": "live"}).get_json()
    assert client.get(f"/todos/{created['id']}").status_code == 200
    document = client.get("/openapi.json").get_json()
    assert "`GET /todos/live` is a WebSocket" in document["info"]["description"]
    assert live.PATH not in document["paths"]


def test_every_event_renders_the_urls_of_the_connection() -> None:
    def url(todo_id: int) -> str:
        return f"https://todo.example/api/todos/{todo_id}"

    todo = {"id": 7, "title": "t", "completed": False, "order": None}
    assert json.loads(live.render({"type": "created", "todo": todo}, url)) == {
        "type": "created",
        "todo": {**todo, "url": "https://todo.example/api/todos/7"},
    }
    assert json.loads(live.render(live.deleted(7), url)) == {
        "type": "deleted",
        "id": 7,
        "url": "https://todo.example/api/todos/7",
    }
    assert json.loads(live.render(live.cleared(), url)) == {"type": "cleared"}


# --- how the API is served --------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[3]


def web_commands() -> dict[str, str]:
    """The command that serves the API in each place: make todo, the image, Heroku, Render."""
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntodo: $(STAMP)", 1)[1].split("\n\n", 1)[0]
    dockerfile = (REPO_ROOT / "projects/todo_api/Dockerfile").read_text(encoding="utf-8")
    cmd = [line for line in dockerfile.splitlines() if line.startswith("CMD ")][-1]
    procfile = (REPO_ROOT / "Procfile").read_text(encoding="utf-8")
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    render = (REPO_ROOT / "render.yaml").read_text(encoding="utf-8")
    start = next(line for line in render.splitlines() if "startCommand: gunicorn" in line)
    return {"make todo": recipe, "Dockerfile": cmd, "Procfile": web, "render.yaml": start}


@pytest.mark.parametrize("where", ["make todo", "Dockerfile", "Procfile", "render.yaml"])
def test_every_web_command_runs_threads_enough_for_the_live_clients_and_requests(
    where: str,
) -> None:
    command = web_commands()[where]
    threads = re.search(r"--threads (\d+)", command)
    assert threads is not None, f"{where} serves without --threads: {command}"
    cap = TodoSettings.model_fields["live_max_connections"].default
    assert int(threads.group(1)) > cap, f"{where}: {threads.group(0)} leaves no thread beyond {cap}"
    if "gunicorn " in command:
        assert "--worker-class gthread" in command, command
