"""Cache-aside on a real Redis over a real todo table: hits, TTL, invalidation, the stale-set
race and the stampede lock. Statement counts are exact; nothing here asserts a timing."""

from __future__ import annotations

import json
import threading
import time

import pytest
import redis

from day18.todo_cache import CachedTodoList, InvalidTodo, TodoStore, todos
from shared.testing import count_queries


def selects(statements: list[str]) -> list[str]:
    """The SELECTs among the statements (SQLite's BEGIN is a statement too)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_a_second_read_is_a_hit_and_runs_no_query(
    any_store: TodoStore, client: redis.Redis
) -> None:
    any_store.add("write the lesson")
    cache = CachedTodoList(any_store, client)

    with count_queries(any_store.engine) as queries:
        first = cache.read()
        second = cache.read()

    assert first == second == [{"id": first[0]["id"], "title": "write the lesson", "done": False}]
    assert len(selects(queries.statements)) == 1, queries.statements
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.loads) == (1, 1, 1)
    assert stats.hit_ratio == 0.5


def test_every_write_is_seen_by_the_next_read(any_store: TodoStore, client: redis.Redis) -> None:
    cache = CachedTodoList(any_store, client)
    assert cache.read() == []

    first = cache.add("one")
    assert [t["title"] for t in cache.read()] == ["one"]
    cache.add("two")
    assert [t["title"] for t in cache.read()] == ["one", "two"]
    assert cache.set_done(first) is True
    assert [t["done"] for t in cache.read()] == [True, False]
    assert cache.delete(first) is True
    assert [t["title"] for t in cache.read()] == ["two"]
    assert cache.stats().loads == 5


def test_the_list_is_cached_with_the_ttl(store: TodoStore, client: redis.Redis) -> None:
    cache = CachedTodoList(store, client, namespace="ttl", ttl=30)
    cache.read()

    left = client.pttl("ttl:todos:v0")
    assert 29_000 < left <= 30_000, left
    assert json.loads(client.get("ttl:todos:v0")) == []


def test_an_expired_list_is_loaded_again(store: TodoStore, client: redis.Redis) -> None:
    cache = CachedTodoList(store, client)
    cache.read()
    store.add("written behind the cache's back")
    assert cache.read() == []  # still the cached list: the TTL bounds how stale it gets

    client.pexpire(cache.data_key(cache.generation()), 1)
    time.sleep(0.01)

    assert [t["title"] for t in cache.read()] == ["written behind the cache's back"]
    assert cache.stats().loads == 2


def test_a_write_bumps_the_version_and_leaves_the_old_key_to_expire(
    store: TodoStore, client: redis.Redis
) -> None:
    cache = CachedTodoList(store, client, ttl=30)
    cache.read()
    cache.add("new")

    assert cache.generation() == 1
    assert client.exists("day18:todos:v0") == 1  # unreachable now, gone within the TTL
    cache.read()
    assert json.loads(client.get("day18:todos:v1"))[0]["title"] == "new"


def writes_during_the_load(cache: CachedTodoList, title: str) -> None:
    """Make the cache's next load be followed, before its SET, by a committed write."""

    def write_once(_rows: object) -> None:
        cache.after_load = None
        cache.add(title)

    cache.after_load = write_once


def test_delete_on_write_lets_a_slow_reader_put_stale_rows_back(
    store: TodoStore, client: redis.Redis
) -> None:
    cache = CachedTodoList(store, client, invalidation="delete")
    writes_during_the_load(cache, "written while a reader was loading")

    assert cache.read() == []  # the reader loaded before the write...

    # ...the writer committed and deleted the key, then the reader stored its old rows.
    assert cache.read() == [], "the race did not happen: the stale list should be cached"
    assert store.list() != []


def test_versioned_keys_make_the_slow_readers_stale_rows_unreachable(
    store: TodoStore, client: redis.Redis
) -> None:
    cache = CachedTodoList(store, client)
    writes_during_the_load(cache, "written while a reader was loading")

    assert cache.read() == []
    # The old rows went to v0; the write made v1 current, so the next read loads afresh.
    assert [t["title"] for t in cache.read()] == ["written while a reader was loading"]
    assert json.loads(client.get("day18:todos:v0")) == []


