"""Graceful degradation, checked: the API keeps its contract while its Redis is gone.

:class:`RedisProcess` is a ``redis-server`` of our own on a fixed port, so it can be stopped
and started again where the API expects it. :func:`degradation_run` runs the contract and a
round of concurrent writers three times against an API that uses that Redis: with Redis up,
with Redis stopped, and with Redis back on the same port, the API never restarted. Each phase
says whether the list is cached in Redis at its end.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from day25.contract import CheckResult, check_contract, direct_session
from day25.load import LoadReport, run_writers
from shared.serve import free_port, stop

#: How long a started redis-server may take to answer PING.
START_TIMEOUT = 10.0
#: How long the cache may take to come back once Redis does (the API retries once a second).
RETURN_TIMEOUT = 5.0
#: The Todo API's list keys (``todo:list:v{N}:…``), which are there only while it caches.
LIST_KEYS = "todo:list:v*"


class NoRedisServer(RuntimeError):
    """redis-server is not installed, or did not start; the message says which."""


class RedisProcess:
    """A ``redis-server`` on 127.0.0.1 on one port for its whole life, nothing saved to disk."""

    def __init__(self, binary: str = "redis-server", port: int | None = None) -> None:
        path = shutil.which(binary)
        if path is None:
            raise NoRedisServer(
                f"{binary} is not installed (apt-get install redis-server); "
                "the degradation check needs a Redis it may stop and start"
            )
        self.binary = path
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server and return once it answers, as itself (its own process id)."""
        # practice 3: start redis-server and wait until it answers as this very process
        # hint: poll INFO server until it answers; a process that exited, a deadline passed, or
        # hint: a process_id that is not ours (another server on the port) is a NoRedisServer.
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.process.poll() is not None:
                    status = self.process.returncode
                    self.process = None
                    raise NoRedisServer(f"redis-server exited with status {status} at start")
                try:
                    answering = client.info("server")["process_id"]
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise NoRedisServer(
                            f"redis-server did not answer within {timeout:g}s"
                        ) from None
                    time.sleep(0.02)
                    continue
                if answering != self.process.pid:
                    # Another server holds the port; ours will exit, and must not be trusted.
                    self.stop()
                    raise NoRedisServer(
                        f"port {self.port} is taken by another redis-server (pid {answering})"
                    )
                return
        finally:
            client.close()
        # end practice 3

    def stop(self) -> None:
        """Stop the server (its data goes with it); nothing if it is not running."""
        if self.process is not None:
            stop(self.process)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def __enter__(self) -> RedisProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Phase:
    name: str
    contract: list[CheckResult]
    load: LoadReport
    #: Whether the list sat in Redis at the end of the phase (None: Redis is down).
    cached: bool | None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.contract) and self.load.ok


def list_cached(server: RedisProcess, base: str, timeout: float = 0.0) -> bool | None:
    """Whether GET /todos leaves the list in Redis, trying for up to ``timeout`` seconds."""
    if not server.running:
        return None
    client = server.client()
    deadline = time.monotonic() + timeout
    try:
        while True:
            read_list(base)
            if next(client.scan_iter(LIST_KEYS, count=100), None) is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
    finally:
        client.close()


def read_list(base: str) -> None:
    """One GET /todos, the read that fills the cache (its answer is the contract's business)."""
    with direct_session() as http:
        http.get(f"{base.rstrip('/')}/todos", timeout=5)


def degradation_run(
    base: str,
    server: RedisProcess,
    writers: int = 4,
    per_writer: int = 10,
    on_phase: Callable[[Phase], None] | None = None,
) -> list[Phase]:
    """The three phases against the API at ``base``, whose Redis is ``server`` (running)."""

    def phase(name: str, wait: float) -> Phase:
        done = Phase(
            name,
            check_contract(base),
            run_writers(base, writers, per_writer),
            list_cached(server, base, timeout=wait),
        )
        if on_phase is not None:
            on_phase(done)
        return done

    phases = [phase("Redis up", 0.0)]
    server.stop()
    phases.append(phase("Redis stopped", 0.0))
    server.start()
    phases.append(phase("Redis back on the same port", RETURN_TIMEOUT))
    return phases
