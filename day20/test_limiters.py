"""The hand-made limiters on a real Redis, with a clock the test sets: exact counts, the exact
wait, and the fixed window's burst across a boundary."""

from __future__ import annotations

import threading

import pytest
import redis

from day20.limiters import Decision, FixedWindow, InvalidLimit, SlidingLog


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def passed(decisions: list[Decision]) -> int:
    return sum(decision.allowed for decision in decisions)


@pytest.mark.parametrize("limiter_class", [FixedWindow, SlidingLog])
def test_limit_n_lets_n_pass_and_refuses_the_next(
    limiter_class: type[FixedWindow | SlidingLog], redis_client: redis.Redis
) -> None:
    limiter = limiter_class(redis_client, 5, 60, clock=Clock())

    decisions = [limiter.hit("ada") for _ in range(6)]

    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert limiter.hit("grace").allowed, "another key has its own budget"


def test_fixed_window_lets_twice_the_limit_through_across_a_boundary(
    redis_client: redis.Redis,
) -> None:
    clock = Clock(1_000_000.0)  # a multiple of 10: a window starts here
    limiter = FixedWindow(redis_client, 5, 10, clock=clock)

    clock.now = 1_000_009.9
    before = [limiter.hit("ada") for _ in range(5)]
    clock.now = 1_000_010.0
    after = [limiter.hit("ada") for _ in range(6)]

    # Ten requests within 0.1 s, with a limit of 5 per 10 s.
    assert passed(before) + passed(after) == 10
    assert not after[-1].allowed


def test_sliding_log_holds_the_limit_across_the_same_boundary(redis_client: redis.Redis) -> None:
    clock = Clock(1_000_000.0)
    limiter = SlidingLog(redis_client, 5, 10, clock=clock)

    clock.now = 1_000_009.9
    before = [limiter.hit("ada") for _ in range(5)]
    clock.now = 1_000_010.0
    after = [limiter.hit("ada") for _ in range(5)]

    assert passed(before) + passed(after) == 5
    assert after[0].retry_after == pytest.approx(9.9)


def test_fixed_window_retry_after_is_the_end_of_the_window(redis_client: redis.Redis) -> None:
    clock = Clock(1_000_002.5)
    limiter = FixedWindow(redis_client, 1, 10, clock=clock)
    limiter.hit("ada")

    refused = limiter.hit("ada")

    assert refused.retry_after == pytest.approx(7.5)
    assert refused.retry_after_header == "8"
    clock.now = 1_000_010.0
    assert limiter.hit("ada").allowed


def test_sliding_log_retry_after_is_when_the_oldest_request_leaves(
    redis_client: redis.Redis,
) -> None:
    clock = Clock(1_000_000.0)
    limiter = SlidingLog(redis_client, 3, 10, clock=clock)
    for offset in (0.0, 1.0, 2.0):
        clock.now = 1_000_000.0 + offset
        assert limiter.hit("ada").allowed

    clock.now = 1_000_005.0
    refused = limiter.hit("ada")
    assert (refused.allowed, refused.retry_after, refused.retry_after_header) == (False, 5.0, "5")

    clock.now = 1_000_009.999
    assert not limiter.hit("ada").allowed
    clock.now = 1_000_010.0  # the request at 0 is exactly one window old: it no longer counts
    assert limiter.hit("ada").allowed
    assert not limiter.hit("ada").allowed  # the ones at 1 and 2, and the one just now


def test_sliding_log_does_not_log_refused_requests(redis_client: redis.Redis) -> None:
    clock = Clock()
    limiter = SlidingLog(redis_client, 2, 10, clock=clock)
    for _ in range(10):
        limiter.hit("ada")

    assert redis_client.zcard("day20:log:ada") == 2
    assert 0 < redis_client.pttl("day20:log:ada") <= 10_000


def test_fixed_window_counter_expires_after_its_window(redis_client: redis.Redis) -> None:
    limiter = FixedWindow(redis_client, 5, 10, clock=Clock(1_000_000.0))
    limiter.hit("ada")
    limiter.hit("ada")

    assert redis_client.get("day20:fixed:ada:100000") == "2"
    assert 0 < redis_client.ttl("day20:fixed:ada:100000") <= 11


@pytest.mark.parametrize(
    ("limit", "window", "message"),
    [
        (0, 10, "limit must be a whole number of requests >= 1, got 0"),
        (True, 10, "limit must be a whole number of requests >= 1, got True"),
        (2.5, 10, "limit must be a whole number of requests >= 1, got 2.5"),
        (5, 0, "window must be a number of seconds > 0, got 0"),
        (5, float("nan"), "window must be a number of seconds > 0, got nan"),
    ],
)
def test_a_bad_limit_is_refused_in_one_line(
    redis_client: redis.Redis, limit: object, window: object, message: str
) -> None:
    for limiter_class in (FixedWindow, SlidingLog):
        with pytest.raises(InvalidLimit, match=message):
            limiter_class(redis_client, limit, window)  # type: ignore[arg-type]


def test_a_bad_key_is_refused_and_nothing_is_counted(redis_client: redis.Redis) -> None:
    limiter = SlidingLog(redis_client, 5, 10)

    with pytest.raises(InvalidLimit, match="key must be a non-empty string"):
        limiter.hit("")

    assert redis_client.dbsize() == 0


def test_a_lua_number_comes_back_truncated_to_an_integer(redis_client: redis.Redis) -> None:
    # Why the sliding log works in whole milliseconds: 2.5 s would come back as 2.
    assert redis_client.eval("return 2.5", 0) == 2
    assert redis_client.eval("return tostring(2.5)", 0) == "2.5"


@pytest.mark.parametrize("limiter_class", [FixedWindow, SlidingLog])
def test_twenty_clients_at_once_get_exactly_the_limit_through(
    limiter_class: type[FixedWindow | SlidingLog], redis_url: str, redis_client: redis.Redis
) -> None:
    start = threading.Barrier(20)
    decisions: list[Decision] = []

    def hit() -> None:
        own = redis.Redis.from_url(redis_url, decode_responses=True)
        limiter = limiter_class(own, 5, 60, clock=Clock())
        start.wait()
        decisions.append(limiter.hit("ada"))
        own.close()

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(decisions) == 20
    assert passed(decisions) == 5
    assert sorted(d.remaining for d in decisions if d.allowed) == [0, 1, 2, 3, 4]
