"""`python -m day10`: the own scenario by default, the RealWorld collection when
$REALWORLD_COLLECTION is set; one clear line and status 2 for what stops a run, 1 for failures,
0 for green. Each mode also runs for real once, against the Blog API under gunicorn."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import day10.__main__ as cli
from day10.contract import (
    COLLECTION_ENV,
    REPO_ROOT,
    ContractError,
    Failure,
    Summary,
    check_collection,
    find_collection,
    newman_command,
)
from day10.scenario import STEPS, Result, Step
from shared.testing.plugin import services_required

TINY_COLLECTION = {
    "info": {"name": "Tiny"},
    "item": [{"name": "All Tags", "request": {"method": "GET", "url": "{{APIURL}}/tags"}}],
}


@pytest.fixture
def ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid collection in $REALWORLD_COLLECTION and an npx on PATH (never run by these
    tests), so each test below breaks exactly one thing."""
    collection = tmp_path / "collection.json"
    collection.write_text(json.dumps(TINY_COLLECTION), encoding="utf-8")
    monkeypatch.setenv(COLLECTION_ENV, str(collection))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npx = bin_dir / "npx"
    npx.write_text("#!/bin/sh\nexit 99\n", encoding="utf-8")
    npx.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return tmp_path


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "breakage", "message"),
    [
        ([], "collection-missing", f"{COLLECTION_ENV}=.*missing.json is not a file; download"),
        ([], "collection-malformed", r"collection.json is not JSON \(.*\); download"),
        ([], "npx-missing", "npx is not installed, .*install Node.js 18\\+ with npm"),
        (["--db", "nonsense"], None, "--db is not a database URL: 'nonsense'"),
        (["--db", "sqlite://"], None, "--db sqlite:// is an in-memory database"),
        (["--db", "cockroach://db/blog"], None, "--db uses an unknown database driver 'cockroach'"),
        (
            ["--db", "mysql+pymysql://blog:s3cret@127.0.0.1:1/blog"],
            None,
            r"cannot reach the database in --db \(mysql\+pymysql://blog:\*\*\*@127.0.0.1:1/blog",
        ),
    ],
    ids=[
        "no collection",
        "malformed collection",
        "no npx",
        "malformed URL",
        "in-memory SQLite",
        "unknown driver",
        "unreachable MySQL",
    ],
)
def test_what_stops_a_run_is_one_line_and_status_2(
    argv: list[str],
    breakage: str | None,
    message: str,
    ready: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if breakage == "collection-missing":
        monkeypatch.setenv(COLLECTION_ENV, str(ready / "missing.json"))
    elif breakage == "collection-malformed":
        (ready / "collection.json").write_text('{"info": ', encoding="utf-8")
    elif breakage == "npx-missing":
        monkeypatch.setenv("PATH", str(ready))

    status, out, err = run_main(argv, capsys)

    assert status == 2, (argv, breakage, out, err)
    assert out == "", f"nothing should have run, but printed {out!r}"
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line, got {err!r}"
    assert lines[0].startswith("python -m day10: "), lines[0]
    assert re.search(message, lines[0]), f"{message!r} not in {lines[0]!r}"
    assert "s3cret" not in err, "the database password was printed"


def test_an_unknown_argument_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--database", "sqlite:///x.db"])

    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "python -m day10: unrecognized arguments: --database sqlite:///x.db\n"
    )


def test_help_names_the_collection_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])

    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--db URL" in help_text and COLLECTION_ENV in help_text, help_text


def served_by_a_fake(monkeypatch: pytest.MonkeyPatch, summary: Summary) -> list[str]:
    """Replace the server and newman with stand-ins; return the database URLs served."""
    served: list[str] = []

    @contextmanager
    def fake_serve_blog(database_url: str) -> Iterator[str]:
        served.append(database_url)
        yield "http://127.0.0.1:9/api"

    monkeypatch.setattr(cli, "serve_blog", fake_serve_blog)
    monkeypatch.setattr(cli, "run_collection", lambda api_url, collection: summary)
    return served


