"""`python -m day18`: a todo list read through Redis, with its hits, misses and measured gain.

The table is a throwaway SQLite file. Redis is ``REDIS_URL`` when set, otherwise a throwaway
``redis-server`` on 127.0.0.1 (stopped at the end); with neither, it says what it needs and
exits 0. Its keys start with ``day18:demo:`` and are deleted before and after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import redis

from day17.server import NoRedis, throwaway_redis
from day18.todo_cache import CachedTodoList, TodoStore, todos
from shared.cache import RedisUnavailable, redis_client
from shared.config import ConfigError
from shared.db import create_engine
from shared.testing import count_queries

NAMESPACE = "day18:demo"
TODOS = 300
READS = 200
READERS = 20


def reads(text: str) -> int:
    """An argparse type: a whole number of reads from 10 to 10000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 10 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"expected a number from 10 to 10000, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day18",
        description="Cache-aside for a todo list on Redis (REDIS_URL, else a throwaway "
        "redis-server): hits and misses, invalidation on write, the stale-set race, one "
        "query for many readers at an empty key, and the measured time ratio.",
    )
    parser.add_argument(
        "--reads", type=reads, default=READS, metavar="N", help=f"reads to time (default {READS})"
    )
    parser.add_argument(
        "--no-timing",
        action="store_true",
        help="leave the timing out, so the output is the same on every run",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 when done or when no Redis is to be had, 2 for a bad argument or URL."""
    parser = build_parser()
    args = parser.parse_args(argv)
    url = os.environ.get("REDIS_URL")
    try:
        if url:
            client = redis_client(url, required=True)
            assert client is not None
            print("Redis: the server in REDIS_URL.")
            demo(client, args)
            return 0
        with throwaway_redis() as throwaway:
            print("Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset).")
            client = redis.Redis.from_url(throwaway, decode_responses=True)
            try:
                demo(client, args)
            finally:
                client.close()
        return 0
    except (RedisUnavailable, NoRedis) as missing:
        print(f"{parser.prog}: {missing}")
        return 0
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


def clear(client: redis.Redis) -> None:
    keys = list(client.scan_iter(match=f"{NAMESPACE}:*", count=500))
    if keys:
        client.delete(*keys)


def demo(client: redis.Redis, args: argparse.Namespace) -> None:
    clear(client)
    with tempfile.TemporaryDirectory(prefix="day18-") as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'todos.db'}")
        try:
            store = TodoStore(engine)
            store.create_table()
            with engine.begin() as connection:  # one commit, not 300
                rows = [{"title": f"todo {n}", "done": False} for n in range(1, TODOS + 1)]
                connection.execute(todos.insert(), rows)
            hits_and_misses(store, client, args)
            the_race(store, client)
            stampede(store, client)
        finally:
            engine.dispose()
            clear(client)


def timed(action: Callable[[], object], times: int) -> float:
    started = time.perf_counter()
    for _ in range(times):
        action()
    return time.perf_counter() - started


def hits_and_misses(store: TodoStore, client: redis.Redis, args: argparse.Namespace) -> None:
    cache = CachedTodoList(store, client, namespace=f"{NAMESPACE}:a", ttl=60)
    print(f"\nCache-aside over {TODOS} todos in SQLite, key {cache.data_key(0)} (TTL 60 s)")
    with count_queries(store.engine) as queries:
        for _ in range(args.reads):
            cache.read()
    stats = cache.stats()
    selects = sum(1 for s in queries.statements if s.startswith("SELECT"))
    print(
        f"  {args.reads} reads: {stats.hits} hits, {stats.misses} miss, {selects} SELECT, "
        f"hit ratio {stats.hit_ratio:.1%}"
    )
    cache.add("a new todo")
    cache.read()
    cache.read()
    stats = cache.stats()
    print(
        f"  a write (commit, then INCR {cache.generation_key} -> {cache.generation()}), "
        f"then 2 reads: {stats.hits} hits, {stats.misses} misses, ratio {stats.hit_ratio:.1%}"
    )
    if args.no_timing:
        print("  timing left out (--no-timing)")
        return
    # What a list endpoint does per request: the JSON body, built from the table or cached.
    database = timed(lambda: json.dumps(store.list()), args.reads)
    cached = timed(cache.read_json, args.reads)
    print(
        f"  {args.reads} JSON bodies from the table: {database * 1000:.1f} ms; from Redis: "
        f"{cached * 1000:.1f} ms; cached {database / cached:.1f}x as fast"
    )


def the_race(store: TodoStore, client: redis.Redis) -> None:
    print("\nA reader loads, a write commits and invalidates, then the reader stores what it read")
    for invalidation in ("delete", "version"):
        cache = CachedTodoList(
            store, client, namespace=f"{NAMESPACE}:{invalidation}", invalidation=invalidation
        )

        def write_in_between(_rows: object, cache: CachedTodoList = cache) -> None:
            cache.after_load = None
            cache.add(f"written during a load ({cache.invalidation})")

        cache.after_load = write_in_between
        cache.read()
        after = len(cache.read())
        truth = len(store.list())
        verdict = "stale until the TTL" if after != truth else "fresh"
        print(
            f"  invalidation={invalidation:<7}: the next read sees {after} todos, "
            f"the table has {truth}: {verdict}"
        )


def stampede(store: TodoStore, client: redis.Redis) -> None:
    caches = [
        CachedTodoList(
            store, client, namespace=f"{NAMESPACE}:s", after_load=lambda _r: time.sleep(0.2)
        )
        for _ in range(READERS)
    ]
    start = threading.Barrier(READERS)

    def read(cache: CachedTodoList) -> None:
        start.wait()
        cache.read()

    with count_queries(store.engine) as queries:
        threads = [threading.Thread(target=read, args=(cache,)) for cache in caches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    selects = sum(1 for s in queries.statements if s.startswith("SELECT"))
    loads = sum(cache.stats().loads for cache in caches)
    print(
        f"\n{READERS} readers at once at an empty key: {selects} SELECT, {loads} load "
        "(one took the SET NX PX lock, the others waited for its list)"
    )


if __name__ == "__main__":
    sys.exit(main())
