"""One CSV file through validation into a sink, all or nothing.

Rows stream from the file into the sink's ``with`` block as they are checked. The first bad row
stops the writing but not the checking, so the report lists every bad row; at the end an
exception leaves the block, and the sink throws away whatever it had received.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from day03.importer.errors import (
    BadEncoding,
    ImportFailed,
    InvalidRows,
    SourceUnreadable,
    TooManyErrors,
)
from day03.importer.report import ImportReport
from day03.importer.rows import Header, Order, RowError, parse_header, parse_row
from day03.importer.sinks import OrderWriter, Sink

logger = logging.getLogger(__name__)

#: Rows handed to the sink at once: few round trips to a database, little memory.
BATCH_SIZE = 500

NumberedRow = tuple[int, list[str]]


def import_csv(
    source: str | Path,
    sink: Sink,
    *,
    max_errors: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import the orders in ``source`` into ``sink`` if every row is valid, else write nothing.

    Returns the report of a successful import. Raises an :class:`ImportFailed` subclass
    otherwise, with the report (listing every row error) as its ``report``. With
    ``max_errors``, checking stops once that many errors are found.
    """
    if max_errors is not None and max_errors < 1:
        raise ValueError(f"max_errors must be at least 1, got {max_errors}")
    path = Path(source)
    report = ImportReport(source=str(path), destination=sink.name)
    logger.info("importing %s into %s", path, sink.name)
    try:
        with _open_csv(path) as rows:
            _, header_fields = next(rows, (1, []))
            header = parse_header(header_fields, source=str(path))
            with sink.open() as writer:
                written = _write_valid_rows(rows, header, writer, report, max_errors, batch_size)
    except ImportFailed as error:
        report.refuse(str(error))
        error.report = report
        logger.info("refused %s: %s", path, error)
        raise
    report.accept(written, kept=sink.keeps_rows)
    logger.info("%s: %s", path, report.summary)
    return report


def _write_valid_rows(
    rows: Iterator[NumberedRow],
    header: Header,
    writer: OrderWriter,
    report: ImportReport,
    max_errors: int | None,
    batch_size: int,
) -> int:
    """Send valid orders to ``writer`` in batches; raise RowsRejected if any row was bad."""
    # practice 2: write in batches, stop writing at the first bad row but keep checking
    # hint: once report.errors is not empty, skip writing but keep iterating _valid_orders;
    # hint: at the end raise InvalidRows if there were errors, else write the last short batch.
    batch: list[Order] = []
    written = 0
    for order in _valid_orders(rows, header, report, max_errors):
        if report.errors:
            continue  # nothing will be kept now, but later rows still deserve a check
        batch.append(order)
        if len(batch) == batch_size:
            writer.write(batch)
            written, batch = written + len(batch), []
    if report.errors:
        raise InvalidRows(
            f"{report.invalid_rows} of {report.rows_read} rows are invalid "
            f"({len(report.errors)} errors); nothing was written"
        )
    if batch:
        writer.write(batch)
        written += len(batch)
    return written
    # end practice 2


def _valid_orders(
    rows: Iterator[NumberedRow],
    header: Header,
    report: ImportReport,
    max_errors: int | None,
) -> Iterator[Order]:
    """Yield each valid order; record each bad row's errors in ``report``."""
    first_seen: dict[str, int] = {}
    for line, fields in rows:
        report.rows_read += 1
        result = parse_row(fields, header, line)
        if isinstance(result, Order) and result.order_id in first_seen:
            earlier = first_seen[result.order_id]
            message = f"repeats {result.order_id!r} from line {earlier}"
            result = [RowError(line, "order_id", message)]
        if isinstance(result, Order):
            first_seen[result.order_id] = line
            logger.debug("line %d: ok (%s)", line, result.order_id)
            yield result
            continue
        report.add(result)
        problems = "; ".join(f"{error.column or 'row'} {error.message}" for error in result)
        logger.debug("line %d: invalid: %s", line, problems)
        if max_errors is not None and len(report.errors) >= max_errors:
            report.stopped_early = True
            raise TooManyErrors(
                f"stopped at line {line} after {len(report.errors)} errors "
                f"(the limit is {max_errors}); nothing was written"
            )


@contextmanager
def _open_csv(path: Path) -> Iterator[Iterator[NumberedRow]]:
    """The file's non-blank CSV rows, each with the line it starts on, header first."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise SourceUnreadable(f"cannot open {path}: {error.strerror}") from None
    with handle:
        yield _numbered_rows(handle, path)


def _numbered_rows(handle: BinaryIO, path: Path) -> Iterator[NumberedRow]:
    reader = csv.reader(_utf8_lines(handle, path))
    while True:
        # A quoted value may span lines: a row starts on the line after the previous row ended.
        starts_on = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SourceUnreadable(
                f"{path} line {reader.line_num} is not valid CSV ({error}); "
                "check its quotes and separators"
            ) from None
        if fields:  # csv gives [] for a blank line
            yield starts_on, fields


def _utf8_lines(handle: BinaryIO, path: Path) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported on its own line.

    That is exact for UTF-8: a newline byte never occurs inside a multi-byte character.
    """
    for number, raw in enumerate(handle, start=1):
        try:
            # utf-8-sig on the first line drops the byte-order mark spreadsheets like to add.
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise BadEncoding(
                f"{path} line {number} is not UTF-8 (byte 0x{raw[error.start]:02x} "
                f"at column {error.start + 1}); save the file as UTF-8 and try again"
            ) from None
