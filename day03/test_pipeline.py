"""A whole file through the importer: every bad row reported, nothing written unless all good."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from day03.importer import (
    BadEncoding,
    BadHeader,
    CheckOnlySink,
    ImportFailed,
    ImportReport,
    ImportStatus,
    InvalidRows,
    JsonLinesSink,
    RowsRejected,
    SourceUnreadable,
    TooManyErrors,
    import_csv,
)

WriteCsv = Callable[..., Path]

GOOD_ROW = "A-1,ana@example.com,2024-03-01,1,9.99"


def refused_report(source: Path, **options: int) -> RowsRejected:
    """Import ``source`` expecting its rows to be rejected; return the exception."""
    with pytest.raises(RowsRejected) as caught:
        import_csv(source, CheckOnlySink(), **options)
    return caught.value


def test_the_report_lists_every_bad_row_with_its_line_number(bad_sample: Path) -> None:
    error = refused_report(bad_sample)

    assert error.report is not None
    found = [(row_error.line, row_error.column) for row_error in error.report.errors]
    assert found == [
        (3, "email"),
        (4, "ordered_on"),
        (5, "ordered_on"),
        (5, "quantity"),
        (7, "unit_price"),
        (8, "order_id"),
        (9, None),
    ]


def test_the_report_counts_rows_and_says_nothing_was_written(bad_sample: Path) -> None:
    error = refused_report(bad_sample)

    report = error.report
    assert report is not None
    assert (report.rows_read, report.valid_rows, report.invalid_rows) == (10, 4, 6)
    assert report.status is ImportStatus.REFUSED
    assert isinstance(error, InvalidRows)
    assert str(error) == "6 of 10 rows are invalid (7 errors); nothing was written"


def test_line_numbers_count_blank_lines_and_values_spanning_lines(write_csv: WriteCsv) -> None:
    source = write_csv(
        'A-1,"ana',  # a quoted value running over three lines, with a blank one inside
        "",
        '@example.com",2024-03-01,1,9.99',
        "",
        "A-2,not-an-email,2024-03-01,1,9.99",
    )

    error = refused_report(source)

    assert error.report is not None
    assert [(e.line, e.column) for e in error.report.errors] == [(2, "email"), (6, "email")]


def test_a_repeated_order_id_names_the_line_that_used_it_first(write_csv: WriteCsv) -> None:
    source = write_csv(
        GOOD_ROW,
        "B-1,bo@example.com,2024-03-01,1,1.00",
        "a-1,cy@example.com,2024-03-02,1,2.00",  # ids are compared upper-cased
    )

    error = refused_report(source)

    assert error.report is not None
    assert [str(e) for e in error.report.errors] == ["line 4, order_id: repeats 'A-1' from line 2"]


def test_max_errors_stops_checking_once_the_limit_is_reached(bad_sample: Path) -> None:
    error = refused_report(bad_sample, max_errors=3)

    assert isinstance(error, TooManyErrors)
    assert str(error) == "stopped at line 5 after 4 errors (the limit is 3); nothing was written"
    assert error.report is not None
    assert error.report.stopped_early
    assert error.report.rows_read == 4, "rows after the limit must not be read"


def test_max_errors_below_one_is_a_programming_error(clean_sample: Path) -> None:
    with pytest.raises(ValueError, match="max_errors must be at least 1, got 0"):
        import_csv(clean_sample, CheckOnlySink(), max_errors=0)


def test_a_clean_file_checked_only_is_reported_valid_and_keeps_nothing(clean_sample: Path) -> None:
    report = import_csv(clean_sample, CheckOnlySink())

    assert report.status is ImportStatus.CHECKED
    assert (report.rows_read, report.rows_imported, report.errors) == (6, 0, [])


def test_a_clean_file_is_written_as_json_lines(clean_sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "orders.jsonl"

    report = import_csv(clean_sample, JsonLinesSink(out), batch_size=4)

    orders = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert report.status is ImportStatus.IMPORTED
    assert report.rows_imported == len(orders) == 6
    assert orders[0] == {
        "order_id": "A-1001",
        "email": "ana.silva@example.com",
        "ordered_on": "2024-03-01",
        "quantity": 2,
        "unit_price": "19.90",
    }


def test_a_file_with_bad_rows_leaves_the_previous_output_untouched(
    bad_sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "orders.jsonl"
    out.write_text("the previous import\n", encoding="utf-8")

    with pytest.raises(InvalidRows):
        # batch_size=1: the first good row really is written before the bad ones show up
        import_csv(bad_sample, JsonLinesSink(out), batch_size=1)

    assert out.read_text(encoding="utf-8") == "the previous import\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["orders.jsonl"]


def test_a_byte_order_mark_before_the_header_is_accepted(write_csv: WriteCsv) -> None:
    source = write_csv(GOOD_ROW, encoding="utf-8-sig")

    assert import_csv(source, CheckOnlySink()).rows_read == 1


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(write_csv: WriteCsv) -> None:
    source = write_csv(GOOD_ROW, "A-2,josé@example.com,2024-03-01,1,9.99", encoding="latin-1")

    with pytest.raises(BadEncoding) as caught:
        import_csv(source, CheckOnlySink())

    assert str(caught.value) == (
        f"{source} line 3 is not UTF-8 (byte 0xe9 at column 8); "
        "save the file as UTF-8 and try again"
    )


@pytest.mark.parametrize("make_path", [lambda tmp: tmp / "missing.csv", lambda tmp: tmp])
def test_a_missing_file_or_a_folder_is_refused_as_unreadable(
    make_path: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = make_path(tmp_path)

    with pytest.raises(SourceUnreadable, match=f"^cannot open {path}: "):
        import_csv(path, CheckOnlySink())


def test_an_empty_file_is_refused_for_its_missing_header(write_csv: WriteCsv) -> None:
    with pytest.raises(BadHeader, match="has no header line"):
        import_csv(write_csv(header=None), CheckOnlySink())


def test_every_refusal_carries_the_report_so_far(write_csv: WriteCsv) -> None:
    source = write_csv("order_id,email", header=None)

    with pytest.raises(BadHeader) as caught:
        import_csv(source, CheckOnlySink())

    assert caught.value.report is not None
    assert caught.value.report.status is ImportStatus.REFUSED
    assert caught.value.report.summary == str(caught.value)


# --- logging -------------------------------------------------------------------------------


def test_each_invalid_row_is_logged_at_debug_with_its_line(
    bad_sample: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="day03")

    refused_report(bad_sample)

    invalid = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.DEBUG and "invalid" in record.getMessage()
    ]
    expected = "line 3: invalid: email must look like name@example.com, got 'hana.example.com'"
    assert invalid[0] == expected
    assert len(invalid) == 6, invalid
    assert {record.name for record in caplog.records} <= {
        "day03.importer.pipeline",
        "day03.importer.sinks",
    }


def test_a_refused_file_import_logs_that_the_temporary_file_was_discarded(
    bad_sample: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="day03")

    with pytest.raises(InvalidRows):
        import_csv(bad_sample, JsonLinesSink(tmp_path / "orders.jsonl"))

    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert any(
        name == "day03.importer.sinks" and level == logging.INFO and "discarded" in message
        for name, level, message in messages
    ), messages
    assert messages[-1][2].startswith(f"refused {bad_sample}: 6 of 10 rows are invalid"), messages


def test_a_successful_import_logs_nothing_above_info(
    clean_sample: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="day03")

    import_csv(clean_sample, JsonLinesSink(tmp_path / "orders.jsonl"))

    assert caplog.records, "expected the import to log its steps"
    assert max(record.levelno for record in caplog.records) == logging.INFO


def test_the_library_never_prints(
    bad_sample: Path, clean_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_csv(clean_sample, JsonLinesSink(tmp_path / "orders.jsonl"))
    with pytest.raises(InvalidRows):
        import_csv(bad_sample, JsonLinesSink(tmp_path / "orders.jsonl"))

    assert capsys.readouterr() == ("", "")


def test_an_import_failure_carries_the_report_it_is_given() -> None:
    report = ImportReport(source="orders.csv", destination="out.jsonl", rows_read=0)

    assert ImportFailed("nothing to import", report).report is report
    assert ImportFailed("nothing to import").report is None


def test_a_row_with_several_problems_is_logged_on_one_line_naming_each_column(
    bad_sample: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="day03.importer.pipeline")

    refused_report(bad_sample)

    invalid = [r.getMessage() for r in caplog.records if ": invalid: " in r.getMessage()]
    assert invalid[2] == (
        "line 5: invalid: ordered_on must be a date written YYYY-MM-DD, got '04/03/2024'; "
        "quantity must be a whole number from 1 to 10000, got 'two'"
    )
    assert invalid[-1] == "line 9: invalid: row has 4 fields, expected 5"


def test_only_the_first_line_may_start_with_a_byte_order_mark(write_csv: WriteCsv) -> None:
    source = write_csv("\ufeff" + GOOD_ROW)

    errors = refused_report(source).report.errors

    assert [(error.line, error.column) for error in errors] == [(2, "order_id")], errors


def test_a_value_over_the_csv_field_limit_is_refused_as_not_valid_csv(
    write_csv: WriteCsv,
) -> None:
    source = write_csv(GOOD_ROW, "A-2," + "x" * (csv.field_size_limit() + 1) + ",2024-03-01,1,9.99")

    with pytest.raises(SourceUnreadable) as caught:
        import_csv(source, CheckOnlySink())

    assert str(caught.value) == (
        f"{source} line 3 is not valid CSV (field larger than field limit "
        f"({csv.field_size_limit()})); check its quotes and separators"
    )


def test_a_wrong_header_is_refused_naming_the_file(write_csv: WriteCsv) -> None:
    source = write_csv("order_id,email", header=None)

    with pytest.raises(BadHeader) as caught:
        import_csv(source, CheckOnlySink())

    assert str(caught.value).startswith(f"{source} has the wrong header (missing "), caught.value


def test_max_errors_of_one_stops_at_the_first_error(bad_sample: Path) -> None:
    error = refused_report(bad_sample, max_errors=1)

    assert str(error) == "stopped at line 3 after 1 errors (the limit is 1); nothing was written"


def test_an_import_logs_where_it_goes_and_how_it_ended(
    clean_sample: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="day03.importer.pipeline")
    out = tmp_path / "orders.jsonl"

    import_csv(clean_sample, JsonLinesSink(out))

    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == f"importing {clean_sample} into {out}", messages
    assert messages[-1] == f"{clean_sample}: 6 rows written to {out}", messages
