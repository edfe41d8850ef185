"""`python -m day26`: the offline demo, and the chat against a server named in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from day26.__main__ import main
from shared.testing.helpers import free_port
from shared.testing.openai_server import API_KEY, OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

REPO_ROOT = Path(__file__).resolve().parents[1]
OPENAI_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_TIMEOUT")


def run_demo(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m day26`` in a subprocess, with no OPENAI_ variable unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "day26", *args],
        cwd=REPO_ROOT,
        env={**base, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_key_the_demo_says_so_and_chats_offline_the_same_every_run() -> None:
    first, second = run_demo(), run_demo()
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == second.stdout
    out = first.stdout
    assert out.startswith("OPENAI_API_KEY is unset: a scripted chat with a local")
    assert "the whole history: system, user, assistant, user" in out
    assert "429 then 200: the SDK retried by itself (retry counts 0, 1)" in out
    assert "the server answered 500: The server had an error  [3 requests]" in out
    assert "no answer from http://127.0.0.1:PORT/v1 within 0.5 s  [1 request]" in out
    assert "is not valid JSON" in out
    assert "the server answered 401: Incorrect API key provided.  [1 request]" in out


@pytest.fixture
def chat_env(local_openai: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIServer:
    for name in OPENAI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", local_openai.base_url)
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    return local_openai


def test_with_a_key_one_message_is_asked_of_that_server(
    chat_env: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--message", "ping"]) == 0
    assert capsys.readouterr().out == "echo: ping\n"
    body = chat_env.requests[-1].body
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"][-1] == {"role": "user", "content": "ping"}


def test_stdin_lines_are_one_conversation(
    chat_env: OpenAIServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", iter(["first\n", "\n", "second\n"]))
    assert main([]) == 0
    assert capsys.readouterr().out == "echo: first\necho: second\n"
    assert len(chat_env.requests) == 2
    assert len(chat_env.requests[-1].body["messages"]) == 4  # system, user, assistant, user


def test_a_failed_request_is_one_line_on_stderr_and_exit_1(
    chat_env: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    chat_env.script(Reply.failure(503, "overloaded"))
    assert main(["-m", "ping"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "python -m day26: the server answered 503: overloaded\n"


def test_a_bad_base_url_is_a_usage_error_in_one_line() -> None:
    done = run_demo("-m", "hi", OPENAI_API_KEY="k", OPENAI_BASE_URL="localhost:8000")
    assert done.returncode == 2
    assert done.stderr == (
        "python -m day26: error: OPENAI_BASE_URL must be an http(s) URL such as "
        "http://127.0.0.1:8000/v1, got 'localhost:8000'\n"
    )


def test_a_server_that_is_not_there_is_one_line_and_exit_1() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    done = run_demo("-m", "hi", OPENAI_API_KEY="k", OPENAI_BASE_URL=url, OPENAI_MAX_RETRIES="0")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"python -m day26: cannot connect to {url}: is the server running?\n"


def test_help_names_the_settings() -> None:
    done = run_demo("--help")
    assert done.returncode == 0
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_TIMEOUT", "OPENAI_MAX_RETRIES"):
        assert name in done.stdout
