"""python -m day03 [CSV] [--out FILE.jsonl | --db URL] [--report FILE] [--max-errors N] [--verbose]

With a CSV file: import its orders (all or nothing) and print the report. Without one: a demo
on the two sample files in day03/samples, writing into a temporary folder that the output calls
``<tmp>``, so the demo prints the same every run.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa

from day03.importer import (
    CheckOnlySink,
    DatabaseRejected,
    DatabaseSink,
    ImportFailed,
    ImportReport,
    JsonLinesSink,
    RowsRejected,
    atomic_write,
    import_csv,
)
from day03.importer.sinks import Sink, orders_table
from shared.config import ConfigError
from shared.db import check_connection, create_engine

PROG = "python -m day03"
SAMPLES = Path(__file__).resolve().parent / "samples"
CLEAN_SAMPLE = SAMPLES / "orders_clean.csv"
BAD_SAMPLE = SAMPLES / "orders_bad.csv"

#: How the demo names its temporary folder, whose real path changes every run.
TMP = "<tmp>"

EXIT_OK = 0
EXIT_REFUSED = 1  # the data was refused: invalid rows, or rows the database rejected
EXIT_BAD_INPUT = 2  # the import could not run: bad arguments, unreadable CSV, unusable output


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit 2) instead of two."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def at_least_one(text: str) -> int:
    """argparse type for --max-errors."""
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return limit


def build_parser() -> argparse.ArgumentParser:
    """The command line: an optional CSV, one destination, a report file and the log level."""
    parser = OneLineParser(
        prog=PROG,
        description="Import orders from a CSV file, all or nothing: if any row is invalid, "
        "nothing is written and the report lists every bad row. Without a CSV, run a demo "
        "on the sample files.",
        epilog="Columns: order_id,email,ordered_on (YYYY-MM-DD),quantity,unit_price. "
        "Exit status: 0 imported; 1 refused, nothing written (invalid rows, or rows the "
        "database rejected); 2 bad arguments or input (unreadable CSV, wrong header, unusable "
        "destination).",
    )
    parser.add_argument("csv", nargs="?", type=Path, metavar="CSV", help="the file to import")
    destination = parser.add_mutually_exclusive_group()
    destination.add_argument(
        "--out", type=Path, metavar="FILE.jsonl", help="write the orders as JSON Lines"
    )
    destination.add_argument(
        "--db", metavar="URL", help="insert the orders into a database, e.g. sqlite:///orders.db"
    )
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="also save the report (JSON if FILE ends .json)"
    )
    parser.add_argument(
        "--max-errors", type=at_least_one, metavar="N", help="stop checking after N row errors"
    )
    parser.add_argument("--verbose", action="store_true", help="log every step (DEBUG)")
    return parser


def configure_logging(verbose: bool) -> None:
    """Log records to stderr; DEBUG for this day's loggers with --verbose, else warnings only."""
    logging.basicConfig(format="%(levelname)-7s %(name)s: %(message)s", level=logging.WARNING)
    logging.getLogger("day03").setLevel(logging.DEBUG if verbose else logging.WARNING)


def fail(message: str, status: int = EXIT_BAD_INPUT) -> int:
    """Say what went wrong in one line on stderr; return the exit status."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def save_report(report: ImportReport, path: Path) -> None:
    """Write the report atomically: JSON for a .json file, text otherwise."""
    with atomic_write(path) as handle:
        handle.write(report.to_json() if path.suffix == ".json" else report.to_text())


def run_import(args: argparse.Namespace) -> int:
    """Import one file as the arguments say; print the report; one stderr line on failure."""
    try:
        report = import_as_asked(args)
    except ConfigError as error:
        return fail(str(error))
    except ImportFailed as error:
        if isinstance(error, RowsRejected) and error.report:
            print(error.report.to_text(), end="")  # the rows to fix, one per line
        if args.report and error.report:
            save_report(error.report, args.report)
        refused = isinstance(error, RowsRejected | DatabaseRejected)
        return fail(str(error), EXIT_REFUSED if refused else EXIT_BAD_INPUT)
    print(report.to_text(), end="")
    if args.report:
        save_report(report, args.report)
    return EXIT_OK


def import_as_asked(args: argparse.Namespace) -> ImportReport:
    """Build the sink the arguments name and import the CSV into it."""
    if args.out:
        return import_csv(args.csv, JsonLinesSink(args.out), max_errors=args.max_errors)
    if not args.db:
        return import_csv(args.csv, CheckOnlySink(), max_errors=args.max_errors)
    engine = create_engine(args.db, var="--db")
    try:
        check_connection(engine, var="--db")
        return import_csv(args.csv, DatabaseSink(engine), max_errors=args.max_errors)
    finally:
        engine.dispose()


def run_demo(max_errors: int | None) -> int:
    """Both sample files into a temporary folder: two imports kept, two refused."""
    with tempfile.TemporaryDirectory(prefix="day03-") as folder:
        jsonl = Path(folder) / "orders.jsonl"
        engine = create_engine(f"sqlite:///{Path(folder) / 'orders.db'}")
        try:
            print(f"Writing into a temporary folder, {TMP} below (removed at the end)")
            print("\n1) the clean sample -> orders.jsonl")
            demo_step(CLEAN_SAMPLE, JsonLinesSink(jsonl), max_errors, folder)
            print("\n2) the clean sample -> an SQLite database, in one transaction")
            demo_step(CLEAN_SAMPLE, DatabaseSink(engine), max_errors, folder)
            print("\n3) the sample with bad rows -> orders.jsonl, which step 1 wrote")
            demo_step(BAD_SAMPLE, JsonLinesSink(jsonl), max_errors, folder)
            lines = len(jsonl.read_text(encoding="utf-8").splitlines())
            print(f"   orders.jsonl still holds the {lines} orders from step 1")
            print("\n4) the clean sample -> the same database again (its order ids are taken)")
            demo_step(CLEAN_SAMPLE, DatabaseSink(engine), max_errors, folder)
            with engine.connect() as connection:
                count = connection.scalar(sa.select(sa.func.count()).select_from(orders_table))
            print(f"   the table still holds the {count} orders from step 2")
        finally:
            engine.dispose()
    return EXIT_OK


def demo_step(csv_path: Path, sink: Sink, max_errors: int | None, folder: str) -> None:
    """Run one import and print its outcome, indented, ``folder`` shown as ``<tmp>``."""
    # Shown relative to the repository, as a learner would type it.
    shown = csv_path.relative_to(Path.cwd()) if csv_path.is_relative_to(Path.cwd()) else csv_path
    try:
        report = import_csv(shown, sink, max_errors=max_errors)
    except ImportFailed as error:
        assert error.report is not None  # import_csv always attaches it
        report = error.report
    text = report.to_text() if report.errors else f"{report.status} — {report.summary}\n"
    text = text.replace(folder, TMP)
    print("".join(f"   {line}\n" for line in text.splitlines()), end="")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, then run the demo or one import; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    if args.csv is None:
        if args.out or args.db or args.report:
            parser.error("--out, --db and --report need a CSV file to import")
        return run_demo(args.max_errors)
    if args.report and not args.report.parent.is_dir():
        parser.error(f"--report: the folder {args.report.parent} does not exist")
    try:
        return run_import(args)
    except OSError as error:  # e.g. no permission to create a file next to --out or --report
        return fail(f"{error.strerror}: {error.filename}")


if __name__ == "__main__":
    sys.exit(main())
