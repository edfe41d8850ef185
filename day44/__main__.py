"""`python -m day44`: the URL shortener end to end, offline, then its back-of-the-envelope numbers.

It runs the app in process on a fresh SQLite file, with Redis from ``REDIS_URL`` or a
throwaway ``redis-server`` when one is installed; with neither it says so in one line and runs
without the cache (clicks then go straight to the database). Exit 0.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from day44.app import cache_key, create_app, shortener
from day44.clicks import clicks_key
from day44.estimates import describe


@contextmanager
def some_redis() -> Iterator[str | None]:
    """``REDIS_URL``, a throwaway redis-server, or None (said in one line)."""
    from day17.server import NoRedis, throwaway_redis

    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    with ExitStack() as stack:
        try:
            url: str | None = stack.enter_context(throwaway_redis())
        except NoRedis as error:
            print(f"No Redis ({error}): running without the cache.")
            url = None
        yield url


def demo(redis_url: str | None, database_url: str) -> None:
    app = create_app(
        {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "CREATE_LIMIT": "4 per minute"}
    )
    http = app.test_client()
    with app.app_context():
        state = shortener()
    if state.redis is not None:
        state.redis.flushdb()  # a throwaway server, or the REDIS_URL's database: the demo's own
    print("Redis:", "redirect cache, click counters, rate limit" if state.redis else "none")

    codes = []
    for target in ("https://example.com/a", "https://example.com/b", "https://example.com/c"):
        created = http.post("/links", json={"url": target})
        codes.append(created.json["code"])
        print(f"POST /links {target} -> {created.status_code} {created.json['code']}")
    print("  (ids 1, 2, 3 scrambled: neighbours, yet nothing alike)")
    bad = http.post("/links", json={"url": "javascript:alert(1)"})
    print(f"POST /links javascript:alert(1) -> {bad.status_code} {bad.json['detail']}")
    limited = http.post("/links", json={"url": "https://example.com/d"})
    print(f"POST /links (5th this minute, limit 4) -> {limited.status_code}, "
          f"Retry-After present: {'Retry-After' in limited.headers}")  # fmt: skip

    code = codes[0]
    for _ in range(5):
        followed = http.get(f"/{code}")
    print(f"GET /{code} x5 -> {followed.status_code} Location: {followed.headers['Location']}")
    print(f"GET /nothing -> {http.get('/nothing').status_code}")
    if state.redis is not None:
        print(f"  cached in Redis: {cache_key(code)} = {state.redis.get(cache_key(code))}")
        print(f"  pending in Redis: {clicks_key(code)} = {state.redis.get(clicks_key(code))}")
        before = http.get(f"/links/{code}").json["clicks"]
        print(f"GET /links/{code} clicks before the flush: {before}")
        print(f"flush: {state.flush()} clicks moved to the database")
    print(f"GET /links/{code} clicks: {http.get(f'/links/{code}').json['clicks']}")
    state.db.engine.dispose()

    print("\nEstimates (day44/DESIGN.md):")
    print("\n".join(describe()))


def main() -> int:
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="day44-"))
        redis_url = stack.enter_context(some_redis())
        demo(redis_url, f"sqlite:///{folder}/links.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
