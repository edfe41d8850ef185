"""`python -m day03` as a learner runs it: a real process, started from the repository root."""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from day03.__main__ import at_least_one, configure_logging, main
from day03.importer.sinks import orders_table
from shared.db import create_engine
from shared.testing.helpers import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
WriteCsv = Callable[..., Path]


def run_day03(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day03", *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


REFUSED, BAD_INPUT = 1, 2


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], status: int, expected: str
) -> None:
    """The run failed with ``status`` and said why in exactly one stderr line, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == status, f"exit {result.returncode}, stderr: {result.stderr}"
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("python -m day03: error: "), lines[0]
    assert expected in lines[0], f"expected {expected!r} in {lines[0]!r}"


# --- success -----------------------------------------------------------------------------------


def test_the_demo_shows_two_imports_kept_and_two_refused() -> None:
    result = run_day03()

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.count("imported — 6 rows written to") == 2, out
    assert "refused — 6 of 10 rows are invalid (7 errors); nothing was written" in out
    assert "line 3  email       must look like name@example.com, got 'hana.example.com'" in out
    assert "orders.jsonl still holds the 6 orders from step 1" in out
    assert "refused — the database refused the rows, so none were inserted" in out
    assert "the table still holds the 6 orders from step 2" in out


def test_the_demo_prints_the_same_every_run() -> None:
    first, second = run_day03(), run_day03()

    assert first.stdout == second.stdout, "the demo output changed between two runs"
    assert "written to <tmp>/orders.jsonl" in first.stdout, first.stdout
    assert "written to sqlite:///<tmp>/orders.db" in first.stdout, first.stdout


def test_importing_into_a_json_lines_file_prints_the_report(
    clean_sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "orders.jsonl"

    result = run_day03(clean_sample, "--out", out)

    assert result.returncode == 0, result.stderr
    assert f"status:       imported — 6 rows written to {out}" in result.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6


def test_importing_into_a_database_commits_every_row(clean_sample: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'orders.db'}"

    result = run_day03(clean_sample, "--db", url)

    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(sa.select(sa.func.count()).select_from(orders_table))
    engine.dispose()
    assert count == 6


def test_without_a_destination_the_file_is_only_checked(clean_sample: Path) -> None:
    result = run_day03(clean_sample)

    assert result.returncode == 0, result.stderr
    assert "status:       checked — all 6 rows are valid; nothing was written" in result.stdout


def test_verbose_logs_every_step_on_stderr(clean_sample: Path) -> None:
    quiet, verbose = run_day03(clean_sample), run_day03(clean_sample, "--verbose")

    assert quiet.stderr == ""
    assert "DEBUG   day03.importer.pipeline: line 2: ok (A-1001)" in verbose.stderr
    assert "INFO    day03.importer.pipeline: importing" in verbose.stderr


def test_help_describes_the_options_and_exits_0() -> None:
    result = run_day03("--help")

    assert result.returncode == 0, result.stderr
    for option in ("--out FILE.jsonl", "--db URL", "--report FILE", "--max-errors N", "--verbose"):
        assert option in result.stdout, f"{option} missing from --help"


# --- refused rows ------------------------------------------------------------------------------


def test_bad_rows_are_listed_and_nothing_is_written(bad_sample: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "orders.jsonl", tmp_path / "report.json"

    result = run_day03(bad_sample, "--out", out, "--report", report)

    expected = "6 of 10 rows are invalid (7 errors); nothing was written"
    assert_one_line_error(result, REFUSED, expected)
    for line in (3, 4, 5, 7, 8, 9):
        assert f"  line {line}  " in result.stdout, f"line {line} missing from:\n{result.stdout}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert [error["line"] for error in saved["errors"]] == [3, 4, 5, 5, 7, 8, 9]


def test_a_text_report_is_saved_when_the_name_does_not_end_in_json(
    bad_sample: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"

    run_day03(bad_sample, "--report", report)

    assert report.read_text(encoding="utf-8").startswith(f"source:       {bad_sample}\n")


def test_max_errors_stops_early_with_a_clear_message(bad_sample: Path) -> None:
    result = run_day03(bad_sample, "--max-errors", "2")

    assert_one_line_error(
        result, REFUSED, "stopped at line 4 after 2 errors (the limit is 2); nothing was written"
    )


def test_rows_the_database_refuses_leave_the_table_as_it_was(
    clean_sample: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    assert run_day03(clean_sample, "--db", url).returncode == 0

    result = run_day03(clean_sample, "--db", url)

    assert_one_line_error(result, REFUSED, "the database refused the rows, so none were inserted")


# --- bad input ---------------------------------------------------------------------------------


def test_a_missing_csv_file(tmp_path: Path) -> None:
    result = run_day03(tmp_path / "nope.csv")

    expected = f"cannot open {tmp_path / 'nope.csv'}: No such file or directory"
    assert_one_line_error(result, BAD_INPUT, expected)


def test_a_wrong_header(write_csv: WriteCsv) -> None:
    source = write_csv("A-1,ana@example.com,2024-03-01,1,9.99", header="id,email,date,qty,price")

    result = run_day03(source)

    expected = "has the wrong header (missing order_id, ordered_on, quantity, unit_price;"
    assert_one_line_error(result, BAD_INPUT, expected)


def test_a_file_in_the_wrong_encoding(write_csv: WriteCsv) -> None:
    source = write_csv("A-1,josé@example.com,2024-03-01,1,9.99", encoding="cp1252")

    result = run_day03(source)

    assert_one_line_error(result, BAD_INPUT, "line 2 is not UTF-8 (byte 0xe9 at column 8)")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "--db is not a database URL: 'not a url'"),
        ("nosuchdb://u:p@localhost/x", "--db uses an unknown database driver 'nosuchdb'"),
    ],
)
def test_a_malformed_database_url(clean_sample: Path, url: str, expected: str) -> None:
    result = run_day03(clean_sample, "--db", url)

    assert_one_line_error(result, BAD_INPUT, expected)


def test_a_database_that_cannot_be_reached(clean_sample: Path) -> None:
    url = f"mysql+pymysql://nobody:secret@127.0.0.1:{free_port()}/orders"

    result = run_day03(clean_sample, "--db", url)

    assert_one_line_error(result, BAD_INPUT, "cannot reach the database in --db")
    assert "secret" not in result.stderr, "the password must not be echoed"


def test_an_output_folder_that_does_not_exist(clean_sample: Path, tmp_path: Path) -> None:
    result = run_day03(clean_sample, "--out", tmp_path / "missing" / "orders.jsonl")

    assert_one_line_error(result, BAD_INPUT, "the folder")
    assert "does not exist" in result.stderr


def test_an_output_path_that_is_a_folder(clean_sample: Path, tmp_path: Path) -> None:
    result = run_day03(clean_sample, "--out", tmp_path)

    expected = f"cannot write {tmp_path}: it is a folder; name a file instead"
    assert_one_line_error(result, BAD_INPUT, expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--max-errors", "0"], "argument --max-errors: must be a whole number of at least 1"),
        (["x.csv", "--out", "a.jsonl", "--db", "sqlite://"], "not allowed with argument --out"),
        (["--out", "a.jsonl"], "--out, --db and --report need a CSV file to import"),
        (["x.csv", "--report", "missing/r.json"], "--report: the folder missing does not exist"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    assert_one_line_error(run_day03(*args), BAD_INPUT, expected)


# --- in-process: the exact demo, and the --max-errors type ------------------------------------

THE_DEMO = """\
Writing into a temporary folder, <tmp> below (removed at the end)

