"""The local OpenAI-compatible server, driven by the real openai SDK over HTTP."""

from __future__ import annotations

import json

import openai
import pytest
import requests
from openai import OpenAI

from shared.testing.openai_server import (
    API_KEY,
    MODELS,
    OpenAIServer,
    Reply,
    embedding,
    local_openai,
    openai_server,
)

__all__ = ["local_openai"]  # a fixture, imported for this module


def client_for(server: OpenAIServer, *, key: str = API_KEY, **options: object) -> OpenAI:
    settings: dict[str, object] = {"max_retries": 0, "timeout": 5.0} | options
    return OpenAI(base_url=server.base_url, api_key=key, **settings)  # type: ignore[arg-type]


def ask(client: OpenAI, text: str) -> str | None:
    answer = client.chat.completions.create(
        model="local-chat", messages=[{"role": "user", "content": text}]
    )
    return answer.choices[0].message.content


def test_chat_echoes_the_last_user_message_by_default(local_openai: OpenAIServer) -> None:
    answer = client_for(local_openai).chat.completions.create(
        model="local-chat",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hello there"},
        ],
    )
    assert answer.choices[0].message.content == "echo: hello there"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None and answer.usage.prompt_tokens == 4


def test_scripted_replies_come_back_in_order(local_openai: OpenAIServer) -> None:
    local_openai.script("first", Reply(text="second"))
    client = client_for(local_openai)
    assert [ask(client, "a"), ask(client, "b"), ask(client, "c")] == ["first", "second", "echo: c"]


def test_every_request_is_recorded_with_its_bearer_key(local_openai: OpenAIServer) -> None:
    ask(client_for(local_openai), "hi")
    (seen,) = local_openai.requests
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {API_KEY}"
    assert seen.body["messages"] == [{"role": "user", "content": "hi"}]


def test_streaming_sends_the_words_then_usage_when_asked(local_openai: OpenAIServer) -> None:
    local_openai.script("one two three")
    stream = client_for(local_openai).chat.completions.create(
        model="local-chat",
        messages=[{"role": "user", "content": "count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 3


def test_a_stream_ends_with_done_and_no_usage_unless_asked(local_openai: OpenAIServer) -> None:
    response = requests.post(
        f"{local_openai.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {API_KEY}"},
        json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]},
        timeout=5,
    )
    events = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]"
    assert all("usage" not in json.loads(line[6:]) for line in events[:-1])


def test_the_sdk_asks_for_base64_embeddings_by_default_and_decodes_them(
    local_openai: OpenAIServer,
) -> None:
    result = client_for(local_openai).embeddings.create(model="local-embed", input=["a", "b"])
    assert local_openai.requests[-1].body["encoding_format"] == "base64"
    assert [item.embedding for item in result.data] == [embedding("a", 8), embedding("b", 8)]


def test_float_embeddings_are_the_same_unit_vectors(local_openai: OpenAIServer) -> None:
    result = client_for(local_openai).embeddings.create(
        model="local-embed", input="same text", encoding_format="float", dimensions=16
    )
    vector = result.data[0].embedding
    assert vector == embedding("same text", 16)
    assert abs(sum(value * value for value in vector) - 1.0) < 1e-5
    assert embedding("same text", 16) != embedding("other text", 16)


def test_models_are_listed(local_openai: OpenAIServer) -> None:
    assert [model.id for model in client_for(local_openai).models.list()] == list(MODELS)


def test_a_wrong_key_is_a_401_the_sdk_does_not_retry(local_openai: OpenAIServer) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        ask(client_for(local_openai, key="wrong", max_retries=2), "hi")
    assert raised.value.status_code == 401
    assert raised.value.code == "invalid_api_key"
    assert len(local_openai.requests) == 1


def test_the_sdk_retries_a_429_itself(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.failure(429, "slow down", "rate_limit_error"), "made it")
    assert ask(client_for(local_openai, max_retries=1), "hi") == "made it"
    retries = [r.headers["x-stainless-retry-count"] for r in local_openai.requests]
    assert retries == ["0", "1"]


def test_the_sdk_retries_twice_by_default_then_raises(local_openai: OpenAIServer) -> None:
    local_openai.script(*[Reply.failure(500, "boom")] * 3)
    client = OpenAI(base_url=local_openai.base_url, api_key=API_KEY, timeout=5.0)
    assert client.max_retries == 2
    with pytest.raises(openai.InternalServerError) as raised:
        ask(client, "hi")
    assert raised.value.status_code == 500
    assert str(raised.value) == "Error code: 500 - boom"
    assert len(local_openai.requests) == 3


def test_a_reply_slower_than_the_timeout_is_an_api_timeout_error(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script(Reply(text="late", delay=2.0))
    with pytest.raises(openai.APITimeoutError):
        ask(client_for(local_openai, timeout=0.2), "hi")


def test_a_malformed_body_is_a_json_error_not_an_api_error(local_openai: OpenAIServer) -> None:
    # The SDK parses a 200 body with json.loads and lets the ValueError through as it is.
    local_openai.script(Reply(malformed=True))
    with pytest.raises(json.JSONDecodeError) as raised:
        ask(client_for(local_openai), "hi")
    assert not isinstance(raised.value, openai.OpenAIError)


def test_tool_calls_arrive_with_json_arguments(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.tool_call("search_notes", {"query": "redis"}))
    answer = client_for(local_openai).chat.completions.create(
        model="local-chat", messages=[{"role": "user", "content": "find"}]
    )
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls or []
    assert call.function.name == "search_notes"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"query": "redis"}  # type: ignore[union-attr]


def test_the_server_stops_at_the_end_of_the_block() -> None:
    with openai_server() as server:
        url = server.base_url
        assert ask(client_for(server), "up") == "echo: up"
    with pytest.raises(openai.APIConnectionError):
        ask(OpenAI(base_url=url, api_key=API_KEY, max_retries=0, timeout=1.0), "down")
