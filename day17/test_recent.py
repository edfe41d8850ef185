"""The recent-items list on a real Redis: order, dedup, the cap under concurrent pushes, TTL."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import redis

from day17.recent import RecentItems
from day17.validation import InvalidInput

WRITERS = 8
PUSHES_EACH = 40


def test_newest_first_and_capped(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent", limit=3)
    for item in ["a", "b", "c", "d", "e"]:
        recent.push(item)

    assert recent.items() == ["e", "d", "c"]
    assert redis_client.llen("recent") == 3


def test_the_cap_is_ten_unless_given(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent")
    for item in range(12):
        recent.push(f"item-{item}")

    assert recent.items() == [f"item-{item}" for item in range(11, 1, -1)]


def test_a_smaller_cap_reads_only_the_newest_of_a_longer_list(redis_client: redis.Redis) -> None:
    for item in "abcde":
        RecentItems(redis_client, "recent", limit=5).push(item)

    assert RecentItems(redis_client, "recent", limit=2).items() == ["e", "d"]


def test_seconds_left_is_zero_in_the_last_half_second(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent", ttl=60)
    recent.push("a")
    redis_client.pexpire("recent", 400)

    assert recent.seconds_left() == 0


def test_an_item_seen_again_moves_to_the_front_once(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent", limit=5)
    for item in ["a", "b", "c", "a", "b", "a"]:
        recent.push(item)

    assert recent.items() == ["a", "b", "c"]


def test_items_of_a_missing_list_are_empty(redis_client: redis.Redis) -> None:
    assert RecentItems(redis_client, "never-pushed").items() == []


def test_a_push_is_one_multi_exec(
    redis_client: redis.Redis, sent_commands: Callable[..., list[str]]
) -> None:
    recent = RecentItems(redis_client, "recent", limit=5, ttl=60)

    sent = sent_commands(lambda: recent.push("a"))

    assert sent == [
        "MULTI",
        "LREM recent 0 a",
        "LPUSH recent a",
        "LTRIM recent 0 4",
        "EXPIRE recent 60",
        "EXEC",
    ]


def test_each_push_sets_and_renews_the_ttl(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent", ttl=3600)
    recent.push("a")
    left = recent.seconds_left()
    assert left is not None and 0 < left <= 3600, left

    redis_client.expire("recent", 5)
    recent.push("b")

    left = recent.seconds_left()
    assert left is not None and 5 < left <= 3600, left


def test_without_ttl_the_list_never_expires(redis_client: redis.Redis) -> None:
    recent = RecentItems(redis_client, "recent")
    recent.push("a")

    assert redis_client.ttl("recent") == -1
    assert recent.seconds_left() is None


def test_separate_commands_let_a_reader_see_the_list_over_its_cap(
    redis_client: redis.Redis, redis_url: str
) -> None:
    # Why push() uses MULTI: between a bare LPUSH and its LTRIM, another client sees cap + 1.
    reader = redis.Redis.from_url(redis_url, decode_responses=True)
    redis_client.rpush("recent", "c", "b", "a")

    redis_client.lpush("recent", "d")
    seen_between = reader.llen("recent")
    redis_client.ltrim("recent", 0, 2)

    assert (seen_between, reader.llen("recent")) == (4, 3)
    reader.close()


@pytest.mark.timeout(60)
def test_concurrent_pushes_never_take_the_list_over_its_cap(
    redis_client: redis.Redis, redis_url: str
) -> None:
    limit = 5
    start = threading.Barrier(WRITERS + 1)
    writers_done = threading.Event()
    observed: list[tuple[int, int]] = []  # (length, distinct items) per look
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        recent = RecentItems(client, "recent", limit=limit)
        try:
            start.wait()
            for push in range(PUSHES_EACH):
                # Half the items repeat across writers, so LREM has duplicates to remove.
                recent.push(f"item-{push % 10}" if push % 2 else f"w{writer}-{push}")
        except BaseException as error:
            errors.append(error)
        finally:
            client.close()

    def watch() -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        start.wait()
        while not writers_done.is_set():
            items = client.lrange("recent", 0, -1)
            observed.append((len(items), len(set(items))))
        client.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    watcher = threading.Thread(target=watch)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join()
    writers_done.set()
    watcher.join()

    assert errors == []
    assert observed, "the watcher never looked"
    assert max(length for length, _ in observed) <= limit, observed
    assert all(length == distinct for length, distinct in observed), "a duplicate was seen"
    final = redis_client.lrange("recent", 0, -1)
    assert len(final) == limit and len(set(final)) == limit, final


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("", "item must not be empty"),
        ("x" * 201, "item must be at most 200 characters, got 201"),
        (None, "item must be a string, got None"),
        ("a\tb", "item must not contain control characters"),
    ],
)
def test_a_bad_item_is_refused_and_nothing_written(
    redis_client: redis.Redis, item: object, message: str
) -> None:
    recent = RecentItems(redis_client, "recent")

    with pytest.raises(InvalidInput) as refused:
        recent.push(item)  # type: ignore[arg-type]

    assert message in str(refused.value), str(refused.value)
    assert redis_client.exists("recent") == 0


@pytest.mark.parametrize(
    ("limit", "ttl", "message"),
    [
        (0, None, "limit must be from 1 to 1000, got 0"),
        (1001, None, "limit must be from 1 to 1000, got 1001"),
        ("5", None, "limit must be a whole number, got '5'"),
        (5, -1, "ttl must be from 1 to 31622400, got -1"),
    ],
)
def test_a_list_refuses_a_bad_limit_or_ttl(
    redis_client: redis.Redis, limit: object, ttl: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        RecentItems(redis_client, "recent", limit=limit, ttl=ttl)  # type: ignore[arg-type]
