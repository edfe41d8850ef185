"""The remembering chat, against a local OpenAI-compatible server through the real SDK."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from day38.chat import (
    SUMMARY_PREFIX,
    SYSTEM,
    RememberingChat,
    model_summariser,
    new_user,
    prompt_tokens,
)
from projects.notes_ai.llm import ChatModel, LLMUnavailable, make_client
from projects.notes_ai.memory import ConversationMemory, Turn
from projects.notes_ai.models import Base, Message
from projects.notes_ai.tokens import count_tokens
from shared.db import create_engine
from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def model_of(server: OpenAIServer) -> ChatModel:
    return ChatModel(make_client(server.api_key, server.base_url, 5.0, 0), "local-chat")


def new_chat(
    engine: sa.Engine, server: OpenAIServer, memory: ConversationMemory | None = None
) -> RememberingChat:
    memory = memory or ConversationMemory(None, history_tokens=100, summary_tokens=60)
    return RememberingChat(engine, memory, model_of(server), new_user(engine, "me@example.com"))


def sent(server: OpenAIServer) -> list[dict[str, str]]:
    return server.requests[-1].body["messages"]  # type: ignore[no-any-return]


def test_the_second_question_is_sent_with_the_first_exchange(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    chat = new_chat(engine, local_openai)
    chat.ask("My table is called orders.")
    chat.ask("What is it called?")
    assert sent(local_openai) == [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "My table is called orders."},
        {"role": "assistant", "content": "echo: My table is called orders."},
        {"role": "user", "content": "What is it called?"},
    ]


def test_a_long_chat_stays_under_budget_while_the_whole_history_keeps_growing(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    chat = new_chat(engine, local_openai)
    question = "Which index would make the nightly report on the orders table faster, {}?"
    exchanges = [chat.ask(question.format(i)) for i in range(15)]
    fixed = count_tokens(SYSTEM) + count_tokens(question.format(14)) + 2 * 4 + 4
    bound = fixed + 100 + 60 + count_tokens(SUMMARY_PREFIX)
    assert max(e.sent_tokens for e in exchanges) <= bound
    whole = [e.everything_tokens for e in exchanges]
    assert whole == sorted(whole) and whole[-1] > 3 * exchanges[-1].sent_tokens
    assert [e.sent_tokens for e in exchanges] == [
        prompt_tokens(request.body["messages"]) for request in local_openai.requests
    ]


def test_the_summary_is_sent_as_a_system_message_after_the_rules(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    chat = new_chat(engine, local_openai)
    for i in range(6):
        chat.ask(f"Question {i} about backups. It has a second sentence.")
    summary = sent(local_openai)[1]
    assert summary["role"] == "system"
    assert summary["content"].startswith(SUMMARY_PREFIX + "User asked: Question 0 about backups.")
    assert "It has a second sentence" not in summary["content"]


def test_a_failed_answer_stores_nothing_and_is_not_sent_again(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    chat = new_chat(engine, local_openai)
    local_openai.script(Reply.failure(500, "down"))
    with pytest.raises(LLMUnavailable):
        chat.ask("Lost question?")
    chat.ask("Next question.")
    assert [m["content"] for m in sent(local_openai)] == [SYSTEM, "Next question."]
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == 2


def test_two_conversations_of_one_user_do_not_share_memory(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    memory = ConversationMemory(None, history_tokens=100)
    model = model_of(local_openai)
    user = new_user(engine, "both@example.com")
    first, second = (RememberingChat(engine, memory, model, user) for _ in range(2))
    first.ask("Secret of the first conversation.")
    second.ask("Hello?")
    assert [m["content"] for m in sent(local_openai)] == [SYSTEM, "Hello?"]


def test_the_model_summariser_sends_the_summary_so_far_and_the_turns(
    local_openai: OpenAIServer,
) -> None:
    summarise = model_summariser(model_of(local_openai), limit_tokens=10)
    local_openai.script("word " * 50)
    summary = summarise(
        "orders, 40M rows", [Turn("user", "Use pgloader?"), Turn("assistant", "Yes.")]
    )
    request = sent(local_openai)
    assert request[0]["role"] == "system" and "at most 7 words" in request[0]["content"]
    assert request[1]["content"] == (
        "Summary so far: orders, 40M rows\nuser: Use pgloader?\nassistant: Yes."
    )
    assert count_tokens(summary) <= 10


def test_a_failing_model_summariser_folds_extractively_instead(
    engine: sa.Engine, local_openai: OpenAIServer
) -> None:
    memory = ConversationMemory(
        None, history_tokens=15, summarise=model_summariser(model_of(local_openai))
    )
    chat = new_chat(engine, local_openai, memory)
    chat.ask("First question about locks.")
    local_openai.script(Reply.failure(503, "overloaded"))  # the summariser's request fails
    chat.ask("Second question.")
    assert sent(local_openai)[1]["content"] == (
        SUMMARY_PREFIX + "User asked: First question about locks."
    )
