"""Extracting tasks: the prompt, the request, validation, and the retry with problems fed back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import openai
import pytest
from openai import OpenAI
from pydantic import ValidationError

from day27.extract import (
    EXAMPLES,
    EXAMPLES_TODAY,
    ExtractionError,
    TaskList,
    build_messages,
    extract_tasks,
    parse_reply,
    problems,
    response_format,
    system_prompt,
    unfence,
)
from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

TODAY = date(2026, 3, 4)  # a Wednesday


def task(**changes: Any) -> dict[str, Any]:
    return {"title": "Buy milk", "due": "2026-03-05", "priority": "normal", "tags": []} | changes


def reply(*tasks: dict[str, Any]) -> str:
    return json.dumps({"tasks": list(tasks)})


def client_for(server: OpenAIServer) -> OpenAI:
    return OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0, timeout=5)


def problems_of(text: str, today: date = TODAY) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        parse_reply(text, today)
    return problems(raised.value)


def test_the_system_prompt_says_what_day_today_is() -> None:
    assert "Today is Wednesday 2026-03-04." in system_prompt(TODAY)


def test_the_messages_are_the_system_prompt_the_examples_then_the_text() -> None:
    messages = build_messages("Buy milk", TODAY)
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[1]["content"] == EXAMPLES[0].text
    assert TaskList.model_validate_json(messages[2]["content"]) == EXAMPLES[0].answer
    assert messages[-1] == {"role": "user", "content": "Buy milk"}
    assert f"The examples were written on {EXAMPLES_TODAY}." in messages[0]["content"]


def test_without_examples_the_prompt_is_zero_shot() -> None:
    messages = build_messages("Buy milk", TODAY, examples=())
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "examples" not in messages[0]["content"]


def test_every_object_in_the_schema_is_closed_and_lists_all_its_fields_as_required() -> None:
    schema = response_format()["json_schema"]["schema"]
    objects = [schema, *schema["$defs"].values()]
    for node in objects:
        assert node["additionalProperties"] is False, node
        assert sorted(node["required"]) == sorted(node["properties"]), node


def test_the_request_asks_for_strict_json_at_temperature_zero(local_openai: OpenAIServer) -> None:
    local_openai.script(reply(task()))
    extract_tasks(client_for(local_openai), "local-chat", "Buy milk tomorrow", TODAY)
    body = local_openai.requests[-1].body
    assert body["response_format"] == response_format()
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["temperature"] == 0


def test_a_valid_reply_becomes_tasks_in_one_request(local_openai: OpenAIServer) -> None:
    local_openai.script(
        reply(task(), task(title="Fix the CI", priority="high", due=None, tags=["ci"]))
    )
    found = extract_tasks(client_for(local_openai), "local-chat", "text", TODAY)
    assert [(t.title, t.due, t.priority, t.tags) for t in found.tasks] == [
        ("Buy milk", date(2026, 3, 5), "normal", []),
        ("Fix the CI", None, "high", ["ci"]),
    ]
    assert len(found.attempts) == 1 and found.attempts[0].problems == []
    assert len(local_openai.requests) == 1


def test_a_reply_in_a_markdown_fence_is_accepted() -> None:
    assert unfence('```json\n{"tasks": []}\n```') == '{"tasks": []}'
    assert parse_reply('```\n{"tasks": []}\n```\n', TODAY) == TaskList(tasks=[])


def test_an_invalid_reply_is_sent_back_with_its_problems_and_the_fix_accepted(
    local_openai: OpenAIServer,
) -> None:
    bad = reply(task(priority="urgent"))
    local_openai.script(bad, reply(task(priority="high")))
    found = extract_tasks(client_for(local_openai), "local-chat", "Buy milk, urgent", TODAY)
    assert [t.priority for t in found.tasks] == ["high"]
    assert [len(a.problems) for a in found.attempts] == [1, 0]
    retry = local_openai.requests[-1].body["messages"]
    assert retry[-2] == {"role": "assistant", "content": bad}
    assert retry[-1]["role"] == "user"
    assert (
        "- tasks.0.priority: Input should be 'low', 'normal' or 'high', got 'urgent'"
        in (retry[-1]["content"])
    )


def test_partial_json_twice_is_an_error_that_says_where_it_stopped(
    local_openai: OpenAIServer,
) -> None:
    cut = '{"tasks": [{"title": "Buy'
    local_openai.script(cut, cut)
    with pytest.raises(ExtractionError) as raised:
        extract_tasks(client_for(local_openai), "local-chat", "Buy milk", TODAY)
    assert str(raised.value) == (
        "no valid task list after 2 attempts: "
        "reply: not valid JSON (EOF while parsing a string at line 1 column 25)"
    )
    assert [a.reply for a in raised.value.attempts] == [cut, cut]


def test_with_no_retries_a_bad_reply_fails_after_one_request(local_openai: OpenAIServer) -> None:
    local_openai.script("Sure! Here are your tasks.")
    with pytest.raises(ExtractionError, match=r"after 1 attempt: reply: not valid JSON"):
        extract_tasks(client_for(local_openai), "local-chat", "x", TODAY, retries=0)
    assert len(local_openai.requests) == 1


def test_errors_of_the_api_pass_through_unchanged(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply.failure(503, "overloaded"))
    with pytest.raises(openai.InternalServerError):
        extract_tasks(client_for(local_openai), "local-chat", "x", TODAY)


def test_each_problem_names_the_field_the_rule_and_the_value() -> None:
    found = problems_of(reply(task(due="next week", tags=["#home"])))
    assert found == [
        "tasks.0.due: Input should be a valid date or datetime, input is too short, "
        "got 'next week'",
        "tasks.0.tags.0: String should match pattern '^[a-z0-9-]{1,20}$', got '#home'",
    ]


def test_a_due_date_before_today_is_a_problem() -> None:
    assert problems_of(reply(task(due="2026-03-01"))) == [
        "tasks.0.due: Value error, the due date 2026-03-01 is before today, 2026-03-04, "
        "got '2026-03-01'"
    ]


def test_a_field_the_schema_does_not_have_is_a_problem() -> None:
    assert problems_of(reply(task(notes="x"))) == [
        "tasks.0.notes: Extra inputs are not permitted, got 'x'"
    ]


def test_a_missing_field_is_a_problem_even_when_it_may_be_null() -> None:
    missing_due = {k: v for k, v in task().items() if k != "due"}
    assert problems_of(reply(missing_due)) == [
        "tasks.0.due: Field required, got {'title': 'Buy milk', 'priority': 'normal', 'tags': []}"
    ]


@pytest.mark.parametrize(("title", "kept"), [("  Buy milk  ", "Buy milk"), ("x" * 100, "x" * 100)])
def test_a_title_is_stripped_and_kept(title: str, kept: str) -> None:
    assert parse_reply(reply(task(title=title)), TODAY).tasks[0].title == kept


@pytest.mark.parametrize("title", ["", "   ", "x" * 101])
def test_an_empty_or_overlong_title_is_a_problem(title: str) -> None:
    assert problems_of(reply(task(title=title)))[0].startswith("tasks.0.title: String should have")


def test_the_few_shot_answers_are_valid_on_the_day_they_were_written_for() -> None:
    for example in EXAMPLES:
        assert parse_reply(example.answer.model_dump_json(), EXAMPLES_TODAY) == example.answer
