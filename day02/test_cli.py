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

from day02.__main__ import (
    Refusal,
    StoryResult,
    build_parser,
    main,
    render_text,
    report_as_dict,
    run_story,
)
from day02.inventory import Inventory

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


# --- the exact report, in-process ---------------------------------------------------------------

THE_STORY_IN_EUR = """\
Stockroom ledger in EUR

  received   +40 × TEA-001  at EUR 3.20    value EUR 128.00     on hand  40  (PO-1001)
  received   +25 × TEA-002  at EUR 5.10    value EUR 127.50     on hand  25  (PO-1001)
  received   +12 × MUG-010  at EUR 7.25    value EUR 87.00      on hand  12  (PO-1002)
  received   +20 × TEA-001  at EUR 3.50    value EUR 70.00      on hand  60  (PO-1003, new season)
  shipped    -35 × TEA-001                 value EUR -115.50    on hand  25  (order 5001)
  shipped     -5 × MUG-010                 value EUR -36.25     on hand   7  (order 5002)
  adjusted    -1 × TEA-002                 value EUR -5.10      on hand  24  (tin dented in transit)
  received   +10 × TEA-002  at EUR 5.45    value EUR 54.50      on hand  34  (PO-1004)
  shipped     -7 × TEA-002                 value EUR -36.42     on hand  27  (order 5003)
  refused    -10 × MUG-010  cannot ship 10 × MUG-010: only 7 on hand
  ledger unchanged: 9 movements, 9 reached the movement log

Stock on hand at weighted average cost, most valuable first

  SKU      product                  on hand     avg cost          value
  ---------------------------------------------------------------------
  TEA-002  Assam black tea, 250 g        27     EUR 5.20     EUR 140.48
  TEA-001  Sencha green tea, 100 g       25     EUR 3.30      EUR 82.50
  MUG-010  Stoneware mug                  7     EUR 7.25      EUR 50.75
  total                                                      EUR 273.73
"""


def test_the_story_prints_exactly_this_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0

    assert capsys.readouterr().out == THE_STORY_IN_EUR


HELP_AT_80_COLUMNS = """\
usage: python -m day02 [-h] [--currency CODE] [--json] [--journal FILE]

Run a scripted day of stock movements through an append-only ledger and print
what is on hand, valued at weighted average cost.

options:
  -h, --help       show this help message and exit
  --currency CODE  ISO 4217 currency for costs and values (default: EUR; try
                   JPY for no decimals)
  --json           print the report as JSON
  --journal FILE   also write each recorded movement to FILE as JSON Lines
                   (overwritten)
"""


def test_help_names_each_value_and_the_default_currency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    assert build_parser().format_help() == HELP_AT_80_COLUMNS


def test_the_json_report_names_every_field_and_gives_no_average_for_an_empty_shelf() -> None:
    result = run_story("EUR")
    data = report_as_dict(result)
    assert list(data["movements"][0]) == [
        "sku", "kind", "quantity", "unit_cost", "note", "value_change", "on_hand_after",
    ]  # fmt: skip
    assert data["movements"][0]["on_hand_after"] == 40
    stock = {row["sku"]: row for row in data["stock"]}
    assert stock["TEA-002"] == {
        "sku": "TEA-002",
        "name": "Assam black tea, 250 g",
        "on_hand": 27,
        "average_cost": {"amount": "5.20", "currency": "EUR"},
        "value": {"amount": "140.48", "currency": "EUR"},
    }

    empty = Inventory("EUR")
    empty.add_product("MUG-010", "Stoneware mug")
    bare = report_as_dict(StoryResult(empty, [], result.refusal, 0))
    assert bare["stock"][0]["average_cost"] is None
    assert bare["total_value"] == {"amount": "0.00", "currency": "EUR"}


def test_the_text_report_says_so_in_capitals_when_a_refusal_changed_the_ledger() -> None:
    result = run_story("EUR")
    changed = Refusal(result.refusal.movement, result.refusal.reason, ledger_unchanged=False)

    text = render_text(StoryResult(result.inventory, result.postings, changed, 9))

    assert "  ledger CHANGED: 9 movements, 9 reached the movement log\n" in text, text
    assert "ledger unchanged" not in text


def test_the_json_report_is_indented_and_keeps_the_times_sign(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--json"]) == 0

    out = capsys.readouterr().out
    assert out.startswith('{\n  "currency": "EUR",\n  "movements": [\n    {\n      "sku": '), out
    assert '"reason": "cannot ship 10 × MUG-010: only 7 on hand"' in out
