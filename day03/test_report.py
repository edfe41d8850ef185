"""The import report: counts and every row error, for a terminal and as JSON."""

from __future__ import annotations

import json

from day03.importer.report import ImportReport, ImportStatus
from day03.importer.rows import RowError

ERRORS = [
    RowError(3, "email", "must look like name@example.com, got 'x'"),
    RowError(12, "quantity", "is required"),
    RowError(12, "unit_price", "is required"),
    RowError(14, None, "has 4 fields, expected 5"),
]


def refused_report() -> ImportReport:
    report = ImportReport(source="orders.csv", destination="out.jsonl", rows_read=20)
    report.add(ERRORS)
    report.refuse("3 of 20 rows are invalid (4 errors); nothing was written")
    return report


def test_invalid_rows_count_lines_not_errors() -> None:
    report = refused_report()

    assert (report.rows_read, report.valid_rows, report.invalid_rows) == (20, 17, 3)


def test_the_text_report_has_the_outcome_the_counts_and_one_line_per_error() -> None:
    text = refused_report().to_text()

    assert text.splitlines() == [
        "source:       orders.csv",
        "destination:  out.jsonl",
        "status:       refused — 3 of 20 rows are invalid (4 errors); nothing was written",
        "rows:         20 read, 17 valid, 3 invalid, 0 imported",
        "errors (4):",
        "  line  3  email       must look like name@example.com, got 'x'",
        "  line 12  quantity    is required",
        "  line 12  unit_price  is required",
        "  line 14  (row)       has 4 fields, expected 5",
    ]


def test_the_json_report_holds_the_same_facts_as_data() -> None:
    data = json.loads(refused_report().to_json())

    assert data["status"] == "refused"
    assert data["rows"] == {"read": 20, "valid": 17, "invalid": 3, "imported": 0}
    assert data["stopped_early"] is False
    assert data["errors"][0] == {
        "line": 3,
        "column": "email",
        "message": "must look like name@example.com, got 'x'",
    }
    assert [error["line"] for error in data["errors"]] == [3, 12, 12, 14]


def test_a_report_stopped_at_the_error_limit_says_later_rows_were_not_checked() -> None:
    report = refused_report()
    report.stopped_early = True

    assert report.to_text().splitlines()[-1] == (
        "  (stopped at the error limit: later rows were not checked)"
    )


def test_an_accepted_import_reports_the_rows_written_and_no_error_section() -> None:
    report = ImportReport(source="orders.csv", destination="out.jsonl", rows_read=6)

    report.accept(6)

    assert report.status is ImportStatus.IMPORTED
    assert report.to_text().splitlines()[2:] == [
        "status:       imported — 6 rows written to out.jsonl",
        "rows:         6 read, 6 valid, 0 invalid, 6 imported",
    ]


def test_a_check_only_run_imports_nothing() -> None:
    report = ImportReport(source="orders.csv", destination="nowhere", rows_read=6)

    report.accept(6, kept=False)

    assert (report.status, report.rows_imported) == (ImportStatus.CHECKED, 0)
    assert report.summary == "all 6 rows are valid; nothing was written"


def test_the_json_report_has_fixed_keys_two_space_indents_and_readable_text() -> None:
    report = ImportReport(source="commandes-été.csv", destination="out.jsonl", rows_read=0)
    report.refuse("nothing to import")
    text = report.to_json()

    assert list(json.loads(text)) == [
        "source", "destination", "status", "summary", "rows", "stopped_early", "errors",
    ]  # fmt: skip
    assert text.startswith('{\n  "source": "commandes-été.csv",\n  "destination": "out.jsonl",\n')
    assert json.loads(text)["summary"] == "nothing to import" and text.endswith("}\n")
