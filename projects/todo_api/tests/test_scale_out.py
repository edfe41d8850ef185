"""The Todo API scaled out: two gunicorn instances on one database and one Redis, behind nginx.

Everything goes through a real nginx that spreads requests round-robin over the two instances
(``shared.testing.nginx``; each answer names the instance in ``X-Upstream``), the way
compose.yaml runs two replicas. What must hold once there is more than one process:

- a write through one instance is in the list the other serves at once (the cache in Redis is
  invalidated for every process, never stale);
- the todo urls name the scheme and host the client reached nginx on (HTTPS included), not an
  instance's (ProxyFix, one hop);
- the write budget is one budget, whichever instance a write lands on;
- concurrent writers through the proxy lose nothing and see no 5xx.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import simple_websocket
from requests.adapters import HTTPAdapter
from rq import Queue
from wsproto.events import AcceptConnection, Request

from projects.todo_api.tests.test_live import TODO_APP, todo_environment
from shared.serve import REPO_ROOT, Served, served
from shared.testing.nginx import UPSTREAM_HEADER, Nginx, nginx_binary, nginx_proxy

__all__ = ["nginx_binary"]  # a fixture, imported for this module

pytestmark = [pytest.mark.nginx, pytest.mark.slow, pytest.mark.timeout(60)]

#: A write budget the tests that are not about limits never reach.
UNLIMITED = "100000 per minute"
WRITE_LIMIT = 20
#: Concurrent writers × POSTs each, per backend (SQLite takes its writes one at a time).
LOAD = {"mysql": (16, 25), "sqlite": (8, 10)}
TIMEOUT = 30
#: Threads per gunicorn worker: each open WebSocket holds one.
THREADS = 4


@dataclass
class Cluster:
    """Two instances of the API behind one nginx, and a client that talks to nginx only."""

    backend: str
    nginx: Nginx
    instances: list[Served]
    http: requests.Session
    #: The instances' environment, for a worker on the same database and Redis.
    environment: dict[str, str]

    @property
    def url(self) -> str:
        return self.nginx.url

    def instance_of(self, response: requests.Response) -> int:
        """Which instance (0 or 1) answered ``response``, from nginx's header."""
        return self.instance_at(response.headers[UPSTREAM_HEADER])

    def instance_at(self, address: str) -> int:
        """Which instance (0 or 1) listens at ``address`` (``127.0.0.1:PORT``)."""
        ports = [f"127.0.0.1:{instance.port}" for instance in self.instances]
        assert address in ports, f"{UPSTREAM_HEADER}: {address!r} is neither of {ports}"
        return ports.index(address)


