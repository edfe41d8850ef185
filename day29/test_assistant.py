"""The tool loop through the real SDK, with the local server scripted to ask for tool calls."""

from __future__ import annotations

import json

import pytest
from openai import OpenAI

from day29.assistant import answer
from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


@pytest.fixture
def client(local_openai: OpenAIServer) -> OpenAI:
    return OpenAI(
        api_key=local_openai.api_key, base_url=local_openai.base_url, timeout=5, max_retries=0
    )


def tool_messages(server: OpenAIServer) -> list[dict[str, str]]:
    return [m for m in server.requests[-1].body["messages"] if m["role"] == "tool"]


def test_a_reply_without_tool_calls_is_the_answer_in_one_request(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    local_openai.script("Hello.")
    result = answer(client, "local-chat", "hi")
    assert (result.text, result.finished, result.steps, result.runs) == ("Hello.", True, 1, [])


def test_the_tools_are_offered_with_every_request(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    local_openai.script(Reply.tool_call("calculator", {"expression": "1 + 1"}), "2")
    answer(client, "local-chat", "1 + 1?")
    offered = [[t["function"]["name"] for t in r.body["tools"]] for r in local_openai.requests]
    assert offered == [["calculator", "search_notes"]] * 2


def test_a_tool_call_is_run_and_its_result_sent_back_with_the_call_id(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    local_openai.script(Reply.tool_call("calculator", {"expression": "12 * 7.5 + 3"}), "93.")
    result = answer(client, "local-chat", "12 x 7.5 + 3?")
    assert (result.text, result.steps) == ("93.", 2)
    sent = local_openai.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool"]
    assert sent[2]["tool_calls"][0]["id"] == sent[3]["tool_call_id"] == "call_0"
    assert json.loads(sent[3]["content"]) == {"result": {"value": 93}}


def test_several_calls_in_one_reply_each_get_a_result(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    calls = (("calculator", {"expression": "1 + 1"}), ("search_notes", {"query": "redis"}))
    local_openai.script(Reply(tool_calls=calls), "done")
    answer(client, "local-chat", "both")
    assert [m["tool_call_id"] for m in tool_messages(local_openai)] == ["call_0", "call_1"]


def test_bad_calls_go_back_to_the_model_as_errors_and_the_loop_goes_on(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    calls = (("shell", {"command": "ls"}), ("search_notes", {"query": "redis", "k": 50}))
    local_openai.script(Reply(tool_calls=calls), "I could not search.")
    result = answer(client, "local-chat", "try")
    assert result.finished and result.text == "I could not search."
    assert [run.failed for run in result.runs] == [True, True]
    assert all("error" in json.loads(m["content"]) for m in tool_messages(local_openai))


def test_the_step_limit_stops_a_model_that_keeps_calling_tools(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    local_openai.script(*[Reply.tool_call("calculator", {"expression": "1 + 1"})] * 5)
    result = answer(client, "local-chat", "forever", max_steps=3)
    assert (result.finished, result.steps, len(local_openai.requests)) == (False, 3, 3)
    assert result.text == "I stopped after 3 steps without a final answer."


def test_a_step_limit_below_one_is_refused(client: OpenAI) -> None:
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        answer(client, "local-chat", "hi", max_steps=0)


def test_citations_are_checked_against_the_notes_the_search_returned(
    local_openai: OpenAIServer, client: OpenAI
) -> None:
    local_openai.script(
        Reply.tool_call("search_notes", {"query": "sorted set", "k": 1}),
        "A sorted set [note 2], with ZINCRBY [note 9].",
    )
    result = answer(client, "local-chat", "leaderboard?")
    assert (result.cited, result.retrieved, result.unsupported) == ([2, 9], {2}, [9])
