"""`python -m day17`: a weekly leaderboard, a recent-items list and the other types on Redis.

It uses ``REDIS_URL`` when set; otherwise it starts a throwaway ``redis-server`` on 127.0.0.1
(stopped at the end). With neither, it says in one line what it needs and exits 0. Its keys
start with ``day17:demo:`` and are deleted before and after the run.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

import redis

from day17 import basics
from day17.leaderboard import Leaderboard
from day17.recent import RecentItems
from day17.server import NoRedis, throwaway_redis
from day17.validation import InvalidInput
from shared.cache import RedisUnavailable, redis_client
from shared.config import ConfigError

NAMESPACE = "day17:demo"
#: The demo's "today", fixed so that the weekly key in its output is the same every run.
DEMO_DAY = date(2026, 12, 2)
GAMES = [("ada", 120), ("grace", 95), ("linus", 95), ("alan", 80), ("edsger", 60), ("barbara", 95)]
VISITS = ["ada", "grace", "ada", "linus", "alan", "edsger", "grace", "barbara"]
DAY = 24 * 60 * 60


def small_int(text: str) -> int:
    """An argparse type: a whole number from 1 to 20."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 20:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 20, got {value}")
    return value


def iso_day(text: str) -> date:
    """An argparse type: a date as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m day17",
        description="A weekly leaderboard (sorted set), a capped recent-items list (list), "
        "counters and a lock (strings), a profile (hash) and shared interests (sets) on Redis: "
        "REDIS_URL if set, else a throwaway redis-server on 127.0.0.1 when one is installed.",
    )
    parser.add_argument("--top", type=small_int, default=3, metavar="N", help="top N (default 3)")
    parser.add_argument(
        "--recent", type=small_int, default=5, metavar="N", help="recent list cap (default 5)"
    )
    parser.add_argument(
        "--day",
        type=iso_day,
        default=DEMO_DAY,
        metavar="YYYY-MM-DD",
        help=f"the day whose weekly board to fill (default {DEMO_DAY}, so the output is fixed)",
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
            print(
                "Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset), stopped after."
            )
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
    """Delete the demo's own keys, and only those."""
    keys = list(client.scan_iter(match=f"{NAMESPACE}:*", count=500))
    if keys:
        client.delete(*keys)


def demo(client: redis.Redis, args: argparse.Namespace) -> None:
    """Every section, on a namespace that is emptied before and after."""
    clear(client)
    try:
        leaderboard(client, args.top, args.day)
        recent_items(client, args.recent)
        strings_hashes_sets(client)
    finally:
        clear(client)


def leaderboard(client: redis.Redis, top: int, day: date) -> None:
    board = Leaderboard.weekly(client, f"{NAMESPACE}:scores", day)
    print(f"\nSorted set {board.key}: the board of the ISO week of {day}")
    for player, points in GAMES:
        board.add_points(player, points)
    games = ", ".join(f"{player} +{points}" for player, points in GAMES)
    print(f"  {games}  (each ZINCRBY + EXPIRE NX in one MULTI)")
    print(f"  top {top}: ties share a rank, and a tie at the cut is shown whole")
    for entry in board.top(top):
        print(f"    {entry.rank:>2}  {entry.player:<8} {entry.score:>5g}")
    tied = [entry.player for entry in board.top(board.size()) if entry.score == 95]
    zrevranks = sorted((client.zrevrank(board.key, player), player) for player in tied)
    positions = ", ".join(f"{player} {position}" for position, player in zrevranks)
    print(f"  ZREVRANK alone breaks the tie by name, backwards (0-based): {positions}")
    alan = board.rank("alan")
    assert alan is not None
    print(f"  rank of alan: {alan.rank} (1 + players with a higher score)")
    board.transfer("ada", "alan", 30)
    print(
        f"  transfer 30 from ada to alan, both ZINCRBYs in one MULTI: "
        f"ada {board.score('ada'):g}, alan {board.score('alan'):g}"
    )
    left = board.seconds_left()
    assert left is not None
    print(f"  expires in {round(left / DAY)} days: EXPIRE NX set it at the first score, no later")
    bad: list[tuple[object, object]] = [
        ("", 10),
        ("x" * 65, 10),
        ("ada", float("nan")),
        ("ada", float("inf")),
        ("ada", "12"),
    ]
    for player, score in bad:
        try:
            board.set_score(player, score)  # type: ignore[arg-type]
        except InvalidInput as refused:
            print(f"  refused: {refused}")


def recent_items(client: redis.Redis, limit: int) -> None:
    recent = RecentItems(client, f"{NAMESPACE}:recent", limit=limit, ttl=3600)
    print(f"\nList {recent.key}: the last {limit} distinct pages visited, newest first")
    for page in VISITS:
        recent.push(page)
    print(f"  pushed {' '.join(VISITS)}")
    print(f"  kept   {' '.join(recent.items())}  (LREM + LPUSH + LTRIM + EXPIRE in one MULTI)")
    left = recent.seconds_left()
    assert left is not None
    print(f"  expires {round(left / 60)} minutes after the last push (each push renews the TTL)")


def strings_hashes_sets(client: redis.Redis) -> None:
    ns = NAMESPACE
    counts = [basics.count_visit(client, "home", namespace=ns) for _ in range(3)]
    print(f"\nString {ns}:visits:home: INCR three times from nothing -> {counts}")
    first = basics.try_lock(client, "nightly-report", "worker-1", 30, namespace=ns)
    second = basics.try_lock(client, "nightly-report", "worker-2", 30, namespace=ns)
    print(
        f"String {ns}:lock:nightly-report: SET NX EX 30 by worker-1 {first}, by worker-2 {second}"
    )
    basics.save_profile(client, "ada", {"country": "UK", "born": 1815}, namespace=ns)
    profile = basics.load_profile(client, "ada", namespace=ns)
    print(f"Hash {ns}:profile:ada: HSET then HGETALL -> {dict(sorted(profile.items()))}")
    basics.add_interests(client, "ada", "math", "poetry", "engines", namespace=ns)
    basics.add_interests(client, "alan", "math", "engines", "running", namespace=ns)
    shared = basics.common_interests(client, "ada", "alan", namespace=ns)
    print(f"Sets {ns}:interests:ada and :alan: SINTER -> {shared}")


if __name__ == "__main__":
    sys.exit(main())
