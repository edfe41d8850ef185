"""`python -m day10 [--db URL]`: the RealWorld Postman collection against the served Blog API.

Exit status: 0 when every assertion held, 1 when any failed (or a request got no answer),
2 when the run could not start (no collection, no npx, a bad or unreachable database).
"""

from __future__ import annotations

import argparse
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
from shared.config import ConfigError
from shared.db import check_connection, create_engine, is_memory_sqlite, parse_url
from shared.serve import OneLineParser

PROG = "python -m day10"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m day10``."""
    parser = OneLineParser(
        prog=PROG,
        description="Serve the Blog API with gunicorn on a fresh database and run the official "
        "RealWorld Postman collection against it with newman (through npx).",
        epilog=f"The collection is read from ${COLLECTION_ENV}, else from "
        "../shared/realworld/Conduit.postman_collection.json next to the repository.",
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


def report(summary: Summary, backend: str) -> None:
    """Each failure on its own line, then the one-line summary."""
    for failure in summary.failures:
        print(f"  FAILED {failure.request} › {failure.name}: {failure.message}")
    print(f"RealWorld collection on {backend}: {summary.describe()}")


def main(argv: Sequence[str] | None = None) -> int:
    """Serve, run the collection, report; return the exit status."""
    args = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day10-") as folder:
        try:
            collection = find_collection()
            check_collection(collection)
            newman_command()
            database_url = check_database(args.db or f"sqlite:///{Path(folder) / 'blog.db'}")
            backend = parse_url(database_url).get_backend_name()
            with serve_blog(database_url) as api_url:
                print(f"Serving the Blog API on {api_url} ({backend})", flush=True)
                summary = run_collection(api_url, collection)
        except (ContractError, ConfigError) as error:
            print(f"{PROG}: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            # The server has already been stopped by serve_blog on the way out.
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
    report(summary, backend)
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main())
