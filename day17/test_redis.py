"""What the lesson says Redis itself does, checked on the real server through redis-py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis


@pytest.fixture
def observer(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


def test_commands_queued_after_multi_are_invisible_to_other_clients_until_exec(
    redis_url: str, redis_client: redis.Redis, observer: redis.Redis
) -> None:
    redis_client.zadd("board", {"ada": 120, "alan": 80})
    # A bare connection, so MULTI and each queued command reach the server before EXEC does.
    pool = redis.ConnectionPool.from_url(redis_url, decode_responses=True)
    writer = pool.get_connection()

    def send(*command: object) -> object:
        writer.send_command(*command)
        return writer.read_response()

    assert send("MULTI") == "OK"
    assert send("ZINCRBY", "board", -30, "ada") == "QUEUED"
    halfway = observer.zmscore("board", ["ada", "alan"])
    assert send("ZINCRBY", "board", 30, "alan") == "QUEUED"
    before_exec = observer.zmscore("board", ["ada", "alan"])
    assert send("EXEC") == ["90", "110"]

    assert halfway == before_exec == [120.0, 80.0]
    assert observer.zmscore("board", ["ada", "alan"]) == [90.0, 110.0]
    pool.release(writer)
    pool.disconnect()


def test_without_multi_another_client_sees_the_half_done_transfer(
    redis_client: redis.Redis, observer: redis.Redis
) -> None:
    redis_client.zadd("board", {"ada": 120, "alan": 80})

    redis_client.zincrby("board", -30, "ada")
    halfway = observer.zmscore("board", ["ada", "alan"])
    redis_client.zincrby("board", 30, "alan")

    assert halfway == [90.0, 80.0]  # 30 points have vanished, for a moment


def test_a_failing_command_inside_multi_does_not_undo_the_others(
    redis_client: redis.Redis,
) -> None:
    # MULTI/EXEC is all-or-nothing about *running*, not about succeeding: there is no rollback.
    redis_client.set("text", "abc")
    with redis_client.pipeline(transaction=True) as pipe:
        pipe.incr("counter")
        pipe.incr("text")
        pipe.incr("counter")
        results = pipe.execute(raise_on_error=False)

    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], redis.ResponseError)
    assert redis_client.get("counter") == "2"


def test_redis_refuses_a_nan_score_but_stores_infinity(redis_client: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        redis_client.zadd("board", {"ada": float("nan")})

    redis_client.zadd("board", {"ada": float("inf"), "alan": 1e308})
    assert redis_client.zscore("board", "ada") == float("inf")
    assert redis_client.zrevrange("board", 0, 0) == ["ada"]


def test_expire_nx_sets_a_ttl_only_when_there_is_none(redis_client: redis.Redis) -> None:
    redis_client.set("k", "v")

    assert redis_client.expire("k", 5, nx=True) is True
    assert redis_client.expire("k", 100, nx=True) is False
    assert 0 < redis_client.ttl("k") <= 5


def test_ttl_is_minus_one_without_expiry_and_minus_two_without_key(
    redis_client: redis.Redis,
) -> None:
    redis_client.set("k", "v")

    assert redis_client.ttl("k") == -1
    assert redis_client.ttl("missing") == -2


def test_ttl_rounds_to_the_nearest_second(redis_client: redis.Redis) -> None:
    redis_client.set("k", "v")

    redis_client.pexpire("k", 400)
    assert redis_client.ttl("k") == 0
    assert 0 < redis_client.pttl("k") <= 400

    redis_client.pexpire("k", 1600)
    assert redis_client.ttl("k") == 2


def test_expire_with_zero_deletes_the_key_at_once(redis_client: redis.Redis) -> None:
    redis_client.set("k", "v")

    redis_client.expire("k", 0)

    assert redis_client.exists("k") == 0


def test_a_write_that_replaces_a_string_drops_its_ttl(redis_client: redis.Redis) -> None:
    redis_client.set("k", "v", ex=60)

    redis_client.set("k", "w")

    assert redis_client.ttl("k") == -1


def test_incr_counts_a_missing_key_from_zero_and_refuses_text(
    redis_client: redis.Redis,
) -> None:
    assert redis_client.incr("counter") == 1
    redis_client.set("text", "abc")

    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        redis_client.incr("text")


def test_set_nx_answers_none_when_the_key_exists(redis_client: redis.Redis) -> None:
    assert redis_client.set("lock", "a", nx=True, ex=30) is True
    assert redis_client.set("lock", "b", nx=True, ex=30) is None
    assert redis_client.get("lock") == "a"


def test_hgetall_returns_every_value_as_a_string(redis_client: redis.Redis) -> None:
    redis_client.hset("profile", mapping={"born": 1815, "country": "UK"})

    assert redis_client.hgetall("profile") == {"born": "1815", "country": "UK"}
    assert redis_client.hgetall("missing") == {}


def test_sinter_with_a_missing_key_is_empty(redis_client: redis.Redis) -> None:
    redis_client.sadd("a", "math", "poetry")

    assert redis_client.sinter(["a", "missing"]) == set()


def test_zrevrangebyscore_includes_the_minimum(redis_client: redis.Redis) -> None:
    redis_client.zadd("board", {"a": 3, "b": 2, "c": 2, "d": 1})

    assert redis_client.zrevrangebyscore("board", "+inf", 2) == ["a", "c", "b"]
    assert redis_client.zcount("board", "(2", "+inf") == 1


def test_a_key_of_the_wrong_type_is_refused(redis_client: redis.Redis) -> None:
    redis_client.set("board", "not a sorted set")

    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        redis_client.zadd("board", {"ada": 1})


def test_redis_py_lock_will_not_release_a_lock_someone_else_now_holds(
    redis_client: redis.Redis,
) -> None:
    # The step try_lock leaves out: release only while the token is still yours.
    first = redis_client.lock("job", timeout=30)
    assert first.acquire(blocking=False)
    redis_client.expire("job", 0)  # the first holder's time runs out
    second = redis_client.lock("job", timeout=30)
    assert second.acquire(blocking=False)

    with pytest.raises(redis.exceptions.LockNotOwnedError):
        first.release()

    assert second.owned()
    second.release()


def test_a_redis_py_pipeline_is_multi_exec_unless_told_otherwise(
    redis_client: redis.Redis, sent_commands: Callable[..., list[str]]
) -> None:
    def send(**options: bool) -> None:
        with redis_client.pipeline(**options) as pipe:
            pipe.lpush("k", "a")
            pipe.ltrim("k", 0, 0)
            pipe.execute()

    assert sent_commands(send) == ["MULTI", "LPUSH k a", "LTRIM k 0 0", "EXEC"]
    assert sent_commands(lambda: send(transaction=False)) == ["LPUSH k a", "LTRIM k 0 0"]


def test_exec_fails_when_a_watched_key_changed_after_watch(
    redis_client: redis.Redis, observer: redis.Redis
) -> None:
    redis_client.zadd("board", {"ada": 1})
    with redis_client.pipeline() as pipe:
        pipe.watch("board")
        pipe.zscore("board", "ada")
        observer.zadd("board", {"alan": 2})
        pipe.multi()
        pipe.zadd("board", {"ada": 10})

        with pytest.raises(redis.WatchError):
            pipe.execute()

    assert redis_client.zscore("board", "ada") == 1.0


def test_score_bounds_are_case_insensitive(redis_client: redis.Redis) -> None:
    redis_client.zadd("board", {"a": 3, "b": 2})

    assert redis_client.zcount("board", "(2", "+INF") == redis_client.zcount("board", "(2", "+inf")
    assert redis_client.zrevrangebyscore("board", "+INF", 2) == ["a", "b"]