class FromAddress(HTTPAdapter):
    """Connections from one loopback address (127.0.0.2, …): another client, as nginx sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def new_session(client_address: str | None = None) -> requests.Session:
    """A client session, from ``client_address`` if given (else 127.0.0.1)."""
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    if client_address is not None:
        session.mount("http://", FromAddress(client_address))
    return session


@contextmanager
def scaled_out(
    nginx: str, backend: str, database_url: str, redis_url: str, write_limit: str
) -> Iterator[Cluster]:
    """Two instances (2 workers of THREADS threads each) on ``database_url`` and ``redis_url``,
    nginx in front."""
    environment = todo_environment(
        database_url,
        TODO_REDIS_URL=redis_url,
        TODO_TRUSTED_PROXY_HOPS="1",
        TODO_WRITE_RATE_LIMIT=write_limit,
        TODO_LOG_LEVEL="WARNING",
    )
    starting = [
        served(TODO_APP, env=environment, workers=2, threads=THREADS, ready_path="/healthz",
               access_log=False, timeout=60, graceful_timeout=1)
        for _ in range(2)
    ]  # fmt: skip
    with ExitStack() as stack:
        # Started side by side (they take turns at the migration lock), stopped side by side.
        with ThreadPoolExecutor(len(starting)) as pool:
            instances = list(pool.map(stack.enter_context, starting))
        for instance in instances:
            stack.callback(instance.process.terminate)
        proxy = stack.enter_context(nginx_proxy(nginx, [each.port for each in instances]))
        http = stack.enter_context(new_session())
        yield Cluster(backend, proxy, instances, http, environment)


@pytest.fixture(scope="module", params=["mysql", "sqlite"])
def cluster(
    request: pytest.FixtureRequest,
    nginx_binary: str,
    make_database: Callable[[str], str],
    redis_url: str,
) -> Iterator[Cluster]:
    """The scaled-out API on a new MariaDB database, then on an SQLite file."""
    database_url = make_database(request.param)
    with scaled_out(nginx_binary, request.param, database_url, redis_url, UNLIMITED) as running:
        yield running


@pytest.fixture
def empty(cluster: Cluster, redis_client: redis.Redis) -> Cluster:
    """``cluster`` with no todos, and Redis emptied."""
    assert cluster.http.delete(f"{cluster.url}/todos", timeout=TIMEOUT).status_code == 204
    return cluster


def listed(cluster: Cluster) -> tuple[int, list[tuple[int, str, bool]]]:
    """GET /todos through nginx: which instance answered, and (id, title, completed) of each."""
    response = cluster.http.get(f"{cluster.url}/todos", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    rows = [(todo["id"], todo["title"], todo["completed"]) for todo in response.json()]
    return cluster.instance_of(response), rows


def test_nginx_sends_requests_to_each_instance_in_turn(cluster: Cluster) -> None:
    answered = [
        cluster.instance_of(cluster.http.get(f"{cluster.url}/healthz", timeout=TIMEOUT))
        for _ in range(6)
    ]
    assert answered in ([0, 1] * 3, [1, 0] * 3)


def test_a_write_through_one_instance_is_read_through_the_other_at_once(
    empty: Cluster, redis_client: redis.Redis
) -> None:
    cluster = empty
    todos = f"{cluster.url}/todos"
    expected: dict[int, tuple[str, bool]] = {}
    version_before = int(redis_client.get("todo:list:version") or 0)
    writes = 0
    # Each round: a write, the list through the other instance, the list through the first.
    for number in range(60):
        kind = ("post", "patch", "post", "delete")[number % 4]
        if kind == "post":
            response = cluster.http.post(todos, json={"title": f"todo {number}"}, timeout=TIMEOUT)
            assert response.status_code == 201, response.text
            expected[response.json()["id"]] = (response.json()["title"], False)
        elif kind == "patch":
            newest = max(expected)
            change = {"title": f"todo {newest} renamed in round {number}", "completed": True}
            response = cluster.http.patch(f"{todos}/{newest}", json=change, timeout=TIMEOUT)
            assert response.status_code == 200, response.text
            expected[newest] = (change["title"], True)
        else:
            oldest = min(expected)
            response = cluster.http.delete(f"{todos}/{oldest}", timeout=TIMEOUT)
            assert response.status_code == 204, response.text
            del expected[oldest]
        writes += 1
        writer = cluster.instance_of(response)
        want = [(id_, title, done) for id_, (title, done) in sorted(expected.items())]

        reader, rows = listed(cluster)
        assert reader != writer, "nginx sent the read to the instance that wrote"
        assert rows == want, f"round {number} ({kind} on instance {writer}): stale list"
        again, rows = listed(cluster)
        assert again == writer
        assert rows == want, f"round {number} ({kind}): the writer's own list is stale"

    # Every write bumped the shared version, and the lists came from Redis in between.
    assert int(redis_client.get("todo:list:version") or 0) - version_before == writes
    version = int(redis_client.get("todo:list:version") or 0)
    assert redis_client.keys(f"todo:list:v{version}:*"), "the last list was not cached in Redis"


def test_todo_urls_name_the_scheme_and_host_the_client_reached_nginx_on(
    cluster: Cluster, nginx_binary: str
) -> None:
    public = "todo.example:8443"
    # A client cannot claim another scheme or host: nginx sets these headers itself.
    spoofed = {"Host": public, "X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}
    ports = [instance.port for instance in cluster.instances]
    with nginx_proxy(nginx_binary, ports, tls=True) as https:
        verify = str(https.certificate)
        created = cluster.http.post(f"{https.url}/todos", json={"title": "public"},
                                    headers=spoofed, verify=verify, timeout=TIMEOUT)  # fmt: skip
        assert created.status_code == 201, created.text
        todo = created.json()
        assert todo["url"] == f"https://{public}/todos/{todo['id']}"

        # The other instance says the same, and so does the list (cached per public origin).
        by_other = cluster.http.get(f"{https.url}/todos/{todo['id']}", headers={"Host": public},
                                    verify=verify, timeout=TIMEOUT)  # fmt: skip
        assert cluster.instance_of(by_other) != cluster.instance_of(created)
        assert by_other.json()["url"] == todo["url"]
        bodies = [by_other.text]
        for _ in range(2):
            secure = cluster.http.get(f"{https.url}/todos", headers={"Host": public},
                                      verify=verify, timeout=TIMEOUT)  # fmt: skip
            assert todo["url"] in [each["url"] for each in secure.json()]
            plain = cluster.http.get(f"{cluster.url}/todos", timeout=TIMEOUT)
            assert f"{cluster.url}/todos/{todo['id']}" in [each["url"] for each in plain.json()]
            bodies += [secure.text, plain.text]
    instance_origins = [f"127.0.0.1:{port}/" for port in ports]
    assert not [origin for origin in instance_origins if any(origin in b for b in bodies)]


def test_gunicorn_alone_believes_the_forwarded_scheme_from_loopback(tmp_path: Path) -> None:
    # Why the https url above would come out right even without ProxyFix here: gunicorn
    # trusts X-Forwarded-Proto from its forwarded_allow_ips (127.0.0.1 by default). A proxy
    # in another container is not on loopback, so the deploy relies on TODO_TRUSTED_PROXY_HOPS.
    environment = todo_environment(f"sqlite:///{tmp_path / 'todo.db'}", TODO_LOG_LEVEL="WARNING")
    environment["TODO_TRUSTED_PROXY_HOPS"] = "0"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "todo.example"}
    with (
        served(TODO_APP, env=environment, workers=1, ready_path="/healthz", access_log=False,
               graceful_timeout=1) as instance,
        new_session() as http,
    ):  # fmt: skip
        created = http.post(f"{instance.url}/todos", json={"title": "t"}, headers=forwarded,
                            timeout=TIMEOUT)  # fmt: skip
    assert created.json()["url"] == f"https://127.0.0.1:{instance.port}/todos/1"


def test_concurrent_writers_through_nginx_lose_nothing(empty: Cluster) -> None:
    cluster = empty
    writers, each = LOAD[cluster.backend]
    start = threading.Barrier(writers)

    def write(writer: int) -> list[tuple[int, int | None, Any]]:
        with new_session() as http:
            start.wait(timeout=TIMEOUT)
            answers = []
            for number in range(each):
                response = http.post(
                    f"{cluster.url}/todos",
                    json={"title": f"writer {writer} todo {number}"},
                    timeout=TIMEOUT,
                )
                instance = response.headers.get(UPSTREAM_HEADER)
                body = response.json() if response.status_code == 201 else response.text
                answers.append((response.status_code, instance, body))
            return answers

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        answers = [answer for batch in pool.map(write, range(writers)) for answer in batch]
    elapsed = time.monotonic() - began

    statuses = Counter(status for status, _, _ in answers)
    failures = [body for status, _, body in answers if status != 201][:3]
    assert statuses == {201: writers * each}, f"{dict(statuses)}; first: {failures}"
    by_instance = Counter(instance for _, instance, _ in answers)
    assert len(by_instance) == 2, f"one instance took every write: {by_instance}"
    response = cluster.http.get(f"{cluster.url}/todos", timeout=TIMEOUT)
    stored = [(todo["id"], todo["title"]) for todo in response.json()]
    assert len(stored) == writers * each
    assert set(stored) == {(body["id"], body["title"]) for _, _, body in answers}
    assert elapsed < 40, f"{writers * each} writes took {elapsed:.1f}s"


@pytest.mark.parametrize("cluster", ["mysql"], indirect=True)
def test_a_purge_asked_for_through_both_instances_runs_once(empty: Cluster, redis_url: str) -> None:
    cluster = empty
    todos = f"{cluster.url}/todos"
    ids = [
        cluster.http.post(todos, json={"title": f"todo {n}"}, timeout=TIMEOUT).json()["id"]
        for n in range(3)
    ]
    for done in ids[:2]:
        patched = cluster.http.patch(f"{todos}/{done}", json={"completed": True}, timeout=TIMEOUT)
        assert patched.status_code == 200, patched.text
    assert len(listed(cluster)[1]) == 3  # and now cached in Redis

    asked = [
        cluster.http.post(f"{todos}/purge", json={"older_than_days": 0}, timeout=TIMEOUT)
        for _ in range(2)
    ]
    assert [answer.status_code for answer in asked] == [202, 200], [a.text for a in asked]
    assert {cluster.instance_of(answer) for answer in asked} == {0, 1}
    job_id = asked[0].json()["id"]
    assert asked[1].json()["id"] == job_id

    worker = subprocess.run(
        [sys.executable, "-m", "projects.todo_api.worker", "--burst"],
        env={**cluster.environment, "TODO_LOG_LEVEL": "WARNING"},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]

    queue = Queue("todo", connection=redis.Redis.from_url(redis_url))
    assert queue.count == 0
    assert queue.finished_job_registry.get_job_ids() == [job_id]
    job = cluster.http.get(f"{cluster.url}/jobs/{job_id}", timeout=TIMEOUT).json()
    assert (job["status"], job["result"]) == ("finished", 2)
    # The worker's delete reached both instances' list at once.
    for _ in range(2):
        assert [row[0] for row in listed(cluster)[1]] == [ids[2]]


class Watcher(simple_websocket.Client):
    """A WebSocket client that keeps nginx's ``X-Upstream`` from the handshake's 101.

    simple-websocket's own handshake drops the response's headers, sends ``Host`` without the
    port (the server builds urls from it) and leaves a message that came with the 101 unread
    until more data arrives; this one does none of that.
    """

    upstream = ""

    def handshake(self) -> None:
        self.host = f"{self.host}:{self.port}"
        self.sock.send(self.ws.send(Request(host=self.host, target=self.path)))
        event = None
        while event is None:
            self.ws.receive_data(self.sock.recv(self.receive_bytes))
            event = next(self.ws.events(), None)
        if not isinstance(event, AcceptConnection):
            raise ConnectionError(getattr(event, "status_code", 400))
        headers = {name.decode().lower(): value.decode() for name, value in event.extra_headers}
        self.upstream = headers.get(UPSTREAM_HEADER.lower(), "")
        self._handle_events()  # a message that came with the 101
        self.connected = True

    def receive_json(self) -> dict[str, Any]:
        text = self.receive(timeout=5)
        assert text is not None, "no message within 5 s"
        return dict(json.loads(text))


@pytest.mark.parametrize("cluster", ["mysql"], indirect=True)
def test_a_client_connected_through_nginx_gets_the_writes_the_other_instance_takes(
    empty: Cluster,
) -> None:
    cluster = empty
    todos = f"{cluster.url}/todos"
    watcher = Watcher.connect(cluster.url.replace("http://", "ws://", 1) + "/todos/live")
    try:
        assert watcher.receive_json() == {"type": "hello", "todos": todos}
        watching = cluster.instance_at(watcher.upstream)
        created = cluster.http.post(todos, json={"title": "pushed"}, timeout=TIMEOUT)
        url = created.json()["url"]
        patched = cluster.http.patch(url, json={"completed": True}, timeout=TIMEOUT)
        removed = cluster.http.delete(url, timeout=TIMEOUT)
        writers = [cluster.instance_of(answer) for answer in (created, patched, removed)]
        assert writers[0] != watching, "the first write after the upgrade went to the same one"
        events = [watcher.receive_json() for _ in range(3)]
    finally:
        if watcher.connected:
            watcher.close()
    assert events == [
        {"type": "created", "todo": created.json()},
        {"type": "updated", "todo": patched.json()},
        {"type": "deleted", "id": created.json()["id"], "url": url},
    ]
    assert url == f"{todos}/{created.json()['id']}"  # nginx's origin, in the pushes too


# --- the write budget, shared by both instances ------------------------------------------------


@pytest.fixture(scope="module")
def limited(
    nginx_binary: str, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[Cluster]:
    """The scaled-out API on an SQLite file, allowed WRITE_LIMIT writes a minute per client."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('scale-out') / 'todo.db'}"
    limit = f"{WRITE_LIMIT} per minute"
    with scaled_out(nginx_binary, "sqlite", database_url, redis_url, limit) as running:
        yield running


