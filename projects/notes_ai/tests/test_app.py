"""The AI Notes API as it is run: served by gunicorn with no network, mounted in the portfolio,
and with its conversation memory in a real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from werkzeug.test import Client

import wsgi
from projects.notes_ai import create_app, rag
from projects.notes_ai.tests.conftest import CHEAP_PASSWORDS, PASSWORD, register
from shared.serve import served
from shared.testing.openai_server import API_KEY, OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

NOTE = {"title": "Bike", "body": "Pump the rear tyre to 4.5 bar and the front one to 4 bar."}


@pytest.mark.slow
def test_the_served_api_works_offline_with_no_key_from_register_to_a_streamed_answer(
    tmp_path: Any,
) -> None:
    # What `make notes` runs, with no key and no service URLs in the environment.
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "NOTES_DATABASE_URL": f"sqlite:///{tmp_path / 'notes.db'}",
        **{f"NOTES_{key}": str(value) for key, value in CHEAP_PASSWORDS.items()},
    }
    with served(
        "projects.notes_ai:create_app()", env=environment, ready_path="/api", timeout=60
    ) as server:
        api = f"{server.url}/api"
        token = requests.post(
            f"{api}/auth/register",
            json={"email": "ada@example.com", "password": PASSWORD},
            timeout=30,
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        note = requests.post(f"{api}/notes", json=NOTE, headers=headers, timeout=60).json()
        with requests.post(
            f"{api}/chat",
            json={"message": "What pressure for the back wheel?"},
            headers={**headers, "Accept": "text/event-stream"},
            stream=True,
            timeout=60,
        ) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            body = response.text
        assert "event: done" in body and f"[note {note['id']}]" in body
        assert rag.OFFLINE_PREFIX in body
        docs = requests.get(f"{api}/docs", timeout=10)
        assert docs.status_code == 200 and "swagger-ui" in docs.text


def test_the_portfolio_mounts_the_api_at_notes(tmp_path: Any) -> None:
    api = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'notes.db'}", "TESTING": True, **CHEAP_PASSWORDS}
    )
    client = Client(wsgi.create_portfolio({"/notes": api}, proxy_hops=0))
    assert client.get("/notes/api").get_json()["docs"] == "/notes/api/docs"
    assert client.get("/notes/api/openapi.json").get_json()["servers"][0]["url"] == "/notes"
    registered = client.post(
        "/notes/api/auth/register", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert registered.status_code == 201
    assert 'href="/notes/api/docs"' in client.get("/").get_data(as_text=True)


@pytest.fixture
def redis_app(
    make_app: Callable[..., Flask], local_openai: OpenAIServer, redis_url: str
) -> Callable[..., Flask]:
    def make(**overrides: Any) -> Flask:
        return make_app(
            LLM="openai",
            OPENAI_API_KEY=API_KEY,
            OPENAI_BASE_URL=local_openai.base_url,
            CHAT_MODEL="local-chat",
            LLM_MAX_RETRIES=0,
            REDIS_URL=redis_url,
            **overrides,
        )

    return make


def prompts(server: OpenAIServer) -> list[list[dict[str, str]]]:
    return [r.body["messages"] for r in server.requests if r.path.endswith("/chat/completions")]


def test_with_redis_a_conversation_remembers_and_forgets_when_deleted(
    redis_app: Callable[..., Flask], local_openai: OpenAIServer, redis_url: str
) -> None:
    user = register(redis_app().test_client())
    note = user.add_note(**NOTE)
    local_openai.script(f"4.5 bar [note {note['id']}].", f"4 bar [note {note['id']}].")
    first = user.post("/api/chat", json={"message": "Rear tyre pressure?"}).get_json()
    conversation = first["conversation_id"]
    user.post("/api/chat", json={"message": "And the front?", "conversation_id": conversation})
    assert {"role": "assistant", "content": f"4.5 bar [note {note['id']}]."} in prompts(
        local_openai
    )[-1]
    turns = f"notes:memory:{{{conversation}}}:turns"
    assert redis.Redis.from_url(redis_url).llen(turns) == 4, "the window is cached in Redis"
    assert user.delete(f"/api/conversations/{conversation}").status_code == 204
    assert user.get(f"/api/conversations/{conversation}").status_code == 404
    assert redis.Redis.from_url(redis_url).exists(turns) == 0


def test_old_turns_are_summarised_by_the_model_to_stay_under_the_history_budget(
    redis_app: Callable[..., Flask], local_openai: OpenAIServer
) -> None:
    user = register(redis_app(HISTORY_TOKENS=20).test_client())
    note = user.add_note(**NOTE)
    cited = f"[note {note['id']}]"
    local_openai.script(
        f"The rear tyre takes 4.5 bar, which is a little more than the front {cited}.",
        "Summary: the rear tyre takes 4.5 bar.",
        f"The front takes 4 bar {cited}.",
    )
    first = user.post("/api/chat", json={"message": "What pressure for the rear tyre?"})
    conversation = first.get_json()["conversation_id"]
    second = user.post(
        "/api/chat", json={"message": "And the front tyre?", "conversation_id": conversation}
    )
    assert second.status_code == 200
    summary_request, last = prompts(local_openai)[-2:]
    assert summary_request[0]["content"] == rag.SUMMARY_PROMPT
    assert {"role": "system", "content": "Summary of the earlier conversation: "
            "Summary: the rear tyre takes 4.5 bar."} in last  # fmt: skip


def test_the_served_api_needs_no_network(tmp_path: Any) -> None:
    # With no network at all (a new network namespace), the app still builds and embeds.
    if os.geteuid() != 0:
        pytest.skip("unshare -n needs root")
    script = (
        "from projects.notes_ai import create_app\n"
        "from projects.notes_ai.tests.conftest import CHEAP_PASSWORDS, register\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite://', 'TESTING': True, 'LLM': None,"
        f" 'OPENAI_API_KEY': None, **CHEAP_PASSWORDS}})\n"
        "user = register(app.test_client())\n"
        f"user.add_note({NOTE['title']!r}, {NOTE['body']!r})\n"
        "print(user.post('/api/chat', json={'message': 'rear tyre?'}).get_json()['answer'])\n"
    )
    run = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(wsgi.__file__).parent,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path))},
    )
    assert run.returncode == 0, run.stderr
    assert "4.5 bar" in run.stdout and rag.OFFLINE_PREFIX in run.stdout