1) the clean sample -> orders.jsonl
   imported — 6 rows written to <tmp>/orders.jsonl

2) the clean sample -> an SQLite database, in one transaction
   imported — 6 rows written to sqlite:///<tmp>/orders.db (imported_orders)

3) the sample with bad rows -> orders.jsonl, which step 1 wrote
   source:       day03/samples/orders_bad.csv
   destination:  <tmp>/orders.jsonl
   status:       refused — 6 of 10 rows are invalid (7 errors); nothing was written
   rows:         10 read, 4 valid, 6 invalid, 0 imported
   errors (7):
     line 3  email       must look like name@example.com, got 'hana.example.com'
     line 4  ordered_on  is not a real calendar date, got '2024-02-30'
     line 5  ordered_on  must be a date written YYYY-MM-DD, got '04/03/2024'
     line 5  quantity    must be a whole number from 1 to 10000, got 'two'
     line 7  unit_price  must be an amount like 12.50 (at most 2 decimals), got '12.505'
     line 8  order_id    repeats 'B-2001' from line 2
     line 9  (row)       has 4 fields, expected 5
   orders.jsonl still holds the 6 orders from step 1

4) the clean sample -> the same database again (its order ids are taken)
   refused — the database refused the rows, so none were inserted: UNIQUE constraint failed: imported_orders.order_id
   the table still holds the 6 orders from step 2
