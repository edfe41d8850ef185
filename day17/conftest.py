"""Day 17 fixtures: see which commands a piece of code sent to the real server (MONITOR)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis


@pytest.fixture
def sent_commands(redis_url: str, redis_client: redis.Redis) -> Iterator[Callable[..., list[str]]]:
    """``sent_commands(action)``: run ``action`` and return the commands the server received
    meanwhile, as MONITOR prints them (``"ZINCRBY board -30 ada"``), in order.

    Two ECHO markers bracket the action, so the list starts and ends exactly around it.
    """
    watcher = redis.Redis.from_url(redis_url, decode_responses=True)

    def sent(action: Callable[[], Any]) -> list[str]:
        start, end = f"start-{uuid.uuid4().hex}", f"end-{uuid.uuid4().hex}"
        seen: list[str] = []
        ready = threading.Event()
        with watcher.monitor() as monitor:

            def listen() -> None:
                for event in monitor.listen():
                    command = event["command"]
                    if command == f"ECHO {start}":
                        ready.set()
                    elif command == f"ECHO {end}":
                        return
                    elif ready.is_set():
                        seen.append(command)

            thread = threading.Thread(target=listen, daemon=True)
            thread.start()
            # MONITOR starts reporting at some point after it is sent: echo until it shows.
            while not ready.wait(0.05):
                redis_client.echo(start)
            action()
            redis_client.echo(end)
            thread.join(timeout=10)
            assert not thread.is_alive(), "MONITOR never reported the end marker"
        return [command for command in seen if not command.startswith(f"ECHO {start}")]

    yield sent
    watcher.close()
