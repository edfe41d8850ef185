"""`python -m day20`: a fixed window and a sliding log by hand, then flask-limiter, on Redis.

Redis is ``REDIS_URL`` when set, otherwise a throwaway ``redis-server`` on 127.0.0.1 (stopped
at the end); with neither, it says what it needs and exits 0. The hand-made limiters run on a
clock the demo sets, so their output is the same every run. Keys it writes are deleted after.
"""

from __future__ import annotations

import argparse
import os
import sys

import redis

from day17.server import NoRedis, throwaway_redis
from day20.app import create_app
from day20.limiters import Decision, FixedWindow, SlidingLog
from shared.cache import RedisUnavailable, redis_client
from shared.config import ConfigError

PREFIX = "day20:demo"
START = 1_000_000.0  # a multiple of 10: a fixed window starts here


class Clock:
    """The demo's clock: it moves only when told."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def small_int(text: str) -> int:
    """An argparse type: a whole number from 1 to 50."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 50, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day20",
        description="Rate limiting on Redis (REDIS_URL, else a throwaway redis-server): a fixed "
        "window's boundary burst, a sliding log's exact Retry-After, then flask-limiter shared "
        "by two app instances.",
    )
    parser.add_argument(
        "--limit", type=small_int, default=5, metavar="N", help="requests allowed (default 5)"
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
            demo(client, url, args.limit)
            return 0
        with throwaway_redis() as throwaway:
            print("Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset).")
            client = redis.Redis.from_url(throwaway, decode_responses=True)
            try:
                demo(client, throwaway, args.limit)
            finally:
                client.close()
        return 0
    except (RedisUnavailable, NoRedis) as missing:
        print(f"{parser.prog}: {missing}")
        return 0
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


def clear(client: redis.Redis) -> None:
    for pattern in (f"{PREFIX}:*", "LIMITS:LIMITER/day20-demo/*"):
        keys = list(client.scan_iter(match=pattern, count=500))
        if keys:
            client.delete(*keys)


def demo(client: redis.Redis, url: str, limit: int) -> None:
    clear(client)
    try:
        boundary(client, limit)
        retry_after(client)
        library(url, limit)
    finally:
        clear(client)


def summary(decisions: list[Decision]) -> str:
    return "".join("+" if d.allowed else "x" for d in decisions)


def boundary(client: redis.Redis, limit: int) -> None:
    print(f"\n{limit} per 10 s; {limit} requests at t=9.9 s, then {limit} at t=10.0 s (+ passed)")
    for name, limiter_class in (("fixed window", FixedWindow), ("sliding log ", SlidingLog)):
        clock = Clock(START)
        limiter = limiter_class(client, limit, 10, prefix=f"{PREFIX}:{name[:5]}", clock=clock)
        clock.now = START + 9.9
        before = [limiter.hit("ada") for _ in range(limit)]
        clock.now = START + 10.0
        after = [limiter.hit("ada") for _ in range(limit)]
        passed = sum(d.allowed for d in before + after)
        print(f"  {name}: {summary(before)} | {summary(after)}  -> {passed} passed in 0.1 s")


def retry_after(client: redis.Redis) -> None:
    clock = Clock(START)
    log = SlidingLog(client, 3, 10, prefix=f"{PREFIX}:retry", clock=clock)
    print("\nSliding log, 3 per 10 s: passed at t=0, 1, 2; then")
    for offset in (0.0, 1.0, 2.0):
        clock.now = START + offset
        log.hit("ada")
    for offset in (5.0, 9.5, 10.0, 10.0):
        clock.now = START + offset
        decision = log.hit("ada")
        verdict = (
            "passes"
            if decision.allowed
            else f"refused, retry after {decision.retry_after:g} s "
            f"(Retry-After: {decision.retry_after_header})"
        )
        print(f"  t={offset:<4g}: {verdict}")


def library(url: str, limit: int) -> None:
    overrides = {"REDIS_URL": url, "RATE_LIMIT": f"{limit} per minute", "KEY_PREFIX": "day20-demo"}
    one, two = (create_app(overrides).test_client() for _ in range(2))
    print(f"\nflask-limiter, {limit} per minute per client, two app instances on one Redis:")
    answers = [(one if n % 2 == 0 else two).get("/todos") for n in range(limit + 1)]
    statuses = " ".join(f"{'AB'[n % 2]}:{answer.status_code}" for n, answer in enumerate(answers))
    print(f"  {statuses}")
    refused = answers[-1]
    headers = refused.headers
    wait = "from 1 to 60" if 1 <= int(headers["Retry-After"]) <= 60 else headers["Retry-After"]
    print(f"  the 429: {refused.content_type}, Retry-After {wait} s (until a slot frees),")
    print(
        f"  X-RateLimit-Limit {headers['X-RateLimit-Limit']}, "
        f"X-RateLimit-Remaining {headers['X-RateLimit-Remaining']}, X-RateLimit-Reset a Unix time"
    )


if __name__ == "__main__":
    sys.exit(main())
