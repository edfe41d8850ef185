"""A context budgeter: the most relevant passages that fit a model's window, and what a call costs.

A chat request must fit the model's context window: the system message, the question, the
passages retrieved from the notes, and the answer the model is still to write. ``build_prompt``
keeps room for the answer, then packs passages best first with the capstone's
:func:`projects.notes_ai.tokens.pack`, stopping at the first one that does not fit, and checks
the finished messages against the window, so the budget holds after the framing too.

Counts are ``cl100k_base`` (GPT-4, GPT-3.5-turbo); for newer models they are an estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from projects.notes_ai.tokens import Price, count_tokens, estimate_cost, pack

#: Example prices in US dollars per million tokens (input, output), as OpenAI listed them in
#: mid-2025. Prices change: they are configuration, to be checked and passed in, not facts.
EXAMPLE_PRICES: Mapping[str, Price] = {
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4o": Price(2.50, 10.00),
}
PRICES_AS_OF = "2025-06"

SYSTEM = (
    "Answer from the notes below only, citing note ids like [note 3]. "
    "If the notes do not say, answer that you do not know."
)
#: The OpenAI cookbook's estimate for chat models: each message costs 3 tokens of framing, and
#: the reply is primed with 3 more.
TOKENS_PER_MESSAGE = 3
REPLY_PRIMING = 3


class BudgetError(ValueError):
    """The window cannot hold the question and the answer, before any passage."""


@dataclass(frozen=True)
class Passage:
    """A piece of a note that retrieval found, with its relevance (higher is better)."""

    note_id: int
    text: str
    score: float


@dataclass(frozen=True)
class Prompt:
    """The messages to send, what went into them, and what they cost in tokens."""

    messages: list[dict[str, str]]
    included: list[Passage]
    dropped: list[Passage]
    truncated: bool
    prompt_tokens: int
    max_answer_tokens: int

    def cost(self, price: Price) -> float:
        """The most this call can cost: the prompt, plus an answer of the full allowance."""
        return estimate_cost(self.prompt_tokens, self.max_answer_tokens, price)


def message_tokens(messages: Sequence[Mapping[str, str]]) -> int:
    """The tokens a list of chat messages takes, by the cookbook's rule."""
    # practice 1: count a list of chat messages by the cookbook's rule
    # hint: every message costs its framing plus the tokens of each of its values (role too),
    # hint: and the reply's priming is counted once for the whole list.
    return REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE + sum(count_tokens(value) for value in message.values())
        for message in messages
    )
    # end practice 1


def passage_block(passage: Passage) -> str:
    return f"[note {passage.note_id}] {passage.text}"


def messages_for(question: str, passages: Sequence[Passage], system: str) -> list[dict[str, str]]:
    notes = "\n\n".join(passage_block(passage) for passage in passages)
    return [
        {"role": "system", "content": f"{system}\n\nNotes:\n{notes}"},
        {"role": "user", "content": question},
    ]


def build_prompt(
    question: str,
    passages: Sequence[Passage],
    *,
    context_window: int,
    max_answer_tokens: int,
    system: str = SYSTEM,
) -> Prompt:
    """The best passages that fit ``context_window`` with ``max_answer_tokens`` kept free.

    Passages are ranked by score (ties keep their order); the best one is truncated when it
    alone does not fit, a later one never is. Raises :class:`BudgetError` when even the question
    leaves no room for the answer.
    """
    # practice 2: pack the best passages into what the window leaves after the question and answer
    # hint: rank by score, refuse when the question alone leaves no room, pack with each passage's
    # hint: framing as overhead, then count the joined messages again and drop from the end.
    ranked = sorted(passages, key=lambda passage: -passage.score)
    fixed = message_tokens(messages_for(question, [], system))
    room = context_window - max_answer_tokens - fixed
    if room < 0:
        raise BudgetError(
            f"a window of {context_window} tokens cannot hold this question ({fixed} tokens "
            f"with the system message) and an answer of {max_answer_tokens}"
        )
    # the framing of one passage: "[note 12] " before it and the blank line after it
    overhead = max(
        (count_tokens(passage_block(replace(p, text=""))) + 1 for p in ranked), default=0
    )
    included = pack(
        ranked,
        room,
        text=lambda passage: passage.text,
        overhead=overhead,
        shorten=lambda passage, cut: replace(passage, text=cut),
    )
    # pack counts each passage alone; the joined text is counted again, and trimmed if it grew
    while included and message_tokens(messages_for(question, included, system)) > (
        context_window - max_answer_tokens
    ):
        included.pop()
    messages = messages_for(question, included, system)
    truncated = bool(included) and included[0] != ranked[0]
    return Prompt(
        messages=messages,
        included=included,
        dropped=ranked[len(included) :],
        truncated=truncated,
        prompt_tokens=message_tokens(messages),
        max_answer_tokens=max_answer_tokens,
    )
    # end practice 2
