"""The demo's throwaway redis-server: it answers inside the block, is gone after, fails clearly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import redis

from day17.server import NoRedis, throwaway_redis

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server not installed"
)


@needs_redis_server
@pytest.mark.redis
def test_the_throwaway_server_answers_inside_the_block_and_is_stopped_after() -> None:
    with throwaway_redis() as url:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        assert url.startswith("redis://127.0.0.1:")
        assert client.ping() is True
        assert client.config_get("save") == {"save": ""}  # nothing is written to disk
        client.close()

    after = redis.Redis.from_url(url, socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        after.ping()
    after.close()


def test_a_missing_binary_says_what_the_demo_needs() -> None:
    needs = r"needs a Redis: set REDIS_URL=redis://HOST:PORT/DB, or"
    with pytest.raises(NoRedis, match=needs), throwaway_redis("no-such-redis-server-here"):
        pass


def test_a_server_that_exits_at_once_is_reported_with_its_status() -> None:
    exited = r"^redis-server exited with status 1 at start$"
    with pytest.raises(NoRedis, match=exited), throwaway_redis("false"):
        pass


def test_a_server_that_never_answers_is_given_up_on_and_stopped(tmp_path: Path) -> None:
    silent = tmp_path / "silent-server"
    pid_file = tmp_path / "pid"
    silent.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 30\n")
    silent.chmod(0o755)

    silence = r"^redis-server did not answer within 0.3s$"
    with pytest.raises(NoRedis, match=silence), throwaway_redis(str(silent), start_timeout=0.3):
        pass

    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
