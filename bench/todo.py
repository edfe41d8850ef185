"""``python -m bench.todo``: the Todo API's list, uncached and cached, against bare Flask.

Seeds a fresh SQLite database (200 todos by default, through the API's own ``POST /todos``),
serves the API twice and a bare Flask JSON endpoint once, all the same way and as ``make todo``
serves the API (gunicorn, 2 gthread workers of 24 threads, 127.0.0.1): once without Redis
(``GET /todos`` reads the database every time) and once with the list cache on a real Redis
(``REDIS_URL``, else a throwaway ``redis-server`` started and stopped here). wrk loads each
endpoint in round-robin rounds; the table gives requests per second, p50/p99 latency and the
ratio to the bare endpoint, all measured in this one run on this machine. On Linux it also
gives the CPU time each server's processes spent per request (from ``/proc``), and the bare
endpoint's CPU per request over the endpoint's: on a machine shared with other work that ratio
moves far less between runs than throughput does, since it counts only the servers' own time.
``--body-baseline`` adds one more bare Flask endpoint that answers the cached list's own bytes
(about 22 kB for 200 todos) without parsing, so the cost of sending that body is measured apart
from the API's. It is a benchmark, not a test: numbers vary between machines; the ratios are
what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load import LoadResult, LoadToolMissing, run_wrk
from day17.server import NoRedis, throwaway_redis
from shared.serve import Served, ServerDidNotStart, served

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
#: Threads per worker, as ``make todo``, the image and the deploy commands run the API.
THREADS = 24
TODO_APP = "projects.todo_api:create_app()"
BARE = "bare Flask JSON"
UNCACHED = "GET /todos (no cache)"
CACHED = "GET /todos (Redis cache)"
FLOOR = "GET /healthz (API floor)"
BODY = "bare Flask, the list's body"
#: Where ``bare_body_app`` finds the bytes it answers.
BODY_FILE_VAR = "BENCH_BODY_FILE"
#: Environment variables that would hand the uncached server a Redis.
REDIS_VARS = ("TODO_REDIS_URL", "REDIS_URL")


class BenchFailed(RuntimeError):
    """The servers did not answer as the benchmark needs; the message says how."""


# Straight to 127.0.0.1, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def at_least_one(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.todo", description=__doc__.splitlines()[0].split(": ", 1)[1]
    )
    parser.add_argument("--todos", type=at_least_one, default=200, help="todos to seed (200)")
    parser.add_argument(
        "--seconds", type=at_least_one, default=5, help="load time per endpoint and round (5)"
    )
    parser.add_argument(
        "--rounds",
        type=at_least_one,
        default=3,
        help="rounds over every endpoint; each row is its median round (3)",
    )
    parser.add_argument(
        "--connections", type=at_least_one, default=8, help="keep-alive connections (8)"
    )
    parser.add_argument(
        "--threads",
        type=at_least_one,
        default=THREADS,
        help=f"threads per gunicorn worker, 1 for sync workers ({THREADS}, as make todo)",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL") or None,
        help="Redis for the cached run (default: REDIS_URL, else a throwaway redis-server)",
    )
    parser.add_argument(
        "--body-baseline",
        action="store_true",
        help="also serve the cached list's bytes from bare Flask, to measure the body apart",
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def bare_body_app() -> Any:
    """Bare Flask answering ``GET /api/list`` with the bytes in ``$BENCH_BODY_FILE``, as a list
    cache hit answers its body: no schema, no serialising, no hooks."""
    from flask import Flask, Response

    body = Path(os.environ[BODY_FILE_VAR]).read_bytes()
    app = Flask(__name__)

    @app.get("/api/list")
    def listing() -> Response:
        return Response(body, mimetype="application/json")

    return app


def todo_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    """The environment of a Todo API server: this database, this Redis or none, quiet logs."""
    env = {name: value for name, value in os.environ.items() if name not in REDIS_VARS}
    env.update(
        PYTHONPATH=str(ROOT),
        TODO_DATABASE_URL=database_url,
        # The per-request JSON log line is on in production, but a file write per request
        # would measure the disk; WARNING keeps the errors.
        TODO_LOG_LEVEL="WARNING",
        # Seeding is a burst of writes from one address; the budget is not what is measured.
        TODO_WRITE_RATE_LIMIT="100000 per minute",
    )
    if redis_url is None:
        env["TODO_CACHE_TTL"] = "0"
    else:
        env["TODO_REDIS_URL"] = redis_url
    return env


def serve(
    app: str, ready_path: str, env: Mapping[str, str], threads: int = THREADS
) -> AbstractContextManager[Served]:
    """``app`` served as ``make todo`` serves it, minus the per-request access log."""
    return served(
        app, env=env, workers=WORKERS, threads=threads, ready_path=ready_path, timeout=60,
        access_log=False,
    )  # fmt: skip


def seed(base: str, count: int) -> None:
    """``count`` todos through ``POST /todos``: every third done, every other one ordered."""
    for number in range(1, count + 1):
        body: dict[str, object] = {"title": f"todo number {number}", "completed": number % 3 == 0}
        if number % 2 == 0:
            body["order"] = number
        request = urllib.request.Request(
            f"{base}/todos",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with _DIRECT.open(request, timeout=30) as response:
            response.read()


def list_length(url: str) -> int:
    """How many todos ``GET url`` lists."""
    with _DIRECT.open(url, timeout=30) as response:
        return len(json.load(response))


def tree_cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds used so far by process ``pid`` and its descendants (the
    gunicorn workers), from ``/proc``; None where there is no ``/proc`` to read."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for entry in entries:
        with suppress(OSError, ValueError, IndexError):
            # The command name is in parentheses and may hold spaces: split after it.
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    if pid not in used:
        return None
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(used[member] for member in tree)


def cpu_ms_per_request(before: float | None, after: float | None, requests: int) -> float | None:
    """Milliseconds of server CPU per request between two readings, if both were taken."""
    if before is None or after is None or requests == 0:
        return None
    return (after - before) * 1000 / requests


def median(values: Sequence[float | None]) -> float | None:
    """The middle value (the lower middle one of an even count), or None if any is missing."""
    if not values or any(value is None for value in values):
        return None
    ordered = sorted(value for value in values if value is not None)
    return ordered[(len(ordered) - 1) // 2]


def median_round(results: Sequence[LoadResult]) -> LoadResult:
    """The round with the median requests per second (the lower middle one of an even count)."""
    ordered = sorted(results, key=lambda result: result.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]


@contextmanager
def redis_for_bench(url: str | None) -> Iterator[tuple[str, str]]:
    """``(url, where it came from)``: the given Redis, or a throwaway one for the block."""
    if url:
        yield url, "REDIS_URL"
        return
    with throwaway_redis() as throwaway:
        yield throwaway, "a throwaway redis-server"


Rounds = dict[str, list[LoadResult]]
CpuRounds = dict[str, list[float | None]]


def run(args: argparse.Namespace, folder: Path) -> tuple[Rounds, CpuRounds, str]:
    """Seed, serve and load; every round's result and server CPU per request by endpoint,
    and which Redis was used."""
    database = f"sqlite:///{folder / 'todo.db'}"
    bare_env = os.environ | {"PYTHONPATH": str(ROOT)}
    with (
        ExitStack() as later,
        redis_for_bench(args.redis) as (redis_url, redis_source),
        serve("bench.bare_app:create_app()", "/api/ping", bare_env, args.threads) as bare,
        serve(TODO_APP, "/healthz", todo_env(database, None), args.threads) as plain,
        serve(TODO_APP, "/healthz", todo_env(database, redis_url), args.threads) as cached,
    ):
        print(f"seeding {args.todos} todos through POST /todos into sqlite ...", flush=True)
        seed(plain.url, args.todos)
        for server in (plain, cached):
            if (seen := list_length(f"{server.url}/todos")) != args.todos:
                raise BenchFailed(f"GET /todos listed {seen} todos, expected {args.todos}")
        targets = {BARE: (bare, f"{bare.url}/api/ping")}
        if args.body_baseline:
            body_file = folder / "list.json"
            with _DIRECT.open(f"{cached.url}/todos", timeout=30) as response:
                body_file.write_bytes(response.read())
            body_env = bare_env | {BODY_FILE_VAR: str(body_file)}
            body = later.enter_context(
                serve("bench.todo:bare_body_app()", "/api/list", body_env, args.threads)
            )
            targets[BODY] = (body, f"{body.url}/api/list")
        targets |= {
            FLOOR: (cached, f"{cached.url}/healthz"),
            UNCACHED: (plain, f"{plain.url}/todos"),
            CACHED: (cached, f"{cached.url}/todos"),
        }
        for _, url in targets.values():
            run_wrk(url, 1, args.connections)  # warm-up: imports, pools, the first cache fill
        rounds: Rounds = {name: [] for name in targets}
        cpu: CpuRounds = {name: [] for name in targets}
        # Round-robin rather than one endpoint after another, so a burst of other work on
        # the machine lands on every endpoint alike.
        for number in range(1, args.rounds + 1):
            print(f"round {number}/{args.rounds}: each endpoint {args.seconds}s ...", flush=True)
            for name, (server, url) in targets.items():
                before = tree_cpu_seconds(server.process.pid)
                result = run_wrk(url, args.seconds, args.connections)
                after = tree_cpu_seconds(server.process.pid)
                rounds[name].append(result)
                cpu[name].append(cpu_ms_per_request(before, after, result.requests))
    return rounds, cpu, redis_source


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        # Before any server starts, rather than after.
        print(
            "python -m bench.todo: wrk is not installed: apt-get install wrk (or brew install wrk)",
            file=sys.stderr,
        )
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="bench-todo-") as folder:
            rounds, cpu, redis_source = run(args, Path(folder))
    except (LoadToolMissing, ServerDidNotStart, NoRedis, BenchFailed) as error:
        print(f"python -m bench.todo: {error}", file=sys.stderr)
        return 2
    report(rounds, cpu, args, redis_source)
    return 0


def machine() -> str:
    """The CPU (when Linux names it), cores, Python, and the load average as the run ends."""
    model = ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip() + ", "
                break
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{model}{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}{load}"
    )


def report(rounds: Rounds, cpu: CpuRounds, args: argparse.Namespace, redis_source: str) -> None:
    """The table of median rounds, and the JSON file of every round if asked for."""
    runs = {name: median_round(results) for name, results in rounds.items()}
    cpu_medians = {name: median(values) for name, values in cpu.items()}
    baseline = runs[BARE].requests_per_second
    cpu_baseline = cpu_medians[BARE]
    print(
        f"\n{args.todos} todos in sqlite, Redis from {redis_source}, gunicorn {WORKERS} workers "
        f"x {args.threads} threads, "
        f"wrk 1 thread x {args.connections} connections, median of {args.rounds} rounds of "
        f"{args.seconds}s — {machine()}\n"
    )
    print(
        f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}"
        f"{'cpu ms':>9}{'cpu ratio':>11}"
    )
    for name, result in runs.items():
        spent = cpu_medians[name]
        cpu_columns = (
            f"{spent:>9.3f}{cpu_baseline / spent:>11.3f}"
            if spent and cpu_baseline
            else f"{'-':>9}{'-':>11}"
        )
        print(
            f"{name:<28}{result.requests_per_second:>10.0f}{result.p50_ms:>9.2f}"
            f"{result.p99_ms:>9.2f}{result.errors:>8}{result.requests_per_second / baseline:>8.3f}"
            f"{cpu_columns}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": machine(),
                    "todos": args.todos,
                    "workers": WORKERS,
                    "threads": args.threads,
                    "database": "sqlite",
                    "redis": redis_source,
                    "median": {name: vars(result) for name, result in runs.items()},
                    "rounds": {
                        name: [vars(result) for result in results]
                        for name, results in rounds.items()
                    },
                    # Server CPU milliseconds per request: the median, then each round's.
                    "cpu_ms_per_request": cpu_medians,
                    "cpu_ms_per_request_rounds": cpu,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
