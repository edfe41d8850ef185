"""SIGTERM to the served API's gunicorn master is a graceful stop.

The server is ``shared.serve.served``, the command ``make todo`` runs, with a graceful timeout
of :data:`GRACEFUL_TIMEOUT` seconds, once with gthread workers of 24 threads (what ``make
todo``, the image, the Procfile and Render run) and once with sync workers. The slow requests
are real ones, with no route added for the test: each a ``POST /todos`` whose chunked body the
client sends in two parts, the second only after the signal. Each finishes with its 201 and its
todo stored, no new connection is served once every worker has the signal (one made as the
master logs it may still be answered, in full, by a worker the signal has not reached yet), and
the master exits 0 well within the timeout.

Every worker must have booted before the signal: gunicorn's worker installs its own SIGTERM
handler only then, and a signal that comes earlier reaches the handler it inherited from the
master and is lost (the master then waits out the whole graceful timeout). ``served`` returns
once one worker answers, so the gthread case runs one worker with both requests on its threads,
and the sync case two workers with one request each (a sync worker serves one at a time, so
the second is taken only by the second worker, once it has booted).

What "not served" looks like, as gunicorn 27 does it: the master closes its listening socket
at once, but a worker still busy with requests holds its own copy of it until it exits, so the
kernel still completes a new connection's handshake; nothing reads it, and it is reset when
that worker exits. Once the master is gone the port refuses connections outright.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.serve import Served, served

pytestmark = pytest.mark.timeout(60)

APP = "projects.todo_api:create_app()"
GRACEFUL_TIMEOUT = 5
#: Slow requests in flight when the signal comes.
IN_FLIGHT = 2
#: How long a connection made during the stop is given to be answered (it must not be).
UNANSWERED_FOR = 0.5


def accept_queue(port: int) -> int | None:
    """How many connections wait to be accepted on 127.0.0.1:``port`` (None: nothing listens).

    For a listening socket, ``/proc/net/tcp``'s rx_queue field is its accept queue's length.
    """
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            return int(queues.split(":")[1], 16)
    return None


def answer_to_a_new_request(port: int) -> bytes | None:
    """What a new connection's ``GET /healthz`` gets: the answer's first bytes, or None when
    the connection is refused, reset or left unanswered for :data:`UNANSWERED_FOR` seconds."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=UNANSWERED_FOR) as probe:
            probe.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return probe.recv(64) or None
    except OSError:  # refused, reset, or timed out
        return None


def everything_read(connection: socket.socket) -> bytes:
    """All a connection receives until it is closed; nothing if it is reset first."""
    connection.settimeout(2)
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except ConnectionResetError:
        return b""
    return received


def is_whole_answer(received: bytes) -> bool:
    """Whether ``received`` is a whole HTTP answer: a status line and all its Content-Length."""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    lengths = [
        line.partition(b":")[2] for line in lines if line.lower().startswith(b"content-length:")
    ]
    return lines[0].startswith(b"HTTP/1.") and len(lengths) == 1 and int(lengths[0]) == len(body)


class SlowPost:
    """``POST /todos`` in a thread; the chunked body's second part waits for :meth:`finish`."""

    def __init__(self, port: int, title: str) -> None:
        self.port = port
        self.parts = [b'{"title": "', title.encode() + b'"}']
        self.connected = threading.Event()
        self._rest = threading.Event()
        self.status: int | None = None
        self.body = b""
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> SlowPost:
        self._thread.start()
        assert self.connected.wait(5), "the slow POST did not connect"
        return self

    def finish(self) -> None:
        """Send the rest of the body and wait for the answer."""
        self._rest.set()
        self._thread.join(10)
        assert not self._thread.is_alive(), "the slow POST got no answer"
        if self.error is not None:
            raise self.error

    def _body(self) -> Iterator[bytes]:
        yield self.parts[0]
        self._rest.wait(10)
        yield self.parts[1]

    def _run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.connect()
            self.connected.set()
            headers = {"Content-Type": "application/json"}
            connection.request("POST", "/todos", self._body(), headers, encode_chunked=True)
            response = connection.getresponse()
            self.status, self.body = response.status, response.read()
        except BaseException as error:  # reported by finish()
            self.error = error
        finally:
            connection.close()


def wait_until_accepted(port: int) -> None:
    """Wait until a worker has accepted every connection made so far (the queue is empty)."""
    deadline = time.monotonic() + 5
    while accept_queue(port) != 0:
        assert time.monotonic() < deadline, f"no worker accepted (queue {accept_queue(port)})"
        time.sleep(0.01)


def wait_for_lines(server: Served, *lines: str) -> None:
    """Wait until the server's output holds each of ``lines``."""
    deadline = time.monotonic() + 5
    while not all(line in server.output() for line in lines):
        assert time.monotonic() < deadline, f"not said: {lines}\n{server.output()[-2000:]}"
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("workers", "threads"),
    [pytest.param(1, 24, id="gthread-24-threads"), pytest.param(IN_FLIGHT, 1, id="sync")],
)
def test_sigterm_lets_the_requests_in_flight_finish_then_the_master_exits_0(
    tmp_path: Path, workers: int, threads: int
) -> None:
    database = f"sqlite:///{tmp_path / 'todo.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TODO_", "PROMETHEUS_"))}
    env |= {"TODO_DATABASE_URL": database, "REDIS_URL": ""}
    with served(
        APP,
        env=env,
        workers=workers,
        threads=threads,
        ready_path="/healthz",
        graceful_timeout=GRACEFUL_TIMEOUT,
    ) as server:
        port = server.port
        slow = []
        for n in range(IN_FLIGHT):
            slow.append(SlowPost(port, f"finish me {n}").start())
            wait_until_accepted(port)

        server.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # The master has closed its socket and told the workers; each still holds its copy.
        wait_for_lines(server, "Handling signal: term")
        try:
            late: socket.socket | None = socket.create_connection(("127.0.0.1", port), timeout=5)
            late.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        except ConnectionRefusedError:  # what a gunicorn that closed every copy would do
            late = None
        try:
            assert answer_to_a_new_request(port) is None
            assert server.process.poll() is None, "the master waits for the requests in flight"

            for request in slow:
                request.finish()
                assert request.status == 201, request.body
            try:
                status = server.process.wait(GRACEFUL_TIMEOUT)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the master did not exit:\n{server.output()[-3000:]}")
            took = time.monotonic() - signalled
            assert status == 0, server.output()[-2000:]
            assert took < GRACEFUL_TIMEOUT, f"the master took {took:.2f}s to exit"
            if late is not None:
                # The connection made as the stop began is reset unanswered, or (when a worker
                # took it before the master's SIGTERM reached that worker) answered in full:
                # never cut short.
                leftover = everything_read(late)
                assert leftover == b"" or is_whole_answer(leftover), leftover
        finally:
            if late is not None:
                late.close()
        # With the master and its workers gone the port refuses outright.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        output = server.output()
        assert f"Using worker: {'gthread' if threads > 1 else 'sync'}" in output
        assert output.count("Worker exiting") == workers, output[-2000:]
        assert "Traceback" not in output, output[-2000:]

    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            titles = connection.scalars(sa.text("SELECT title FROM todos ORDER BY title")).all()
    finally:
        engine.dispose()
    assert titles == [f"finish me {n}" for n in range(IN_FLIGHT)]


def test_an_answer_cut_short_is_not_whole() -> None:
    whole = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    assert is_whole_answer(whole)
    assert not is_whole_answer(whole[:-1])
    assert not is_whole_answer(b"HTTP/1.0 200 OK\r\nServer: gunicorn\r\nDate: Thu, 03 Dec")
