"""What an import did: counts, the outcome, and every row error, as text or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from day03.importer.rows import RowError


class ImportStatus(StrEnum):
    PENDING = "pending"
    IMPORTED = "imported"
    CHECKED = "checked"  # every row is valid, and the destination keeps nothing
    REFUSED = "refused"


@dataclass
class ImportReport:
    """Filled in while a file is imported; ``summary`` is the one-line outcome."""

    source: str
    destination: str
    status: ImportStatus = ImportStatus.PENDING
    summary: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    stopped_early: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one error (a row may have several)."""
        return len({error.line for error in self.errors})

    @property
    def valid_rows(self) -> int:
        return self.rows_read - self.invalid_rows

    def add(self, errors: Iterable[RowError]) -> None:
        """Record the errors found in one row."""
        self.errors.extend(errors)

    def accept(self, rows_kept: int, *, kept: bool = True) -> None:
        """Mark the import done: ``rows_kept`` rows written, or only checked when not ``kept``."""
        if kept:
            self.status, self.rows_imported = ImportStatus.IMPORTED, rows_kept
            self.summary = f"{rows_kept} rows written to {self.destination}"
        else:
            self.status = ImportStatus.CHECKED
            self.summary = f"all {self.rows_read} rows are valid; nothing was written"

    def refuse(self, reason: str) -> None:
        """Mark the import refused: nothing was written, for ``reason``."""
        self.status, self.summary, self.rows_imported = ImportStatus.REFUSED, reason, 0

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "source": self.source,
            "destination": self.destination,
            "status": self.status.value,
            "summary": self.summary,
            "rows": {
                "read": self.rows_read,
                "valid": self.valid_rows,
                "invalid": self.invalid_rows,
                "imported": self.rows_imported,
            },
            "stopped_early": self.stopped_early,
            "errors": [
                {"line": error.line, "column": error.column, "message": error.message}
                for error in self.errors
            ],
        }

    def to_json(self) -> str:
        """The report as an indented JSON document."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        """The report for a terminal: the outcome, the counts, then one line per row error."""
        lines = [
            f"source:       {self.source}",
            f"destination:  {self.destination}",
            f"status:       {self.status.value} — {self.summary}",
            f"rows:         {self.rows_read} read, {self.valid_rows} valid, "
            f"{self.invalid_rows} invalid, {self.rows_imported} imported",
        ]
        if self.errors:
            lines.append(f"errors ({len(self.errors)}):")
            line_width = len(str(max(error.line for error in self.errors)))
            column_width = max(len(error.column or "(row)") for error in self.errors)
            lines += [
                f"  line {error.line:>{line_width}}  "
                f"{error.column or '(row)':<{column_width}}  {error.message}"
                for error in self.errors
            ]
        if self.stopped_early:
            lines.append("  (stopped at the error limit: later rows were not checked)")
        return "\n".join(lines) + "\n"
