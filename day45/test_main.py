"""`python -m day45`: the scripted demo, the quiz on stdin, the mock interview, the retro."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import day45.__main__ as cli
from day45.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day45", *args],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_runs_a_scripted_quiz_the_same_every_run() -> None:
    first, second = run(), run()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    assert "== 2026-03-02 (grades y n y y) ==" in first.stdout
    assert "  cache-version      3  2026-03-10        3      1" in first.stdout


def test_the_quiz_reads_grades_from_stdin_and_saves_the_state(tmp_path: Path) -> None:
    state = tmp_path / "quiz.json"
    args = ("quiz", "--state", str(state), "--today", "2026-03-02", "--limit", "2")
    done = run(*args, "--topic", "caching", stdin="\ny\n\nn\n")
    assert done.returncode == 0, done.stderr
    assert "Reviewed 2 of 2: 1 known, 1 to repeat." in done.stdout
    cards = json.loads(state.read_text())["cards"]
    assert {id_: card["box"] for id_, card in cards.items()} == {
        "cache-aside": 2,
        "cache-version": 1,
    }


def test_the_next_day_the_quiz_asks_the_missed_question_first(tmp_path: Path) -> None:
    state = tmp_path / "quiz.json"
    base = ("quiz", "--state", str(state), "--topic", "caching", "--limit", "1")
    run(*base, "--today", "2026-03-02", stdin="\nn\n")
    again = run(*base, "--today", "2026-03-03", stdin="\ny\n")
    assert "[1/1] caching, day 18: What is cache-aside" in again.stdout


def test_the_quiz_help_explains_the_grades_and_the_state(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_:
        main(["quiz", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "grade yourself y or n" in out and "instance/day45-quiz.json" in out


def test_an_unusable_state_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    state = tmp_path / "quiz.json"
    state.write_text("{")
    done = run("quiz", "--state", str(state))
    assert done.returncode == 2
    assert done.stderr.startswith(f"python -m day45: error: {state}: not a quiz state file")


def test_an_unknown_topic_is_refused_naming_the_topics() -> None:
    done = run("quiz", "--topic", "gossip")
    assert done.returncode == 2
    assert "no topic 'gossip'; topics: auth, caching," in done.stderr


def test_the_mock_interview_is_the_same_for_the_same_seed(capsys) -> None:
    main(["mock", "--seed", "3", "--count", "2"])
    first = capsys.readouterr().out
    main(["mock", "--seed", "3", "--count", "2"])
    assert capsys.readouterr().out == first
    assert first.count("   A good answer covers:") == 2 and "   Look at: " in first


def test_retro_write_writes_what_it_prints(tmp_path: Path, monkeypatch, capsys) -> None:
    target = tmp_path / "RETROSPECTIVE.md"
    monkeypatch.setattr(cli, "RETROSPECTIVE", target)
    assert main(["retro", "--write"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# Retrospective: the 45 days in numbers")
    assert target.read_text() == printed
