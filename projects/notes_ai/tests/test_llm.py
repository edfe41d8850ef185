"""The chat model's client, over HTTP against the local OpenAI-compatible server."""

from __future__ import annotations

import email.utils

import pytest

from projects.notes_ai.llm import (
    ChatModel,
    LLMUnavailable,
    make_client,
    retry_after_seconds,
)
from shared.testing.helpers import free_port
from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

QUESTION = [{"role": "user", "content": "What is in my notes?"}]


def model_for(
    server: OpenAIServer, *, timeout: float = 5.0, max_retries: int = 0, key: str | None = None
) -> ChatModel:
    client = make_client(key or server.api_key, server.base_url, timeout, max_retries)
    return ChatModel(client, "local-chat")


def test_make_client_sets_the_timeout_and_the_retries_explicitly() -> None:
    client = make_client("k", "http://127.0.0.1:1/v1", 7.5, 3)
    assert (client.timeout, client.max_retries) == (7.5, 3)
    assert str(client.base_url) == "http://127.0.0.1:1/v1/"


def test_complete_returns_the_answer_and_sends_the_model_and_messages(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script("Your notes are about Redis.")
    assert model_for(local_openai).complete(QUESTION) == "Your notes are about Redis."
    body = local_openai.requests[-1].body
    assert (body["model"], body["messages"]) == ("local-chat", QUESTION)


def test_stream_yields_the_text_pieces_in_order(local_openai: OpenAIServer) -> None:
    local_openai.script("Sorted sets rank scores.")
    pieces = list(model_for(local_openai).stream(QUESTION))
    assert pieces == ["Sorted", " sets", " rank", " scores."]
    assert local_openai.requests[-1].body["stream"] is True


@pytest.mark.parametrize("max_retries", [0, 2])
def test_a_429_is_retried_then_unavailable_with_the_retry_after(
    local_openai: OpenAIServer, max_retries: int
) -> None:
    local_openai.script(*[Reply.failure(429, "Rate limit reached", "rate_limit_error")] * 3)
    with pytest.raises(LLMUnavailable) as raised:
        model_for(local_openai, max_retries=max_retries).complete(QUESTION)
    assert len(local_openai.requests) == max_retries + 1
    assert raised.value.retry_after == 0.01  # the server's retry-after-ms: 10
    assert (
        str(raised.value) == "the language model is rate limited upstream (429): try again in 1 s"
    )


@pytest.mark.parametrize("max_retries", [0, 2])
def test_a_500_is_retried_then_unavailable_naming_the_upstream_error(
    local_openai: OpenAIServer, max_retries: int
) -> None:
    local_openai.script(*[Reply.failure(500, "The server had an error")] * 3)
    with pytest.raises(LLMUnavailable, match=r"^the language model failed upstream \(error 500\)$"):
        model_for(local_openai, max_retries=max_retries).complete(QUESTION)
    assert len(local_openai.requests) == max_retries + 1


def test_a_retry_that_succeeds_is_only_an_answer(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.failure(429, "slow down", "rate_limit_error"), "Here I am.")
    assert model_for(local_openai, max_retries=1).complete(QUESTION) == "Here I am."
    assert len(local_openai.requests) == 2


def test_a_slow_reply_times_out_after_each_try(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(delay=3.0), Reply(delay=3.0))
    with pytest.raises(LLMUnavailable, match=r"^the language model timed out after 0.3 s$"):
        model_for(local_openai, timeout=0.3, max_retries=1).complete(QUESTION)
    assert len(local_openai.requests) == 2


def test_a_malformed_body_is_unavailable_not_a_json_error(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(malformed=True))
    with pytest.raises(LLMUnavailable, match=r"^the language model's reply was malformed$"):
        model_for(local_openai, max_retries=2).complete(QUESTION)
    assert len(local_openai.requests) == 1


def test_a_malformed_stream_is_unavailable_once_it_is_read(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(malformed=True))
    pieces = model_for(local_openai).stream(QUESTION)
    with pytest.raises(LLMUnavailable, match="reply was malformed"):
        list(pieces)


def test_a_bad_key_says_check_openai_api_key_and_is_not_retried(
    local_openai: OpenAIServer,
) -> None:
    with pytest.raises(LLMUnavailable) as raised:
        model_for(local_openai, key="wrong", max_retries=2).complete(QUESTION)
    assert str(raised.value) == "the language model refused the API key (401): check OPENAI_API_KEY"
    assert raised.value.retry_after is None
    assert len(local_openai.requests) == 1


def test_a_refused_stream_raises_before_any_piece_is_read(local_openai: OpenAIServer) -> None:
    with pytest.raises(LLMUnavailable, match=r"\(401\)"):
        model_for(local_openai, key="wrong").stream(QUESTION)


def test_a_wrong_base_url_path_is_a_404_naming_the_settings(local_openai: OpenAIServer) -> None:
    client = make_client(local_openai.api_key, local_openai.base_url + "/nope", 5.0, 0)
    with pytest.raises(
        LLMUnavailable, match=r"\(404\): check NOTES_CHAT_MODEL and OPENAI_BASE_URL"
    ):
        ChatModel(client, "local-chat").complete(QUESTION)


def test_no_server_at_the_url_is_unreachable() -> None:
    client = make_client("k", f"http://127.0.0.1:{free_port()}/v1", 2.0, 0)
    with pytest.raises(
        LLMUnavailable, match=r"^the language model is unreachable: check OPENAI_BASE_URL$"
    ):
        ChatModel(client, "local-chat").complete(QUESTION)


def test_retry_after_reads_seconds_milliseconds_first_and_dates() -> None:
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "7"}) == 0.25
    assert retry_after_seconds({"Retry-After": date}, now=now) == 30.0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Retry-After": "soon"},
        {"Retry-After": "0"},
        {"Retry-After": "-3"},
        {"Retry-After": "3600"},
    ],
)
def test_retry_after_ignores_a_missing_unreadable_or_unreasonable_hint(
    headers: dict[str, str],
) -> None:
    assert retry_after_seconds(headers) is None
