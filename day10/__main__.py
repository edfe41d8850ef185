"""`python -m day10 [--db URL]`: the Blog API served with gunicorn, tested end to end over HTTP.

Without ``$REALWORLD_COLLECTION``, the project's own scenario (:mod:`day10.scenario`) runs and
prints one line per step. With it, the official RealWorld Postman collection runs instead, with
newman through npx.

Exit status: 0 when every step or assertion held, 1 when one failed (or a request got no
answer), 2 when the run could not start (a bad collection, no npx, a bad or unreachable database).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from day10.contract import (
    COLLECTION_ENV,
    ContractError,
    Summary,
    check_collection,
    find_collection,
    newman_command,
    run_collection,
    serve_blog,
)
from day10.scenario import STEPS, Result, run_scenario
from shared.config import ConfigError
from shared.db import check_connection, create_engine, is_memory_sqlite, parse_url
from shared.serve import OneLineParser

PROG = "python -m day10"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m day10``."""
    parser = OneLineParser(
        prog=PROG,
        description="Serve the Blog API with gunicorn on a fresh database and run its own "
        "end-to-end scenario against it over HTTP.",
        epilog=f"With {COLLECTION_ENV} set to the path of the RealWorld Postman collection, the "
        "official collection runs instead, with newman (through npx, so Node.js is needed).",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="an empty database to serve the API on, e.g. mysql+pymysql://user:pass@host/blog "
        "(default: an SQLite file in a temporary folder)",
    )
    return parser


def check_database(url: str) -> str:
    """The normalised URL of a database the server's processes can share and reach right now.

    Raises ConfigError (naming ``--db``) for a malformed, in-memory or unreachable database.
    """
    parsed = parse_url(url, "--db")
    if is_memory_sqlite(parsed):
        raise ConfigError(
            f"--db {url} is an in-memory database, which each server process would see empty; "
            "use a file, e.g. sqlite:////tmp/blog.db"
        )
    try:
        engine = create_engine(parsed, "--db")
    except OSError as error:
        # Creating the folder of an SQLite file can fail (read-only or missing parent).
        raise ConfigError(
            f"--db {url}: cannot create the folder for the SQLite file ({error.strerror}); "
            "choose a path in a writable folder"
        ) from None
    try:
        check_connection(engine, "--db")
    finally:
        engine.dispose()
    return parsed.render_as_string(hide_password=False)


OFFICIAL_HINT = (
    f"The official RealWorld collection runs instead with {COLLECTION_ENV}="
    "path/to/Conduit.postman_collection.json (it needs Node.js, for npx)."
)


def print_result(result: Result) -> None:
    """One line for a step, then one line per problem when it failed."""
    print(f"  {'ok' if result.passed else 'FAILED':<6} {result.step.line()}", flush=True)
    for problem in result.problems:
        print(f"         {problem}")


def run_own_scenario(database: str | None, folder: Path) -> int:
    """Serve the Blog API, run :func:`run_scenario` against it, report; the exit status."""
    database_url = check_database(database or f"sqlite:///{folder / 'blog.db'}")
    backend = parse_url(database_url).get_backend_name()
    where = f"the {backend} database in --db" if database else "a fresh SQLite database"
    results: list[Result] = []
    with serve_blog(database_url) as api_url:
        print(f"Serving the Blog API with gunicorn on {where}", flush=True)
        for result in run_scenario(api_url):
            print_result(result)
            results.append(result)
    passed = sum(result.passed for result in results)
    line = f"Own scenario on {backend}: {passed} of {len(STEPS)} steps passed"
    if passed < len(results):
        line += f", stopped at “{results[-1].step.title}”"
    print(line)
    print(OFFICIAL_HINT)
    return 0 if all(result.passed for result in results) else 1


def run_official_collection(database: str | None, folder: Path) -> int:
    """Serve the Blog API, run the RealWorld collection with newman, report; the exit status."""
    collection = find_collection()
    check_collection(collection)
    newman_command()
    database_url = check_database(database or f"sqlite:///{folder / 'blog.db'}")
    backend = parse_url(database_url).get_backend_name()
    with serve_blog(database_url) as api_url:
        print(f"Serving the Blog API on {api_url} ({backend})", flush=True)
        summary = run_collection(api_url, collection)
    report(summary, backend)
    return 0 if summary.passed else 1


def report(summary: Summary, backend: str) -> None:
    """Each failure on its own line, then the one-line summary."""
    for failure in summary.failures:
        print(f"  FAILED {failure.request} › {failure.name}: {failure.message}")
    print(f"RealWorld collection on {backend}: {summary.describe()}")


def main(argv: Sequence[str] | None = None) -> int:
    """Serve, run the scenario or the collection, report; return the exit status."""
    args = build_parser().parse_args(argv)
    run = (
        run_official_collection if os.environ.get(COLLECTION_ENV, "").strip() else run_own_scenario
    )
    with tempfile.TemporaryDirectory(prefix="day10-") as folder:
        try:
            return run(args.db, Path(folder))
        except (ContractError, ConfigError) as error:
            print(f"{PROG}: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            # The server has already been stopped by serve_blog on the way out.
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
