"""A bounded load run: two shortener instances behind nginx, on one database and one Redis.

``python -m day44.loadrun`` starts it all on 127.0.0.1 (nginx from the Debian package, Redis
from ``REDIS_URL`` or a throwaway ``redis-server``, the database from ``SHORT_DATABASE_URL`` or an
SQLite file), creates links from many threads at once, then follows them for a few seconds,
flushes the clicks, and checks that every code is distinct and every hit is in the database.
``--write-note`` puts the estimates and the measured numbers into DESIGN.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
import sqlalchemy as sa

from day44.clicks import flush_clicks
from day44.estimates import describe
from day44.models import Base, Link
from shared.db import Database
from shared.serve import served
from shared.testing.nginx import UPSTREAM_HEADER, Nginx, find_nginx, nginx_proxy

APP = "day44.app:create_app()"
NOTE = Path(__file__).with_name("DESIGN.md")
TIMEOUT = 10
COMMAND = "python -m day44.loadrun --write-note"


@dataclass
class Cluster:
    nginx: Nginx
    ports: list[int]
    database_url: str
    redis_url: str

    @property
    def url(self) -> str:
        return self.nginx.url


@dataclass
class LoadResult:
    """What a run did and measured."""

    backend: str
    threads: int
    seconds: float
    codes: list[str]
    created_by: Counter[str]
    hits: Counter[str] = field(default_factory=Counter)
    answered_by: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    clicks_in_database: dict[str, int] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        """The latency (ms) under which ``share`` of the redirects were answered."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def lost_clicks(self) -> int:
        return sum(self.hits.values()) - sum(self.clicks_in_database.get(c, 0) for c in self.hits)


def new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    return session


@contextmanager
def scaled_out(
    nginx: str, database_url: str, redis_url: str, create_limit: str = "100000 per minute"
) -> Iterator[Cluster]:
    """Two instances of the shortener (2 workers, 4 threads each) behind one nginx."""
    engine = sa.create_engine(database_url)
    Base.metadata.create_all(engine)  # once, before two instances race to do it
    engine.dispose()
    environment = {
        **os.environ,
        "SHORT_DATABASE_URL": database_url,
        "SHORT_REDIS_URL": redis_url,
        "SHORT_CREATE_LIMIT": create_limit,
    }
    with ExitStack() as stack:
        instances = [
            stack.enter_context(
                served(
                    APP,
                    env=environment,
                    workers=2,
                    threads=4,
                    ready_path="/links/ready",
                    access_log=False,
                    graceful_timeout=1,
                )
            )
            for _ in range(2)
        ]
        proxy = stack.enter_context(nginx_proxy(nginx, [each.port for each in instances]))
        yield Cluster(proxy, [each.port for each in instances], database_url, redis_url)


def create_links(cluster: Cluster, count: int, threads: int) -> tuple[list[str], Counter[str]]:
    """POST ``count`` links from ``threads`` threads started together; the codes, who made them."""
    start = threading.Barrier(threads)

    def worker(offset: int) -> list[tuple[str, str]]:
        made = []
        with new_session() as http:
            start.wait(timeout=TIMEOUT)
            for number in range(offset, count, threads):
                url = f"https://example.com/page/{number}"
                response = http.post(f"{cluster.url}/links", json={"url": url}, timeout=TIMEOUT)
                response.raise_for_status()
                made.append((response.json()["code"], response.headers[UPSTREAM_HEADER]))
        return made

    with ThreadPoolExecutor(threads) as pool:
        made = [each for part in pool.map(worker, range(threads)) for each in part]
    return [code for code, _ in made], Counter(upstream for _, upstream in made)


def follow_links(cluster: Cluster, result: LoadResult) -> None:
    """Follow the codes round-robin from ``result.threads`` threads for ``result.seconds``."""
    lock = threading.Lock()
    start = threading.Barrier(result.threads)

    def worker(offset: int) -> None:
        hits: Counter[str] = Counter()
        answered: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        latencies: list[float] = []
        with new_session() as http:
            start.wait(timeout=TIMEOUT)
            deadline = time.monotonic() + result.seconds
            number = offset
            while time.monotonic() < deadline:
                code = result.codes[number % len(result.codes)]
                number += 1
                began = time.perf_counter()
                response = http.get(f"{cluster.url}/{code}", allow_redirects=False, timeout=TIMEOUT)
                latencies.append(time.perf_counter() - began)
                if response.status_code == 302:
                    hits[code] += 1
                    answered[response.headers[UPSTREAM_HEADER]] += 1
                else:
                    errors[str(response.status_code)] += 1
        with lock:
            result.hits.update(hits)
            result.answered_by.update(answered)
            result.errors.update(errors)
            result.latencies.extend(latencies)

    with ThreadPoolExecutor(result.threads) as pool:
        list(pool.map(worker, range(result.threads)))