"""  # noqa: E501 (the database's own message, as printed)


def test_the_demo_prints_exactly_this(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)  # the sample paths are shown relative to the current folder

    assert main([]) == 0

    assert capsys.readouterr().out == THE_DEMO


@pytest.mark.parametrize("text", ["0", "-3", "x", "1.5"])
def test_max_errors_must_be_a_whole_number_of_at_least_one(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as error:
        at_least_one(text)

    assert str(error.value) == f"must be a whole number of at least 1, got {text!r}"


def test_max_errors_of_one_is_accepted() -> None:
    assert (at_least_one("1"), at_least_one("12")) == (1, 12)


def test_the_demo_applies_max_errors_to_the_sample_with_bad_rows(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)

    assert main(["--max-errors", "1"]) == 0

    step_3 = capsys.readouterr().out.split("\n3) ")[1].split("\n4) ")[0]
    assert "stopped at line 3 after 1 errors (the limit is 1)" in step_3, step_3
    assert "errors (1):" in step_3, step_3


def test_the_demo_shows_the_samples_by_their_full_path_outside_the_repository(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    assert main([]) == 0

    out = capsys.readouterr().out
    assert f"source:       {REPO_ROOT / 'day03' / 'samples' / 'orders_bad.csv'}\n" in out, out


def test_refused_rows_are_printed_once_as_the_report_and_nothing_more(
    bad_sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(bad_sample)])

    out = capsys.readouterr().out
    assert status == REFUSED
    assert out.startswith(f"source:       {bad_sample}\n"), out
    assert out.endswith("  line 9  (row)       has 4 fields, expected 5\n"), out
    assert out.count("source:") == 1, out


def test_a_database_refusal_prints_no_report_only_the_error(
    clean_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    assert main([str(clean_sample), "--db", url]) == 0
    capsys.readouterr()

    status = main([str(clean_sample), "--db", url])

    captured = capsys.readouterr()
    assert status == REFUSED
    assert captured.out == "", captured.out
    assert captured.err.startswith("python -m day03: error: the database refused the rows"), (
        captured.err
    )


def test_a_successful_import_prints_its_report_once_and_saves_it_when_asked(
    clean_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "report.json"

    status = main(
        [str(clean_sample), "--out", str(tmp_path / "orders.jsonl"), "--report", str(saved)]
    )

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith(f"source:       {clean_sample}\n") and out.endswith(
        "rows:         6 read, 6 valid, 0 invalid, 6 imported\n"
    ), out
    assert out.count("source:") == 1, out
    assert json.loads(saved.read_text(encoding="utf-8"))["rows"]["imported"] == 6


HELP_AT_200_COLUMNS = """\
usage: python -m day03 [-h] [--out FILE.jsonl | --db URL] [--report FILE] [--max-errors N] \
[--verbose] [CSV]

Import orders from a CSV file, all or nothing: if any row is invalid, nothing is written and \
the report lists every bad row. Without a CSV, run a demo on the sample files.

