"""The `python -m day17` demo: the same output every run, and exit 0 with or without a Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from day17.__main__ import main
from shared.serve import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m day17`` in a subprocess, without REDIS_URL unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "day17", *args],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_on_redis_url_shows_ranks_ties_and_the_capped_list(
    redis_client: redis.Redis,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)

    assert main([]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Redis: the server in REDIS_URL.\n")
    assert "day17:demo:scores:2026-W49" in out
    ranks = [line.split()[:2] for line in out.splitlines() if line.startswith("    ")]
    assert ranks == [["1", "ada"], ["2", "barbara"], ["2", "grace"], ["2", "linus"]]
    assert "ZREVRANK alone breaks the tie by name, backwards (0-based): linus 1, grace 2" in out
    assert "rank of alan: 5" in out
    assert "ada 90, alan 110" in out
    assert "expires in 8 days" in out
    assert "kept   barbara grace edsger alan linus" in out
    assert "INCR three times from nothing -> [1, 2, 3]" in out
    assert "by worker-1 True, by worker-2 False" in out
    assert "HGETALL -> {'born': '1815', 'country': 'UK'}" in out
    assert "SINTER -> ['engines', 'math']" in out


def test_demo_refusals_are_printed_one_per_line(
    redis_client: redis.Redis,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)

    main([])

    refused = [line for line in capsys.readouterr().out.splitlines() if "refused:" in line]
    assert refused == [
        "  refused: player must not be empty",
        "  refused: player must be at most 64 characters, got 65: 'xxxxxxxxxxxxxxxxxxxx'…",
        "  refused: score must be a finite number, got nan",
        "  refused: score must be a finite number, got inf",
        "  refused: score must be a number, got '12'",
    ]


def test_demo_follows_its_arguments(
    redis_client: redis.Redis,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)

    assert main(["--top", "1", "--recent", "2", "--day", "2027-01-01"]) == 0

    out = capsys.readouterr().out
    assert [line.split()[:2] for line in out.splitlines() if line.startswith("    ")] == [
        ["1", "ada"]
    ]
    assert "day17:demo:scores:2026-W53" in out
    assert "kept   barbara grace  (" in out


def test_demo_deletes_its_own_keys_and_leaves_the_rest(
    redis_client: redis.Redis, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    redis_client.set("someone-else", "keep me")
    redis_client.set("day17:demo:recent", "left over from a crashed run")

    assert main([]) == 0

    assert redis_client.keys() == ["someone-else"]


def test_demo_prints_the_same_every_run(redis_client: redis.Redis, redis_url: str) -> None:
    first = run_demo(REDIS_URL=redis_url)
    second = run_demo(REDIS_URL=redis_url)

    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stderr == second.stderr == ""


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_without_redis_url_the_demo_starts_and_stops_its_own_server() -> None:
    result = run_demo()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset), stopped after.\n"
    )
    assert "kept   barbara grace edsger alan linus" in result.stdout


def test_without_redis_url_or_redis_server_the_demo_says_what_it_needs(tmp_path: Path) -> None:
    result = run_demo(PATH=str(tmp_path))  # a PATH with no redis-server on it

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "python -m day17: this demo needs a Redis: set REDIS_URL=redis://HOST:PORT/DB, "
        "or install redis-server (apt-get install redis-server) and it starts its own\n"
    )


def test_a_redis_url_that_points_nowhere_is_said_in_one_line_and_exits_0() -> None:
    port = free_port()

    result = run_demo(REDIS_URL=f"redis://:secret@127.0.0.1:{port}/0")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"python -m day17: Redis at redis://:***@127.0.0.1:{port}/0 ")
    assert "is unreachable" in lines[0] and "secret" not in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--top", "0"], "argument --top: expected a number from 1 to 20, got 0"),
        (["--top", "many"], "argument --top: expected a whole number, got 'many'"),
        (["--recent", "21"], "argument --recent: expected a number from 1 to 20, got 21"),
        (
            ["--day", "2026-13-01"],
            "argument --day: expected a date as YYYY-MM-DD, got '2026-13-01'",
        ),
    ],
)
def test_demo_rejects_bad_arguments_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit_info.value.code == 2
    assert errors == [f"python -m day17: error: {message}"]


def test_a_malformed_redis_url_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1/0")

    with pytest.raises(SystemExit) as exit_info:
        main([])

    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit_info.value.code == 2
    assert len(errors) == 1 and "REDIS_URL is not a Redis URL: 'http://127.0.0.1/0'" in errors[0]
