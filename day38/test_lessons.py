"""What the lesson says about Redis, redis-py and SQLite, pinned on the locked versions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from projects.notes_ai.memory import ConversationMemory, Turn
from projects.notes_ai.models import Base, Conversation, User
from shared.db import create_engine
from shared.testing.helpers import free_port


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own on 127.0.0.1, so the test may freeze it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    probe = redis.Redis.from_url(url, socket_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        try:
            probe.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not answer PING"
            time.sleep(0.02)
    probe.close()
    try:
        yield url, process
    finally:
        os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def test_redis_py_waits_for_a_frozen_server_without_end_by_default(
    own_redis: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, process = own_redis
    client = redis.Redis.from_url(url)
    client.ping()
    assert client.connection_pool.connection_kwargs.get("socket_timeout") is None
    done: list[Any] = []
    os.kill(process.pid, signal.SIGSTOP)  # the socket stays open; nothing answers
    waiting = threading.Thread(target=lambda: done.append(client.ping()))
    waiting.start()
    waiting.join(timeout=1.5)
    still_waiting = waiting.is_alive()
    os.kill(process.pid, signal.SIGCONT)
    waiting.join(timeout=10)
    assert still_waiting and done == [True]


def test_a_registered_script_is_loaded_again_after_script_flush(
    redis_client: redis.Redis,
) -> None:
    script = redis_client.register_script("return ARGV[1]")
    assert script(args=["one"]) == "one"
    redis_client.script_flush()
    assert redis_client.script_exists(script.sha) == [False]
    assert script(args=["two"]) == "two"  # NOSCRIPT, then loaded and run again
    assert redis_client.script_exists(script.sha) == [True]


def test_a_cached_window_is_one_round_trip_to_redis(
    engine: sa.Engine, redis_url: str, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = ConversationMemory(redis_url, history_tokens=200)
    sent: list[Any] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(command)
        original(self, command, *args, **kwargs)

    with Session(engine) as session:
        user = User(email="one@example.com", password_hash="-")
        session.add(user)
        session.flush()
        conversation = Conversation(user_id=user.id, title="t")
        session.add(conversation)
        session.flush()
        memory.record(session, conversation, "user", "hello", [])
        session.commit()
        memory.context(session, conversation)  # a miss: rebuilt and cached
        stats = redis_client.info("commandstats")
        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
        context = memory.context(session, conversation)
        monkeypatch.undo()
    after = redis_client.info("commandstats")
    assert context.turns == [Turn("user", "hello")]
    assert len(sent) == 1
    # One EVALSHA; the reads and the trim run inside the script, on the server.
    for command in ("evalsha", "lrange"):
        key = f"cmdstat_{command}"
        calls = after[key]["calls"] - stats.get(key, {}).get("calls", 0)
        assert calls == 1, (command, calls)


def test_sqlite_hands_out_the_id_of_a_deleted_last_row_again(engine: sa.Engine) -> None:
    with Session(engine) as session:
        user = User(email="two@example.com", password_hash="-")
        session.add(user)
        session.flush()
        first = Conversation(user_id=user.id, title="first")
        session.add(first)
        session.commit()
        old_id = first.id
        session.delete(first)
        session.commit()
        second = Conversation(user_id=user.id, title="second")
        session.add(second)
        session.commit()
        assert second.id == old_id
