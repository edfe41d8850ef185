"""`python -m day25`: the Todo API keeps its contract, under load, while its Redis goes away.

Serves the Todo API as ``make todo`` does (gunicorn, 2 workers of 24 threads; SQLite in a
temporary folder) on a throwaway ``redis-server`` of its own, then runs the Todo-Backend
contract and a round of concurrent writers three times: Redis up, Redis stopped, Redis started
again on the same port. Without ``redis-server`` it runs the contract and the writers once, on
an API without Redis, says what the rest needs, and exits 0. ``REDIS_URL`` is not used: the
demo stops its Redis on purpose.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from day25.contract import check_contract, summary
from day25.degrade import NoRedisServer, Phase, RedisProcess, degradation_run
from day25.load import MAX_PER_WRITER, MAX_WRITERS, LoadReport, run_writers
from shared.serve import REPO_ROOT, Served, ServerDidNotStart, served

API = "projects.todo_api:create_app()"
WORKERS = 2
#: Threads per worker, as ``make todo``, the image and the deploy commands run the API.
THREADS = 24
#: Seconds gunicorn gives requests in flight at the end; the demo has none left by then.
GRACEFUL_TIMEOUT = 1
#: What the API logs, once per worker, when its list cache finds Redis gone.
OUTAGE_LINE = "todo list cache off, Redis unreachable"


def bounded(low: int, high: int) -> type:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low} to {high}, got {value}")
        return value

    return parse  # type: ignore[return-value]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day25",
        description="Serve the Todo API on a Redis of its own; run the Todo-Backend contract and "
        "concurrent writers with Redis up, stopped, and back on the same port.",
    )
    parser.add_argument(
        "--writers", type=bounded(1, MAX_WRITERS), default=4, metavar="N",
        help="concurrent writers per phase (default 4)",
    )  # fmt: skip
    parser.add_argument(
        "--posts", type=bounded(1, MAX_PER_WRITER), default=10, metavar="N",
        help="POSTs per writer (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--timings", action="store_true", help="also print each round's time and p50/p99"
    )
    return parser


def api_env(database: str, redis_url: str | None) -> dict[str, str]:
    """The served API's environment: this database, this Redis or none, warnings only."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TODO_REDIS_URL")}
    env.update(PYTHONPATH=str(REPO_ROOT), TODO_DATABASE_URL=database, TODO_LOG_LEVEL="WARNING")
    if redis_url:
        env["TODO_REDIS_URL"] = redis_url
    return env


def serve(
    env: Mapping[str, str], app: str = API, workers: int = WORKERS
) -> AbstractContextManager[Served]:
    """``app`` served by gunicorn with ``env``, ready once ``/healthz`` answers."""
    return served(
        app, env=env, workers=workers, threads=THREADS, ready_path="/healthz", timeout=60,
        graceful_timeout=GRACEFUL_TIMEOUT,
    )  # fmt: skip


def load_line(report: LoadReport, timings: bool) -> str:
    line = f"  load: {report.line()}"
    if timings:
        line += (
            f" (in {report.seconds:.2f}s, p50 {report.percentile(50):.1f} ms,"
            f" p99 {report.percentile(99):.1f} ms)"
        )
    return line


CACHE_LINES = {
    "Redis up": "the list is cached in Redis",
    "Redis stopped": "off, Redis is down; every read came from the database",
    "Redis back on the same port": "the list is cached in Redis again, the API not restarted",
}


def show(phase: Phase, timings: bool) -> None:
    print(phase.name)
    print(f"  contract: {summary(phase.contract)}")
    print(load_line(phase.load, timings))
    if phase.cached is False:
        print("  cache: the list is NOT in Redis")
    else:
        print(f"  cache: {CACHE_LINES[phase.name]}")


def without_redis(args: argparse.Namespace, database: str, reason: str) -> int:
    print(f"Redis: none ({reason}).")
    print("Todo API: gunicorn, 2 workers x 24 threads, SQLite in a temp folder, no cache.")
    print()
    env = api_env(database, None)
    with serve(env) as api:
        results = check_contract(api.url)
        report = run_writers(api.url, args.writers, args.posts)
    print(f"  contract: {summary(results)}")
    print(load_line(report, args.timings))
    print("\nThe degradation check (stop Redis, keep serving) needs redis-server.")
    return 0 if all(r.ok for r in results) and report.ok else 1


def with_redis(args: argparse.Namespace, database: str, server: RedisProcess) -> int:
    print("Redis: a throwaway redis-server on 127.0.0.1, stopped and started again on purpose.")
    print(
        "Todo API: gunicorn, 2 workers x 24 threads, SQLite in a temp folder, list cached in Redis."
    )
    print()
    env = api_env(database, server.url)
    with serve(env) as api:
        phases = degradation_run(
            api.url, server, args.writers, args.posts, lambda phase: show(phase, args.timings)
        )
        warnings = api.output().count(OUTAGE_LINE)
    if 1 <= warnings <= WORKERS:
        print("\nThe outage was logged once per worker that met it, not once per request.")
    else:
        print(f"\nThe outage was logged {warnings} times by {WORKERS} workers.")
    healthy = all(phase.ok and phase.cached is not False for phase in phases)
    print("Every answer was right in every phase." if healthy else "Something went wrong above.")
    return 0 if healthy else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day25-") as folder:
        database = f"sqlite:///{Path(folder) / 'todo.db'}"
        try:
            try:
                server = RedisProcess()
                server.start()
            except NoRedisServer as missing:
                return without_redis(args, database, str(missing))
            try:
                return with_redis(args, database, server)
            finally:
                server.stop()
        except ServerDidNotStart as error:
            print(f"python -m day25: the Todo API did not start: {error}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
