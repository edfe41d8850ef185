"""What the lesson says about the openai SDK, checked on the locked version over HTTP."""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI

from shared.testing.openai_server import API_KEY, OpenAIServer, Reply, embedding, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


def ask(client: OpenAI) -> str | None:
    answer = client.chat.completions.create(
        model="local-chat", messages=[{"role": "user", "content": "hi"}]
    )
    return answer.choices[0].message.content


def test_the_sdk_defaults_are_two_retries_and_ten_minutes() -> None:
    client = OpenAI(api_key="k", base_url="http://127.0.0.1:1/v1")
    assert client.max_retries == 2
    assert client.timeout.read == 600 and client.timeout.connect == 5.0  # type: ignore[union-attr]


def test_the_sdk_reads_its_key_and_base_url_from_the_environment(
    local_openai: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", local_openai.base_url)
    assert ask(OpenAI(max_retries=0)) == "echo: hi"
    assert local_openai.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"


def test_without_a_key_the_client_refuses_to_be_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(openai.OpenAIError, match="OPENAI_API_KEY"):
        OpenAI()


def test_by_default_a_500_is_tried_three_times(local_openai: OpenAIServer) -> None:
    local_openai.script(*[Reply.failure(500, "boom")] * 3)
    with pytest.raises(openai.InternalServerError):
        ask(OpenAI(api_key=API_KEY, base_url=local_openai.base_url, timeout=5))
    retries = [request.headers["x-stainless-retry-count"] for request in local_openai.requests]
    assert retries == ["0", "1", "2"]


def test_a_429_is_retried_and_the_caller_only_sees_the_answer(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.failure(429, "slow down", "rate_limit_error"), "ok")
    client = OpenAI(api_key=API_KEY, base_url=local_openai.base_url, max_retries=1, timeout=5)
    assert ask(client) == "ok"
    assert len(local_openai.requests) == 2


@pytest.mark.parametrize("status", [408, 409, 502, 503])
def test_these_statuses_are_retried_too(local_openai: OpenAIServer, status: int) -> None:
    local_openai.script(Reply.failure(status, "try again"), "ok")
    client = OpenAI(api_key=API_KEY, base_url=local_openai.base_url, max_retries=1, timeout=5)
    assert ask(client) == "ok"
    assert len(local_openai.requests) == 2


def test_a_401_is_not_retried(local_openai: OpenAIServer) -> None:
    client = OpenAI(api_key="wrong", base_url=local_openai.base_url, max_retries=2, timeout=5)
    with pytest.raises(openai.AuthenticationError):
        ask(client)
    assert len(local_openai.requests) == 1


def test_a_timeout_is_retried_too(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(delay=2.0), Reply(delay=2.0))
    client = OpenAI(api_key=API_KEY, base_url=local_openai.base_url, max_retries=1, timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        ask(client)
    assert len(local_openai.requests) == 2


def test_embeddings_are_asked_for_as_base64_and_handed_back_as_floats(
    local_openai: OpenAIServer,
) -> None:
    client = OpenAI(api_key=API_KEY, base_url=local_openai.base_url, max_retries=0, timeout=5)
    result = client.embeddings.create(model="local-embed", input="notes")
    assert local_openai.requests[-1].body["encoding_format"] == "base64"
    assert result.data[0].embedding == embedding("notes", 8)
    client.embeddings.create(model="local-embed", input="notes", encoding_format="float")
    assert local_openai.requests[-1].body["encoding_format"] == "float"


def test_a_body_that_is_not_json_escapes_as_a_json_error(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(malformed=True))
    client = OpenAI(api_key=API_KEY, base_url=local_openai.base_url, max_retries=2, timeout=5)
    with pytest.raises(json.JSONDecodeError) as raised:
        ask(client)
    assert not isinstance(raised.value, openai.OpenAIError)
    assert len(local_openai.requests) == 1
