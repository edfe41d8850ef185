"""``python -m bench.blog``: the Blog API's article list against a bare Flask endpoint.

Seeds a database (10,000 articles by default), serves the API and a bare Flask JSON endpoint
the same way (gunicorn, 2 sync workers, 127.0.0.1), loads each with wrk for the same time and
prints requests per second, p50/p99 latency and the ratio to the bare endpoint, all measured in
this one run on this machine. It is a benchmark, not a test: numbers vary between machines;
the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from bench.load import LoadResult, LoadToolMissing, run_wrk
from shared.serve import Served, ServerDidNotStart, served

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.blog", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=10_000, help="articles to seed (10000)")
    parser.add_argument("--users", type=int, default=200, help="users to seed (200)")
    parser.add_argument("--seconds", type=int, default=10, help="load time per endpoint (10)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections (8)")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: an SQLite file in a temp folder)"
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    for name in ("articles", "users", "seconds", "connections"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def serve(app: str, ready_path: str, env: dict[str, str]) -> AbstractContextManager[Served]:
    """``app`` served as make blog serves it, minus the per-request access log."""
    return served(
        app, env=env, workers=WORKERS, ready_path=ready_path, timeout=60, access_log=False
    )


def register(base: str) -> str:
    """A new user's token, for the authenticated run."""
    name = f"bench{secrets.token_hex(4)}"
    body = {
        "user": {"username": name, "email": f"{name}@example.com", "password": "bench-password"}
    }
    request = urllib.request.Request(
        f"{base}/api/users",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["user"]["token"]


def measure(
    url: str, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> LoadResult:
    run_wrk(url, 1, connections, headers)  # warm-up: imports, caches, connection pools
    return run_wrk(url, seconds, connections, headers)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-blog-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'blog.db'}"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BLOG_DATABASE_URL": url,
            "BLOG_SECRET_KEY": secrets.token_urlsafe(48),
        }
        print(
            f"seeding {args.articles} articles by {args.users} users into {url.split('://')[0]} ..."
        )
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "projects.blog_api", "seed",
             "--users", str(args.users), "--articles", str(args.articles), "--random-seed", "45"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        try:
            with (
                serve("bench.bare_app:create_app()", "/api/ping", env) as bare,
                serve("projects.blog_api:create_app()", "/api/tags", env) as api,
            ):
                blog = api.url
                token = register(blog)
                runs = {
                    "bare Flask JSON": measure(
                        f"{bare.url}/api/ping", args.seconds, args.connections
                    ),
                    "articles?limit=20 (anonymous)": measure(
                        f"{blog}/api/articles?limit=20", args.seconds, args.connections
                    ),
                    "articles?limit=20 (token)": measure(
                        f"{blog}/api/articles?limit=20",
                        args.seconds,
                        args.connections,
                        {"Authorization": f"Token {token}"},
                    ),
                }
        except (LoadToolMissing, ServerDidNotStart) as error:
            print(f"python -m bench.blog: {error}", file=sys.stderr)
            return 2
    report(runs, args, url)
    return 0


def report(runs: dict[str, LoadResult], args: argparse.Namespace, url: str) -> None:
    baseline = runs["bare Flask JSON"].requests_per_second
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"\n{args.articles} articles, gunicorn {WORKERS} workers, wrk 1 thread x "
        f"{args.connections} connections x {args.seconds}s, {url.split('://')[0]} — {machine}\n"
    )
    print(f"{'endpoint':<32}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
    for name, result in runs.items():
        print(
            f"{name:<32}{result.requests_per_second:>10.0f}{result.p50_ms:>9.2f}"
            f"{result.p99_ms:>9.2f}{result.errors:>8}{result.requests_per_second / baseline:>8.3f}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": machine,
                    "articles": args.articles,
                    "database": url.split("://")[0],
                    "runs": {name: vars(result) for name, result in runs.items()},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
