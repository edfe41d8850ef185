"""`python -m day27`: the offline demo, and extraction against a server named in the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from day27.__main__ import main
from shared.testing.openai_server import API_KEY, OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_demo() -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day27"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_key_the_demo_runs_offline_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    out = first.stdout
    assert out.startswith("OPENAI_API_KEY is unset: extractions against a local")
    assert "2 task(s) after 1 attempt(s)" in out
    assert "attempt 1 sent back with 3 problems" in out
    assert "1 task(s) after 2 attempt(s)" in out
    assert "refused: no valid task list after 2 attempts: reply: not valid JSON" in out
    assert "response_format: json_schema 'TaskList', strict true" in out


@pytest.fixture
def with_key(local_openai: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIServer:
    for name in ("OPENAI_MODEL", "OPENAI_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", local_openai.base_url)
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    return local_openai


def test_with_a_key_the_tasks_are_printed_as_json(
    with_key: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    task = {"title": "Buy milk", "due": None, "priority": "low", "tags": ["home"]}
    with_key.script(json.dumps({"tasks": [task]}))
    assert main(["buy", "milk", "someday", "#home"]) == 0
    assert json.loads(capsys.readouterr().out) == [task]
    assert with_key.requests[-1].body["messages"][-1]["content"] == "buy milk someday #home"


def test_with_a_key_a_list_that_stays_invalid_is_one_line_and_exit_1(
    with_key: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with_key.script("no", "still no")
    assert main(["buy milk"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("python -m day27: no valid task list after 2 attempts:")
    assert captured.err.count("\n") == 1
