"""The Todo API with its Redis stopped and started again: the contract and every write hold."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from day25.degrade import NoRedisServer, Phase, RedisProcess, degradation_run


def test_a_stopped_redis_refuses_and_comes_back_on_the_same_port(own_redis: RedisProcess) -> None:
    client = own_redis.client()
    client.set("day25:probe", "1")
    own_redis.stop()
    assert not own_redis.running
    with pytest.raises(redis.ConnectionError):
        client.ping()
    own_redis.start()
    assert client.ping() is True
    # Nothing is saved to disk: a restarted Redis is an empty one.
    assert client.get("day25:probe") is None
    client.close()


def test_a_missing_redis_server_is_said_in_one_line() -> None:
    with pytest.raises(NoRedisServer, match=r"^no-such-redis-server is not installed \(apt-get"):
        RedisProcess("no-such-redis-server")


def test_a_port_another_redis_answers_on_is_not_taken_for_ours(own_redis: RedisProcess) -> None:
    clash = RedisProcess(port=own_redis.port)
    with pytest.raises(NoRedisServer, match=f"^port {own_redis.port} is taken by another redis"):
        clash.start()
    assert not clash.running
    client = own_redis.client()
    assert client.ping() is True
    client.close()


def test_the_api_keeps_its_contract_and_every_write_with_redis_up_down_and_back(
    serve_api: Callable[..., str], own_redis: RedisProcess
) -> None:
    url = serve_api(redis_url=own_redis.url)
    seen: list[str] = []
    phases = degradation_run(
        url, own_redis, writers=4, per_writer=5, on_phase=lambda p: seen.append(p.name)
    )
    assert seen == ["Redis up", "Redis stopped", "Redis back on the same port"]
    for phase in phases:
        assert [check.detail for check in phase.contract if not check.ok] == [], phase.name
        assert (phase.load.created, phase.load.stored, phase.load.server_errors) == (20, 20, 0)
    # Cached while Redis is up, bypassed while it is down, cached again with no restart.
    assert [phase.cached for phase in phases] == [True, None, True]
    assert all(isinstance(phase, Phase) and phase.ok for phase in phases)
