"""`python -m day41`: the examples, the refusals, the exact operation counts and the timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from day41 import __main__ as demo

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Time the races at small sizes, so an in-process run takes a fraction of a second."""
    monkeypatch.setattr(demo, "TIME_SIZES", (20, 40))


@pytest.mark.slow
def test_the_demo_runs_offline_and_exits_0_with_the_answers_and_the_growth() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "day41"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "ORACLE DISAGREES" not in done.stdout
    assert "  two_sum([2, 7, 11, 15], 9) = (0, 1)  (same as the oracle)" in done.stdout
    assert "  two_sum: hash map ~ n^1, every pair ~ n^2" in done.stdout
    assert " ms " not in done.stdout  # the milliseconds vary, so only --timings shows them


def test_the_operation_counts_are_the_same_every_run() -> None:
    race = demo.RACES[0]
    assert demo.counted(race) == demo.counted(race)
    assert "fit            n^1.00, stated O(n)          n^2.00, stated O(n^2)" in demo.counted(race)


def test_the_worst_case_for_two_sum_has_no_pair() -> None:
    values = demo.no_pair_values(200)
    assert demo.two_sum_brute(values, 1) is None


def test_each_bad_input_is_one_line_naming_the_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo.examples()
    out = capsys.readouterr().out
    assert "  max_water([3, -2]): ValueError: heights must be >= 0, got -2\n" in out
    assert "  longest_unique_substring(None): TypeError: text must be a str, got NoneType\n" in out


def test_timings_prints_a_table_of_milliseconds_per_race(
    small_timings: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "COUNT_SIZES", (10, 20))
    assert demo.main(["--timings"]) == 0
    out = capsys.readouterr().out
    assert out.count(" ms  ratio") == 2 * len(demo.RACES)
    assert "stated O(n^2)" in out
