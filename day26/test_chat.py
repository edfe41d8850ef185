"""The chat module against the local compatible server, through the real SDK."""

from __future__ import annotations

import json

import openai
import pytest

from day26.chat import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ChatSettings,
    Conversation,
    SettingsError,
    check_base_url,
    describe_error,
    make_client,
    settings_from_env,
)
from shared.testing.helpers import free_port
from shared.testing.openai_server import API_KEY, OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


def settings_for(server: OpenAIServer, **changes: object) -> ChatSettings:
    options: dict[str, object] = {"timeout": 5.0, "max_retries": 0} | changes
    return ChatSettings(api_key=API_KEY, base_url=server.base_url, model="local-chat", **options)  # type: ignore[arg-type]


def test_settings_have_explicit_defaults_for_timeout_and_retries() -> None:
    settings = settings_from_env({"OPENAI_API_KEY": "sk-x"})
    assert settings == ChatSettings(api_key="sk-x")
    client = make_client(settings)
    assert (client.timeout, client.max_retries) == (DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES)
    assert str(client.base_url) == "https://api.openai.com/v1/"


def test_settings_read_every_variable() -> None:
    settings = settings_from_env(
        {
            "OPENAI_API_KEY": " local ",
            "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1/",
            "OPENAI_MODEL": "llama3",
            "OPENAI_TIMEOUT": "2.5",
            "OPENAI_MAX_RETRIES": "0",
        }
    )
    assert settings == ChatSettings("local", "http://127.0.0.1:8000/v1", "llama3", 2.5, 0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENAI_API_KEY": ""}, "OPENAI_API_KEY is unset"),
        ({"OPENAI_API_KEY": "  "}, "OPENAI_API_KEY is unset"),
        ({"OPENAI_TIMEOUT": "soon"}, "OPENAI_TIMEOUT must be seconds above 0, got 'soon'"),
        ({"OPENAI_TIMEOUT": "0"}, "OPENAI_TIMEOUT must be seconds above 0, got '0'"),
        ({"OPENAI_TIMEOUT": "nan"}, "OPENAI_TIMEOUT must be seconds above 0, got 'nan'"),
        ({"OPENAI_MAX_RETRIES": "-1"}, "OPENAI_MAX_RETRIES must be a whole number 0-10"),
        ({"OPENAI_MAX_RETRIES": "11"}, "OPENAI_MAX_RETRIES must be a whole number 0-10"),
        ({"OPENAI_BASE_URL": "127.0.0.1:8000"}, "OPENAI_BASE_URL must be an http(s) URL"),
    ],
)
def test_a_bad_setting_is_refused_in_one_line_naming_it(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings_from_env({"OPENAI_API_KEY": "sk-x"} | env)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("url", ["localhost:8000/v1", "ftp://host/v1", "http:///v1", "", "v1"])
def test_a_base_url_needs_http_or_https_and_a_host(url: str) -> None:
    with pytest.raises(SettingsError, match=r"such as http://127\.0\.0\.1:8000/v1"):
        check_base_url(url)


def test_a_conversation_sends_the_whole_history_each_time(local_openai: OpenAIServer) -> None:
    local_openai.script("first answer", "second answer")
    conversation = Conversation(make_client(settings_for(local_openai)), "local-chat", system="s")
    assert conversation.ask("one") == "first answer"
    assert conversation.ask("two") == "second answer"
    sent = local_openai.requests[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in sent] == [
        ("system", "s"),
        ("user", "one"),
        ("assistant", "first answer"),
        ("user", "two"),
    ]
    assert len(conversation.messages) == 5
    assert conversation.total_tokens > 0


def test_a_failed_question_leaves_the_history_as_it_was(local_openai: OpenAIServer) -> None:
    local_openai.script("fine", Reply.failure(500, "boom"))
    conversation = Conversation(make_client(settings_for(local_openai)), "local-chat")
    conversation.ask("one")
    before = list(conversation.messages)
    with pytest.raises(openai.InternalServerError):
        conversation.ask("two")
    assert conversation.messages == before


def test_a_streamed_answer_arrives_in_pieces_and_joins_the_history(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script("three little words")
    conversation = Conversation(make_client(settings_for(local_openai)), "local-chat")
    assert conversation.stream("say it") == ["three", " little", " words"]
    assert conversation.messages[-1] == {"role": "assistant", "content": "three little words"}
    assert local_openai.requests[-1].body["stream_options"] == {"include_usage": True}
    assert conversation.total_tokens == 2 + 3


def error_for(server: OpenAIServer, settings: ChatSettings, *replies: Reply) -> str:
    server.script(*replies)
    with pytest.raises(Exception) as raised:
        Conversation(make_client(settings), "local-chat").ask("hello?")
    return describe_error(raised.value, settings)


def test_errors_read_as_one_line_each(local_openai: OpenAIServer) -> None:
    settings = settings_for(local_openai, timeout=0.3)
    url = local_openai.base_url
    wrong_key = ChatSettings(api_key="nope", base_url=url, model="local-chat", max_retries=0)
    assert error_for(local_openai, settings, Reply.failure(503, "overloaded")) == (
        "the server answered 503: overloaded"
    )
    assert error_for(local_openai, wrong_key) == (
        "the server answered 401: Incorrect API key provided."
    )
    assert error_for(local_openai, settings, Reply(delay=2.0)) == (
        f"no answer from {url} within 0.3 s"
    )
    assert error_for(local_openai, settings, Reply(malformed=True)).startswith(
        f"the answer from {url} is not valid JSON: "
    )


def test_a_server_that_is_not_there_is_a_connection_error_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = ChatSettings(api_key="k", base_url=url, max_retries=0)
    with pytest.raises(openai.APIConnectionError) as raised:
        Conversation(make_client(settings), "m").ask("anyone?")
    assert describe_error(raised.value, settings) == (
        f"cannot connect to {settings.base_url}: is the server running?"
    )


def test_a_malformed_body_is_a_json_error(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(malformed=True))
    with pytest.raises(json.JSONDecodeError):
        Conversation(make_client(settings_for(local_openai)), "local-chat").ask("x")