def test_the_write_limit_counts_writes_on_both_instances_as_one_budget(
    limited: Cluster, redis_client: redis.Redis
) -> None:
    cluster = limited
    todos = f"{cluster.url}/todos"
    with new_session("127.0.0.2") as client:
        answers = [
            client.post(todos, json={"title": f"t{n}"}, timeout=TIMEOUT)
            for n in range(WRITE_LIMIT + 10)
        ]
        # Another X-Forwarded-For is no way round it: nginx appends the real address.
        spoof = {"X-Forwarded-For": "127.0.0.9"}
        spoofed = client.post(todos, json={"title": "spoofed"}, headers=spoof, timeout=TIMEOUT)
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * WRITE_LIMIT + [429] * 10
    accepted = Counter(cluster.instance_of(answer) for answer in answers[:WRITE_LIMIT])
    refused = Counter(cluster.instance_of(answer) for answer in answers[WRITE_LIMIT:])
    assert accepted == {0: WRITE_LIMIT // 2, 1: WRITE_LIMIT // 2}
    assert refused == {0: 5, 1: 5}
    for answer in [*answers[WRITE_LIMIT:], spoofed]:
        assert answer.status_code == 429
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert 0 < int(answer.headers["Retry-After"]) <= 60
        assert answer.headers["X-RateLimit-Limit"] == str(WRITE_LIMIT)
        assert answer.headers["X-RateLimit-Remaining"] == "0"

    # The budget is per client: the forwarded address (ProxyFix), not nginx's own.
    with new_session("127.0.0.3") as other:
        assert other.post(todos, json={"title": "other"}, timeout=TIMEOUT).status_code == 201
    stored = cluster.http.get(todos, timeout=TIMEOUT).json()
    titles = [f"t{n}" for n in range(WRITE_LIMIT)] + ["other"]
    assert sorted(todo["title"] for todo in stored) == sorted(titles)