positional arguments:
  CSV               the file to import

options:
  -h, --help        show this help message and exit
  --out FILE.jsonl  write the orders as JSON Lines
  --db URL          insert the orders into a database, e.g. sqlite:///orders.db
  --report FILE     also save the report (JSON if FILE ends .json)
  --max-errors N    stop checking after N row errors
  --verbose         log every step (DEBUG)

Columns: order_id,email,ordered_on (YYYY-MM-DD),quantity,unit_price. Exit status: 0 imported; \
1 refused, nothing written (invalid rows, or rows the database rejected); 2 bad arguments or \
input
(unreadable CSV, wrong header, unusable destination).
"""


def test_help_says_what_each_option_does_and_what_each_exit_status_means(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == HELP_AT_200_COLUMNS


@pytest.mark.parametrize("destination", ["check only", "--out", "--db"])
def test_max_errors_applies_whatever_the_destination(
    destination: str, bad_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = {
        "check only": [],
        "--out": ["--out", str(tmp_path / "orders.jsonl")],
        "--db": ["--db", f"sqlite:///{tmp_path / 'orders.db'}"],
    }[destination]

    status = main([str(bad_sample), "--max-errors", "2", *where])

    captured = capsys.readouterr()
    assert status == REFUSED
    assert "errors (2):" in captured.out, captured.out
    assert "stopped at line 4 after 2 errors (the limit is 2)" in captured.err, captured.err


def test_verbose_shows_only_this_days_records_one_per_line(
    clean_sample: Path, tmp_path: Path
) -> None:
    result = run_day03(clean_sample, "--db", f"sqlite:///{tmp_path / 'orders.db'}", "--verbose")

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    strays = [
        line
        for line in lines
        if not re.fullmatch(r"(DEBUG  |INFO   ) day03\.\w+(\.\w+)*: .+", line)
    ]
    assert lines and not strays, strays


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the root and ``day03`` loggers back as they were after a test configures them."""
    root, day03 = logging.getLogger(), logging.getLogger("day03")
    saved = (root.level, root.handlers[:], day03.level)
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    day03.setLevel(saved[2])


@pytest.mark.usefixtures("restored_logging")
def test_verbose_turns_on_debug_for_this_days_loggers_only() -> None:
    configure_logging(verbose=True)

    assert logging.getLogger("day03.importer.pipeline").isEnabledFor(logging.DEBUG)
    # A library's debug records (a driver, an HTTP client) would drown the importer's own.
    assert not logging.getLogger("some.library").isEnabledFor(logging.DEBUG)


@pytest.mark.parametrize(
    "args",
    [["--out", "a.jsonl"], ["--db", "sqlite://"], ["--report", "r.json"]],
    ids=["out", "db", "report"],
)
def test_each_destination_option_without_a_csv_is_refused_in_one_exact_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)

    assert exit_info.value.code == BAD_INPUT
    assert capsys.readouterr().err == (
        "python -m day03: error: --out, --db and --report need a CSV file to import (see --help)\n"
    )


def test_a_report_in_a_missing_folder_is_refused_in_one_exact_line(
    clean_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(clean_sample), "--report", str(tmp_path / "missing" / "r.json")])

    assert exit_info.value.code == BAD_INPUT
    assert capsys.readouterr().err == (
        f"python -m day03: error: --report: the folder {tmp_path / 'missing'} does not exist "
        "(see --help)\n"
    )


def test_a_report_path_that_is_a_folder_fails_in_one_line_and_leaves_no_temporary_file(
    clean_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "r.json"
    folder.mkdir()

    status = main([str(clean_sample), "--report", str(folder)])

    err = capsys.readouterr().err
    assert status == BAD_INPUT
    # The rename onto the folder is what fails, so the error names the file it renamed.
    assert re.fullmatch(
        rf"python -m day03: error: Is a directory: {tmp_path}/\.r\.json\.\w+\.tmp\n", err
    ), err
    assert sorted(tmp_path.iterdir()) == [folder] and not any(folder.iterdir())
