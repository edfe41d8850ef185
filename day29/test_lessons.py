"""What the lesson says about tool calls in the openai SDK, checked on the locked version."""

from __future__ import annotations

import json

from openai import OpenAI

from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


def ask(server: OpenAIServer) -> object:
    client = OpenAI(api_key=server.api_key, base_url=server.base_url, timeout=5, max_retries=0)
    return client.chat.completions.create(
        model="local-chat", messages=[{"role": "user", "content": "2 + 2?"}]
    )


def test_the_arguments_arrive_as_a_json_string_not_parsed(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.tool_call("calculator", {"expression": "2 + 2"}))
    call = ask(local_openai).choices[0].message.tool_calls[0]  # type: ignore[attr-defined]
    assert isinstance(call.function.arguments, str)
    assert json.loads(call.function.arguments) == {"expression": "2 + 2"}


def test_a_tool_call_reply_has_no_content_and_finishes_with_tool_calls(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script(Reply.tool_call("calculator", {"expression": "2 + 2"}))
    choice = ask(local_openai).choices[0]  # type: ignore[attr-defined]
    assert (choice.message.content, choice.finish_reason) == (None, "tool_calls")
