"""A chat that remembers within a conversation and stays under a token budget.

The model remembers nothing between requests: each one carries what it should know. Sending the
whole history grows the prompt with every turn, without end. :class:`RememberingChat` sends what
the AI Notes API's :class:`~projects.notes_ai.memory.ConversationMemory` keeps instead: the recent
turns verbatim, within ``history_tokens``, and a summary of the older ones, within
``summary_tokens``. The turns are rows in the database, the summary is a column of the
conversation, and the recent window may be cached in Redis.

:func:`model_summariser` is the other way to fold old turns: ask the model for the summary,
one request per fold, with the extractive summary as the fallback when it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from projects.notes_ai.llm import ChatModel
from projects.notes_ai.memory import (
    SUMMARY_TOKENS,
    TURN_OVERHEAD,
    ConversationMemory,
    MemoryContext,
    Summariser,
    Turn,
)
from projects.notes_ai.models import Conversation, User
from projects.notes_ai.tokens import count_tokens, truncate_to_tokens

SYSTEM = "You help a backend engineer plan a database migration. Answer in one or two sentences."
SUMMARY_PREFIX = "Summary of the earlier conversation:\n"
SUMMARISE_PROMPT = (
    "Update the summary of a conversation with the turns below. Keep every name, number and "
    "decision; drop greetings and repetition. Answer with the summary only, at most {words} words."
)


def prompt_messages(system: str, context: MemoryContext, question: str) -> list[dict[str, str]]:
    """The chat request: the system message, the summary if any, the recent turns, the question."""
    # practice 1: build the chat request from the memory, in the order the model reads it
    # hint: the rules first; the summary, if any, as a second system message after SUMMARY_PREFIX;
    # hint: then the recent turns as they were, and the new question last.
    messages = [{"role": "system", "content": system}]
    if context.summary:
        messages.append({"role": "system", "content": SUMMARY_PREFIX + context.summary})
    messages += [{"role": turn.role, "content": turn.content} for turn in context.turns]
    messages.append({"role": "user", "content": question})
    return messages
    # end practice 1


def prompt_tokens(messages: Sequence[dict[str, Any]]) -> int:
    """The tokens of a chat request: each message's content plus its framing."""
    return sum(count_tokens(str(m.get("content") or "")) + TURN_OVERHEAD for m in messages)


def model_summariser(model: ChatModel, *, limit_tokens: int = SUMMARY_TOKENS) -> Summariser:
    """A summariser that asks ``model``; its answer is cut to ``limit_tokens``.

    It raises what the model raises (LLMUnavailable): ConversationMemory then folds the turns
    extractively instead, so a failing model never loses a turn.
    """

    def summarise(previous: str | None, turns: Sequence[Turn]) -> str:
        # practice 2: ask the model to fold the turns into the summary so far
        # hint: SUMMARISE_PROMPT as the system message (about 3 words to 4 tokens); the summary so
        # hint: far and a "role: content" line per turn as the user's; cut the answer to the limit.
        lines = [f"Summary so far: {previous}"] if previous else []
        lines += [f"{turn.role}: {turn.content}" for turn in turns]
        instructions = SUMMARISE_PROMPT.format(words=max(limit_tokens * 3 // 4, 1))
        answer = model.complete(
            [
                {"role": "system", "content": instructions},
                {"role": "user", "content": "\n".join(lines)},
            ]
        )
        return truncate_to_tokens(answer.strip(), limit_tokens)
        # end practice 2

    return summarise


@dataclass(frozen=True)
class Exchange:
    """One question and answer, with what it cost: tokens sent, and sent with no memory."""

    question: str
    answer: str
    sent_tokens: int
    summary_tokens: int
    recent_turns: int
    everything_tokens: int


class RememberingChat:
    """One conversation with ``model``, remembered by ``memory`` in the database of ``engine``."""

    def __init__(
        self,
        engine: sa.Engine,
        memory: ConversationMemory,
        model: ChatModel,
        user_id: int,
        *,
        system: str = SYSTEM,
        title: str = "chat",
    ) -> None:
        self.engine = engine
        self.memory = memory
        self.model = model
        self.system = system
        #: The whole history, kept here only to show what sending all of it would cost.
        self.everything: list[Turn] = []
        with Session(engine) as session:
            conversation = Conversation(user_id=user_id, title=title)
            session.add(conversation)
            session.commit()
            self.conversation_id = conversation.id

    def ask(self, question: str) -> Exchange:
        """Ask with the memory, then store both turns; nothing is stored if the model fails."""
        with Session(self.engine) as session:
            conversation = session.get_one(Conversation, self.conversation_id)
            context = self.memory.context(session, conversation)
            messages = prompt_messages(self.system, context, question)
            answer = self.model.complete(messages)
            self.memory.record(session, conversation, "user", question, [])
            self.memory.record(session, conversation, "assistant", answer, [])
            session.commit()
        turns = [Turn("user", question), Turn("assistant", answer)]
        self.memory.after_commit(self.conversation_id, turns)
        everything = prompt_messages(self.system, MemoryContext(None, self.everything), question)
        self.everything += turns
        return Exchange(
            question=question,
            answer=answer,
            sent_tokens=prompt_tokens(messages),
            summary_tokens=count_tokens(context.summary or ""),
            recent_turns=len(context.turns),
            everything_tokens=prompt_tokens(everything),
        )

    def context(self) -> MemoryContext:
        """What the next question would be sent with (the summary row is updated, not committed)."""
        with Session(self.engine) as session:
            return self.memory.context(session, session.get_one(Conversation, self.conversation_id))


def new_user(engine: sa.Engine, email: str) -> int:
    """A user to own conversations (no password: this chat has no login)."""
    with Session(engine) as session:
        user = User(email=email, password_hash="-")
        session.add(user)
        session.commit()
        return user.id
