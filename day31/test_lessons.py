"""What the lesson says about the openai SDK's retries, checked on the locked version over HTTP."""

from __future__ import annotations

import time

import openai
import pytest
from openai import (
    OpenAI,
    _constants,  # the numbers the SDK's own retry wait is made of
)

from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


def ask(client: OpenAI) -> None:
    client.chat.completions.create(model="local-chat", messages=[{"role": "user", "content": "x"}])


def test_retries_in_two_layers_multiply(local_openai: OpenAIServer) -> None:
    local_openai.script(*[Reply.failure(500, "boom")] * 9)
    client = OpenAI(api_key=local_openai.api_key, base_url=local_openai.base_url, max_retries=2)
    for _ in range(3):  # my own three attempts, around the SDK's three
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert len(local_openai.requests) == 9


def test_with_options_gives_a_copy_and_leaves_the_client_alone() -> None:
    client = OpenAI(api_key="k", base_url="http://127.0.0.1:1/v1", timeout=30, max_retries=2)
    once = client.with_options(timeout=1.5, max_retries=0)
    assert (once.timeout, once.max_retries) == (1.5, 0)
    assert (client.timeout, client.max_retries) == (30, 2)


def test_the_429_error_carries_the_response_headers(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.failure(429, "slow down", "rate_limit_error"))
    client = OpenAI(api_key=local_openai.api_key, base_url=local_openai.base_url, max_retries=0)
    with pytest.raises(openai.RateLimitError) as raised:
        ask(client)
    assert raised.value.response.headers["retry-after-ms"] == "10"


def test_the_sdk_waits_what_retry_after_ms_says_not_its_backoff(
    local_openai: OpenAIServer,
) -> None:
    # Its own backoff would wait at least 0.375 s, then 0.75 s; retry-after-ms asks for 10 ms.
    local_openai.script(*[Reply.failure(503, "busy")] * 2, "ok")
    client = OpenAI(api_key=local_openai.api_key, base_url=local_openai.base_url, max_retries=2)
    started = time.monotonic()
    ask(client)
    assert time.monotonic() - started < 0.75
    assert len(local_openai.requests) == 3


def test_the_sdk_backoff_starts_at_half_a_second_caps_at_8_and_obeys_hints_to_2_min() -> None:
    assert (_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY) == (0.5, 8.0)
    assert _constants.MAX_RETRY_AFTER_DELAY == 120
