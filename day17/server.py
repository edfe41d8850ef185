"""Which Redis the demo talks to: ``REDIS_URL``, or a throwaway ``redis-server`` it starts."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from shared.serve import free_port, stop

#: How long a throwaway server may take to answer PING.
START_TIMEOUT = 10.0


class NoRedis(Exception):
    """No Redis to use; the message says what the demo needs, in one line."""


@contextmanager
def throwaway_redis(
    binary: str = "redis-server", start_timeout: float = START_TIMEOUT
) -> Iterator[str]:
    """Start ``redis-server`` on 127.0.0.1 on a free port, with nothing saved; yield its URL.

    The server is stopped when the block ends, however it ends, and also when it does not
    answer PING within ``start_timeout`` seconds (NoRedis says which).
    """
    path = shutil.which(binary)
    if path is None:
        raise NoRedis(
            "this demo needs a Redis: set REDIS_URL=redis://HOST:PORT/DB, "
            "or install redis-server (apt-get install redis-server) and it starts its own"
        )
    port = free_port()
    process = subprocess.Popen(
        [path, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for_ping(process, url, start_timeout)
        yield url
    finally:
        stop(process)


def wait_for_ping(
    process: subprocess.Popen[bytes], url: str, timeout: float = START_TIMEOUT
) -> None:
    """Return once the server at ``url`` answers PING; NoRedis if it exits or never does."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise NoRedis(f"redis-server exited with status {process.returncode} at start")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise NoRedis(f"redis-server did not answer within {timeout:g}s") from None
                time.sleep(0.02)
    finally:
        client.close()
