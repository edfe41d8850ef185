"""An all-or-nothing CSV importer for orders: validate every row, report every problem, and
write the good rows only when there are no bad ones.

    report = import_csv("orders.csv", JsonLinesSink("orders.jsonl"))

Failures are :class:`ImportFailed` subclasses whose message is one line meant for a person.
"""

import logging

from day03.importer.errors import (
    BadEncoding,
    BadHeader,
    DatabaseRejected,
    ImportFailed,
    InvalidRows,
    OutputFailed,
    RowsRejected,
    SourceUnreadable,
    TooManyErrors,
)
from day03.importer.pipeline import import_csv
from day03.importer.report import ImportReport, ImportStatus
from day03.importer.rows import COLUMNS, Order, RowError, parse_header, parse_row
from day03.importer.sinks import CheckOnlySink, DatabaseSink, JsonLinesSink, atomic_write

# A library never decides where log records go; the application configures handlers.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "COLUMNS",
    "BadEncoding",
    "BadHeader",
    "CheckOnlySink",
    "DatabaseRejected",
    "DatabaseSink",
    "ImportFailed",
    "ImportReport",
    "ImportStatus",
    "InvalidRows",
    "JsonLinesSink",
    "Order",
    "OutputFailed",
    "RowError",
    "RowsRejected",
    "SourceUnreadable",
    "TooManyErrors",
    "atomic_write",
    "import_csv",
    "parse_header",
    "parse_row",
]