def test_many_readers_at_an_empty_key_cause_exactly_one_query(
    any_store: TodoStore, client: redis.Redis
) -> None:
    any_store.add("popular")
    readers = 16
    start = threading.Barrier(readers)
    # The loader dawdles, so the others surely miss and wait on its lock.
    caches = [
        CachedTodoList(any_store, client, after_load=lambda _rows: time.sleep(0.3))
        for _ in range(readers)
    ]
    results: list[object] = []

    def read(cache: CachedTodoList) -> None:
        start.wait()
        results.append(cache.read())

    with count_queries(any_store.engine) as queries:
        threads = [threading.Thread(target=read, args=(cache,)) for cache in caches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)

    assert len(selects(queries.statements)) == 1, queries.statements
    assert len(results) == readers
    assert all(result == results[0] for result in results)
    assert sum(c.stats().loads for c in caches) == 1
    assert sum(c.stats().waited for c in caches) >= 1
    assert client.exists("day18:todos:v0:lock") == 0


def test_a_reader_waits_on_the_lock_and_gets_the_holders_list(
    store: TodoStore, client: redis.Redis
) -> None:
    store.add("one")
    holder = CachedTodoList(store, client)
    waiter = CachedTodoList(store, client, poll_interval=0.005)
    got: list[object] = []

    def while_loading(_rows: object) -> None:
        thread = threading.Thread(target=lambda: got.append(waiter.read()))
        thread.start()
        thread.join(0.2)  # it cannot finish while we hold the lock and the key is empty
        assert got == []

    holder.after_load = while_loading
    with count_queries(store.engine) as queries:
        holder.read()
        for _ in range(100):
            if got:
                break
            time.sleep(0.01)

    assert got == [store.list()]
    assert len(selects(queries.statements)) == 1
    assert waiter.stats().waited == 1 and waiter.stats().loads == 0


def test_a_waiter_reads_the_table_itself_when_the_holder_never_finishes(
    store: TodoStore, client: redis.Redis
) -> None:
    client.set("day18:todos:v0:lock", "someone-who-died", px=60_000)
    cache = CachedTodoList(store, client, wait_timeout=0.1)

    assert cache.read() == []
    assert cache.stats().loads == 1
    assert client.get("day18:todos:v0:lock") == "someone-who-died"


def test_releasing_leaves_a_lock_that_is_no_longer_ours(
    store: TodoStore, client: redis.Redis
) -> None:
    cache = CachedTodoList(store, client)

    def lock_expired_and_was_taken(_rows: object) -> None:
        client.set("day18:todos:v0:lock", "next-holder", px=60_000)

    cache.after_load = lock_expired_and_was_taken
    cache.read()

    assert client.get("day18:todos:v0:lock") == "next-holder"


def test_the_hit_ratio_counts_every_read(store: TodoStore, client: redis.Redis) -> None:
    cache = CachedTodoList(store, client)
    for _ in range(10):
        cache.read()
    cache.add("x")
    for _ in range(10):
        cache.read()

    stats = cache.stats()
    assert (stats.hits, stats.misses) == (18, 2)
    assert stats.hit_ratio == 0.9


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "title must be 1 to 200 characters, got 0"),
        ("   ", "title must be 1 to 200 characters, got 0"),
        ("x" * 201, "title must be 1 to 200 characters, got 201"),
        (42, "title must be a string, got int"),
    ],
)
def test_a_bad_title_is_refused_and_nothing_is_invalidated(
    store: TodoStore, client: redis.Redis, title: object, message: str
) -> None:
    cache = CachedTodoList(store, client)

    with pytest.raises(InvalidTodo, match=message):
        cache.add(title)  # type: ignore[arg-type]

    assert store.list() == []
    assert cache.generation() == 0


def test_settings_are_checked(store: TodoStore, client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="must be > 0 seconds"):
        CachedTodoList(store, client, ttl=0)
    with pytest.raises(ValueError, match="invalidation must be 'version' or 'delete'"):
        CachedTodoList(store, client, invalidation="never")  # type: ignore[arg-type]


def test_bumping_before_the_commit_caches_the_old_rows_under_the_new_version(
    any_store: TodoStore, client: redis.Redis
) -> None:
    # Why the writes commit first: the wrong order, done by hand.
    cache = CachedTodoList(any_store, client)
    with any_store.engine.begin() as writer:
        writer.execute(todos.insert().values(title="not committed yet", done=False))
        cache.invalidate()
        assert cache.read() == []  # a reader in between loads the old rows into v1

    assert [t["title"] for t in any_store.list()] == ["not committed yet"]
    assert cache.read() == [], "v1 holds the list from before the commit until its TTL"
