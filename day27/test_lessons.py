"""What the lesson says about structured output in the SDK and pydantic, checked over HTTP."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI
from pydantic import BaseModel, ValidationError

from day27.extract import TaskList, response_format
from shared.testing.openai_server import OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

ASK = [{"role": "user", "content": "notes"}]


class Note(BaseModel):
    """A note to keep."""

    title: str
    pinned: bool = False


def client_for(server: OpenAIServer) -> OpenAI:
    return OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0, timeout=5)


def test_parse_sends_the_same_strict_schema_as_mine(local_openai: OpenAIServer) -> None:
    local_openai.script('{"tasks": []}')
    client_for(local_openai).chat.completions.parse(
        model="local-chat", messages=ASK, response_format=TaskList
    )
    assert local_openai.requests[-1].body["response_format"] == response_format()


def test_parse_makes_a_field_with_a_default_required_but_accepts_a_reply_without_it(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script('{"title": "x"}')
    answer = client_for(local_openai).chat.completions.parse(
        model="local-chat", messages=ASK, response_format=Note
    )
    schema = local_openai.requests[-1].body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["title", "pinned"]
    assert schema["additionalProperties"] is False
    assert answer.choices[0].message.parsed == Note(title="x", pinned=False)


def test_the_docstrings_of_the_models_are_sent_to_the_model(local_openai: OpenAIServer) -> None:
    local_openai.script('{"title": "x", "pinned": true}')
    client_for(local_openai).chat.completions.parse(
        model="local-chat", messages=ASK, response_format=Note
    )
    schema = local_openai.requests[-1].body["response_format"]["json_schema"]["schema"]
    assert schema["description"] == "A note to keep."


@pytest.mark.parametrize(
    ("reply", "kind"), [('{"title": "cut sho', "json_invalid"), ('{"title": 1}', "string_type")]
)
def test_parse_raises_pydantics_error_not_an_openai_one(
    local_openai: OpenAIServer, reply: str, kind: str
) -> None:
    local_openai.script(reply)
    with pytest.raises(ValidationError) as raised:
        client_for(local_openai).chat.completions.parse(
            model="local-chat", messages=ASK, response_format=Note
        )
    assert not isinstance(raised.value, openai.OpenAIError)
    assert isinstance(raised.value, ValueError)
    assert raised.value.errors()[0]["type"] == kind


def test_create_hands_back_whatever_the_server_sent(local_openai: OpenAIServer) -> None:
    local_openai.script("Sure! Here are your tasks:")
    answer = client_for(local_openai).chat.completions.create(
        model="local-chat",
        messages=ASK,  # type: ignore[arg-type]
        response_format=response_format(),  # type: ignore[arg-type]
    )
    assert answer.choices[0].message.content == "Sure! Here are your tasks:"


def test_pydantic_reports_where_a_cut_short_reply_stops() -> None:
    with pytest.raises(ValidationError) as raised:
        TaskList.model_validate_json('{"tasks": [')
    error = raised.value.errors()[0]
    assert (error["type"], error["loc"]) == ("json_invalid", ())
    assert error["ctx"]["error"] == "EOF while parsing a list at line 1 column 11"
