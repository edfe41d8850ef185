"""``python -m day02`` run as a real subprocess, from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day02", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def run_json(*args: str) -> dict[str, Any]:
    result = run_cli("--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_demo_tells_the_story_and_exits_cleanly() -> None:
    result = run_cli()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "refused" in result.stdout and "ledger unchanged" in result.stdout, result.stdout
    assert "Stock on hand at weighted average cost" in result.stdout


def test_the_refused_shipment_is_explained_and_leaves_the_ledger_unchanged() -> None:
    report = run_json()
    refused = report["refused"]
    assert refused["ledger_unchanged"] is True
    assert refused["reason"].startswith(f"cannot ship {refused['movement']['quantity']} × ")
    assert report["movement_log_heard"] == len(report["movements"])


def test_units_on_hand_in_the_report_are_the_sum_of_the_movements() -> None:
    report = run_json()
    signs = {"receipt": 1, "shipment": -1, "adjustment": 1}
    expected: defaultdict[str, int] = defaultdict(int)
    for movement in report["movements"]:
        expected[movement["sku"]] += signs[movement["kind"]] * movement["quantity"]
    actual = {row["sku"]: row["on_hand"] for row in report["stock"]}
    assert actual == dict(expected)


def test_the_total_value_is_the_sum_of_the_rows_and_of_the_value_changes() -> None:
    report = run_json()
    total = Decimal(report["total_value"]["amount"])
    rows = sum(Decimal(row["value"]["amount"]) for row in report["stock"])
    changes = sum(Decimal(m["value_change"]["amount"]) for m in report["movements"])
    assert total == rows == changes, f"total {total}, rows {rows}, changes {changes}"


def test_stock_rows_are_listed_most_valuable_first() -> None:
    values = [Decimal(row["value"]["amount"]) for row in run_json()["stock"]]
    assert values == sorted(values, reverse=True), values


@pytest.mark.parametrize(("currency", "decimals"), [("JPY", 0), ("kwd", 3), ("USD", 2)])
def test_every_amount_is_rounded_to_the_chosen_currency(currency: str, decimals: int) -> None:
    report = run_json("--currency", currency)
    assert report["currency"] == currency.upper()
    amounts = [row["value"] for row in report["stock"]] + [report["total_value"]]
    for amount in amounts:
        exponent = Decimal(amount["amount"]).as_tuple().exponent
        assert amount["currency"] == currency.upper() and exponent == -decimals, amount


def test_journal_gets_one_json_line_per_recorded_movement(tmp_path: Path) -> None:
    journal = tmp_path / "movements.jsonl"
    report = run_json("--journal", str(journal))
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    recorded = [
        {key: value for key, value in movement.items() if key in lines[0]}
        for movement in report["movements"]
    ]
    assert lines == recorded
    assert report["refused"]["movement"] not in lines


def test_help_describes_the_options() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "--currency" in result.stdout and "--journal" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--currency", "EU"], "three capital letters, like EUR"),
        (["--currency", "E1R"], "three capital letters, like EUR"),
        (["--currency", "XYZ"], "'XYZ' is not one this program knows"),
        (["--currency"], "expected one argument"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--journal", "no/such/folder/movements.jsonl"], "cannot write"),
    ],
    ids=["short-code", "digit-in-code", "unknown-code", "missing-value", "unknown-flag", "journal"],
)
def test_a_bad_argument_gets_one_clear_line_and_exit_status_2(
    args: list[str], expected: str
) -> None:
    result = run_cli(*args)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, f"{args}: exit {result.returncode}, stderr {result.stderr!r}"
    assert len(lines) == 1, f"{args}: expected one line on stderr, got {result.stderr!r}"
    assert lines[0].startswith("python -m day02: error:") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