def clicks_after_flush(cluster: Cluster) -> dict[str, int]:
    """Flush what Redis holds into the database, then read every link's clicks."""
    db = Database.from_url(cluster.database_url)
    client = redis.Redis.from_url(cluster.redis_url, decode_responses=True)
    try:
        flush_clicks(client, db.writer)
        with db.session_factory() as session:
            rows = session.execute(sa.select(Link.code, Link.clicks)).all()
        return {code: clicks for code, clicks in rows if code is not None}
    finally:
        client.close()
        db.engine.dispose()


def run(cluster: Cluster, *, links: int, threads: int, seconds: float) -> LoadResult:
    """Create ``links`` links, follow them for ``seconds``, flush, count."""
    codes, created_by = create_links(cluster, links, threads)
    backend = sa.make_url(cluster.database_url).get_backend_name()
    result = LoadResult(backend, threads, seconds, codes, created_by)
    follow_links(cluster, result)
    result.clicks_in_database = clicks_after_flush(cluster)
    return result


def report(result: LoadResult) -> list[str]:
    """The measured run as lines of Markdown."""
    share = ", ".join(f"{count}" for _, count in sorted(result.answered_by.items()))
    return [
        f"Measured by `{COMMAND}` on {platform.system()} with {os.cpu_count()} CPUs: two "
        f"instances (gunicorn, 2 workers × 4 threads each) behind nginx, {result.backend} and "
        f"Redis on the same machine, {result.threads} client threads for {result.seconds:g} s.",
        "",
        f"- Links created concurrently: {len(result.codes)}, distinct codes: "
        f"{len(set(result.codes))}, made by {len(result.created_by)} instances.",
        f"- Redirects: {len(result.latencies):,} in {result.seconds:g} s = "
        f"{result.requests_per_second:,.0f} requests/s through nginx (answered {share} "
        f"by each instance), errors: {sum(result.errors.values())}.",
        f"- Latency: p50 {result.percentile(0.5):.1f} ms, p99 {result.percentile(0.99):.1f} ms.",
        f"- Clicks: {sum(result.hits.values()):,} redirects, "
        f"{sum(result.clicks_in_database.get(c, 0) for c in result.hits):,} in the database "
        f"after the flush, lost: {result.lost_clicks}.",
    ]


def fill(text: str, block: str, lines: list[str]) -> str:
    """``text`` with the ``<!-- block -->`` … ``<!-- /block -->`` region replaced by ``lines``."""
    pattern = re.compile(rf"(<!-- {block} -->\n).*?(<!-- /{block} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no <!-- {block} --> block in the note")
    return pattern.sub(lambda match: match[1] + "\n".join(lines) + "\n" + match[2], text)


def write_note(result: LoadResult, note: Path = NOTE) -> None:
    """Put the estimates and ``result`` into the design note."""
    text = fill(note.read_text(), "estimates", describe())
    note.write_text(fill(text, "measured", report(result)))


@contextmanager
def services(database_url: str | None) -> Iterator[tuple[str, str, str]]:
    """nginx, a Redis URL and a database URL, starting what is missing; SystemExit if it can't."""
    from day17.server import NoRedis, throwaway_redis

    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("python -m day44.loadrun: needs nginx (apt-get install nginx)")
    with ExitStack() as stack:
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            try:
                redis_url = stack.enter_context(throwaway_redis())
            except NoRedis as error:
                raise SystemExit(f"python -m day44.loadrun: {error}") from None
        if not database_url:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="day44-"))
            database_url = f"sqlite:///{folder}/links.db"
        yield nginx, redis_url, database_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m day44.loadrun", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to follow links")
    parser.add_argument("--threads", type=int, default=16, help="client threads")
    parser.add_argument("--links", type=int, default=200, help="links to create first")
    parser.add_argument("--database-url", default=os.environ.get("SHORT_DATABASE_URL"))
    parser.add_argument("--write-note", action="store_true", help="update day44/DESIGN.md")
    args = parser.parse_args(argv)
    with (
        services(args.database_url) as (nginx, redis_url, database_url),
        scaled_out(nginx, database_url, redis_url) as cluster,
    ):
        result = run(cluster, links=args.links, threads=args.threads, seconds=args.seconds)
    print("\n".join(report(result)))
    if args.write_note:
        write_note(result)
        print(f"wrote {NOTE.name}")
    return 0 if result.lost_clicks == 0 and len(set(result.codes)) == len(result.codes) else 1


if __name__ == "__main__":
    sys.exit(main())
