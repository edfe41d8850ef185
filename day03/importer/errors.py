"""Why an import wrote nothing. Every message is one line that names the problem and the fix.

ImportFailed
├── SourceUnreadable      the CSV cannot be opened or is not CSV
│   └── BadEncoding       the bytes are not UTF-8
├── BadHeader             the first line is not the expected header
├── RowsRejected          some rows are invalid (the report lists them)
│   ├── InvalidRows       every row was checked
│   └── TooManyErrors     checking stopped at the error limit
└── OutputFailed          the destination could not take the rows
    └── DatabaseRejected  a database constraint refused a row; all were rolled back
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from day03.importer.report import ImportReport


class ImportFailed(Exception):
    """The import was refused and nothing was written.

    ``report`` is the report so far; :func:`~day03.importer.import_csv` fills it in before the
    exception leaves it, so a caller can still save or show it.
    """

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class SourceUnreadable(ImportFailed):
    """The CSV file is missing, unreadable, or not CSV at all."""


class BadEncoding(SourceUnreadable):
    """The CSV file is not UTF-8 text."""


class BadHeader(ImportFailed):
    """The header line is missing, or its columns are not the expected ones."""


class RowsRejected(ImportFailed):
    """At least one row is invalid; the report holds every row error found."""


class InvalidRows(RowsRejected):
    """The whole file was checked and some rows are invalid."""


class TooManyErrors(RowsRejected):
    """Checking stopped early because the error limit was reached."""


class OutputFailed(ImportFailed):
    """The destination refused the rows or could not be written; it was left as it was."""


class DatabaseRejected(OutputFailed):
    """A database constraint (a duplicate key, say) refused a row, so every row was rolled back."""