def test_failed_assertions_are_listed_and_exit_1(
    ready: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    failure = Failure("Login", 'User has "token" property', "expected false to be truthy")
    served_by_a_fake(monkeypatch, Summary(requests=2, assertions=5, failures=(failure,)))

    status, out, _ = run_main([], capsys)

    assert status == 1
    assert out.splitlines()[-2:] == [
        '  FAILED Login › User has "token" property: expected false to be truthy',
        "RealWorld collection on sqlite: 2 requests, 5 assertions, 1 failed",
    ]


def test_a_green_run_exits_0_on_a_fresh_sqlite_file_by_default(
    ready: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served = served_by_a_fake(monkeypatch, Summary(requests=2, assertions=5))

    status, out, _ = run_main([], capsys)

    assert status == 0
    assert (
        out.splitlines()[-1] == "RealWorld collection on sqlite: 2 requests, 5 assertions, 0 failed"
    )
    [database_url] = served
    assert re.fullmatch(r"sqlite:///.*/day10-[^/]+/blog\.db", database_url), database_url


def test_a_server_that_fails_to_start_is_one_line_and_status_2(
    ready: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @contextmanager
    def broken_serve_blog(database_url: str) -> Iterator[str]:
        raise ContractError("gunicorn exited with status 3 before serving the Blog API")
        yield ""  # pragma: no cover - makes this a generator

    monkeypatch.setattr(cli, "serve_blog", broken_serve_blog)

    status, _, err = run_main([], capsys)

    assert (status, err) == (
        2,
        "python -m day10: gunicorn exited with status 3 before serving the Blog API\n",
    )


SUMMARY_LINE = re.compile(
    r"RealWorld collection on sqlite: (?P<requests>\d+) requests, "
    r"(?P<assertions>\d+) assertions, (?P<failed>\d+) failed(?P<errors>, \d+ errors?)?"
)


@pytest.mark.slow
def test_the_realworld_collection_passes_against_the_blog_api_on_sqlite() -> None:
    try:
        collection = find_collection()
        newman_command()
    except ContractError as error:
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 and {error}", pytrace=False)
        pytest.skip(f"cannot run the RealWorld collection: {error}")
    requests_in_collection = check_collection(collection)

    run = subprocess.run(
        [sys.executable, "-m", "day10"],
        cwd=REPO_ROOT,
        env={**os.environ, COLLECTION_ENV: str(collection)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    output = f"{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    summaries = [
        match for line in run.stdout.splitlines() if (match := SUMMARY_LINE.fullmatch(line))
    ]
    assert summaries, f"no summary line; output ended:\n{output}"
    summary = summaries[-1]
    assert (summary["failed"], summary["errors"]) == ("0", None), output
    assert run.returncode == 0, output
    assert int(summary["requests"]) == requests_in_collection, output
    assert int(summary["assertions"]) > 0, output


# --- the own scenario (no $REALWORLD_COLLECTION) -------------------------------------------


@pytest.fixture
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No collection variable and nothing on PATH: the own scenario needs neither."""
    monkeypatch.delenv(COLLECTION_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "nonsense"], "--db is not a database URL: 'nonsense'"),
        (["--db", "sqlite://"], "--db sqlite:// is an in-memory database"),
        (
            ["--db", "mysql+pymysql://blog:s3cret@127.0.0.1:1/blog"],
            r"cannot reach the database in --db \(mysql\+pymysql://blog:\*\*\*@127.0.0.1:1/blog",
        ),
    ],
    ids=["malformed URL", "in-memory SQLite", "unreachable MySQL"],
)
def test_a_bad_database_stops_the_own_scenario_with_one_line_and_status_2(
    argv: list[str], message: str, own: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_main(argv, capsys)

    assert (status, out) == (2, ""), (argv, out, err)
    assert len(err.splitlines()) == 1, err
    assert re.search(f"^python -m day10: {message}", err), err
    assert "s3cret" not in err, "the database password was printed"


def test_a_failed_step_is_listed_with_its_problem_and_exits_1(
    own: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stand-in server and scenario: the report and the status, not the API, are tested here
    # (test_scenario.py catches real breaks in the real API).
    steps = STEPS

    @contextmanager
    def fake_serve_blog(database_url: str) -> Iterator[str]:
        yield "http://127.0.0.1:9/api"

    def two_steps(api_url: str) -> Iterator[Result]:
        yield Result(steps[0])
        yield Result(steps[1], ("expected status 201, got 422: taken",))

    monkeypatch.setattr(cli, "serve_blog", fake_serve_blog)
    monkeypatch.setattr(cli, "run_scenario", two_steps)

    status, out, _ = run_main([], capsys)

    assert status == 1
    assert out.splitlines()[1:] == [
        f"  ok     {steps[0].line()}",
        f"  FAILED {steps[1].line()}",
        "         expected status 201, got 422: taken",
        f"Own scenario on sqlite: 1 of {len(steps)} steps passed, stopped at “register the reader”",
        cli.OFFICIAL_HINT,
    ]


def expected_report(steps: list[Step]) -> list[str]:
    return [
        "Serving the Blog API with gunicorn on a fresh SQLite database",
        *(f"  ok     {step.line()}" for step in steps),
        f"Own scenario on sqlite: {len(steps)} of {len(steps)} steps passed",
        "The official RealWorld collection runs instead with "
        "REALWORLD_COLLECTION=path/to/Conduit.postman_collection.json (it needs Node.js, for npx).",
    ]


@pytest.mark.slow
def test_the_own_scenario_passes_under_gunicorn_with_nothing_beside_the_clone(
    tmp_path: Path,
) -> None:
    # What a newcomer's clone has: no collection, no RealWorld folder, no node on PATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REALWORLD_")}
    env["PATH"] = str(tmp_path)

    run = subprocess.run(
        [sys.executable, "-m", "day10"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (run.returncode, run.stdout.splitlines()) == (
        0,
        expected_report(STEPS),
    ), run.stderr[-3000:]
