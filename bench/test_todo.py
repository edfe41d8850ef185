"""``python -m bench.todo`` in a tiny run, and its pieces (the figures themselves are no test)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import LoadResult
from bench.todo import ROOT, main, median_round, parse_args, todo_env

pytestmark = pytest.mark.timeout(120)


def result(rps: float) -> LoadResult:
    return LoadResult(rps, 1.0, 2.0, int(rps), 0)


def test_the_median_round_is_the_middle_one_by_throughput():
    assert median_round([result(900), result(300), result(600)]).requests_per_second == 600
    assert median_round([result(4), result(1), result(3), result(2)]).requests_per_second == 2


def test_the_uncached_server_gets_no_redis_even_when_the_environment_has_one(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("TODO_REDIS_URL", "redis://127.0.0.1:2/0")
    env = todo_env("sqlite:///x.db", None)
    assert "REDIS_URL" not in env and "TODO_REDIS_URL" not in env
    assert env["TODO_CACHE_TTL"] == "0"
    cached = todo_env("sqlite:///x.db", "redis://127.0.0.1:3/0")
    assert cached["TODO_REDIS_URL"] == "redis://127.0.0.1:3/0"
    assert "REDIS_URL" not in cached and "TODO_CACHE_TTL" not in cached


COUNTS = ["--todos", "--seconds", "--rounds", "--connections", "--threads"]


@pytest.mark.parametrize("option", COUNTS)
def test_a_count_below_one_is_refused_in_one_line(option, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args([option, "0"])
    assert exit_.value.code == 2
    assert f"{option}: must be a whole number of at least 1, got '0'" in capsys.readouterr().err


def test_without_wrk_it_says_how_to_install_it_before_starting_anything(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["--seconds", "1"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "python -m bench.todo: wrk is not installed: apt-get install wrk (or brew install wrk)\n"
    )


def test_help_names_every_option():
    done = subprocess.run(
        [sys.executable, "-m", "bench.todo", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0
    for option in (*COUNTS, "--redis", "--json"):
        assert option in done.stdout


def test_a_tiny_run_serves_seeds_and_measures_every_endpoint(
    redis_url: str, tmp_path: Path, capsys
):
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")
    out = tmp_path / "bench.json"
    code = main(
        ["--todos", "3", "--seconds", "1", "--rounds", "1", "--connections", "2",
         "--redis", redis_url, "--json", str(out)]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "seeding 3 todos through POST /todos" in printed
    figures = json.loads(out.read_text())
    assert figures["todos"] == 3 and figures["redis"] == "REDIS_URL"
    # Served as make todo serves the API: 2 workers of 24 threads.
    assert (figures["workers"], figures["threads"]) == (2, 24)
    assert list(figures["median"]) == [
        "bare Flask JSON",
        "GET /healthz (API floor)",
        "GET /todos (no cache)",
        "GET /todos (Redis cache)",
    ]
    for name, run in figures["median"].items():
        assert run["requests"] > 0 and run["errors"] == 0, (name, run)
        assert name in printed
