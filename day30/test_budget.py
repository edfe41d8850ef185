"""The context budgeter: what goes into the prompt, what stays out, and what it costs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from day30.budget import (
    EXAMPLE_PRICES,
    REPLY_PRIMING,
    TOKENS_PER_MESSAGE,
    BudgetError,
    Passage,
    build_prompt,
    message_tokens,
)
from projects.notes_ai.tokens import Price

QUESTION = "How is search cached?"


def passage(note_id: int, words: int, score: float) -> Passage:
    return Passage(note_id, " ".join(f"word{note_id}x{n}" for n in range(words)), score)


def test_message_tokens_follow_the_cookbook_rule() -> None:
    messages = [{"role": "user", "content": "hello world"}]
    assert message_tokens(messages) == REPLY_PRIMING + TOKENS_PER_MESSAGE + 1 + 2
    assert message_tokens([]) == REPLY_PRIMING


def test_everything_fits_in_a_large_window_best_first() -> None:
    passages = [passage(1, 5, 0.2), passage(2, 5, 0.9), passage(3, 5, 0.5)]
    prompt = build_prompt(QUESTION, passages, context_window=2000, max_answer_tokens=100)
    assert [p.note_id for p in prompt.included] == [2, 3, 1]
    assert prompt.dropped == []
    assert not prompt.truncated


def test_the_prompt_cites_each_passage_by_note_id() -> None:
    prompt = build_prompt(
        QUESTION, [Passage(7, "Cache in Redis.", 1.0)], context_window=500, max_answer_tokens=50
    )
    system, user = prompt.messages
    assert "[note 7] Cache in Redis." in system["content"]
    assert user == {"role": "user", "content": QUESTION}


def test_packing_stops_at_the_first_passage_that_does_not_fit() -> None:
    passages = [passage(1, 10, 0.9), passage(2, 200, 0.8), passage(3, 2, 0.1)]
    prompt = build_prompt(QUESTION, passages, context_window=300, max_answer_tokens=100)
    assert [p.note_id for p in prompt.included] == [1]
    assert [p.note_id for p in prompt.dropped] == [2, 3]


def test_the_best_passage_is_truncated_when_it_alone_does_not_fit() -> None:
    prompt = build_prompt(
        QUESTION,
        [passage(1, 500, 0.9), passage(2, 3, 0.5)],
        context_window=200,
        max_answer_tokens=50,
    )
    assert prompt.truncated
    assert [p.note_id for p in prompt.included] == [1]
    assert passage(1, 500, 0.9).text.startswith(prompt.included[0].text)
    assert prompt.prompt_tokens + 50 <= 200


def test_a_window_too_small_for_the_question_and_answer_is_refused() -> None:
    with pytest.raises(BudgetError, match="cannot hold this question"):
        build_prompt(QUESTION, [], context_window=60, max_answer_tokens=50)


def test_prompt_tokens_count_the_messages_as_sent() -> None:
    prompt = build_prompt(
        QUESTION, [passage(1, 20, 0.5)], context_window=1000, max_answer_tokens=10
    )
    assert prompt.prompt_tokens == message_tokens(prompt.messages)


@settings(deadline=None)
@given(
    st.lists(
        st.builds(
            Passage,
            st.integers(1, 99999),
            st.text(max_size=300),
            st.floats(0, 1, allow_nan=False),
        ),
        max_size=8,
    ),
    st.integers(120, 600),
    st.integers(0, 60),
)
def test_the_prompt_and_the_answer_never_exceed_the_window(
    passages: list[Passage], window: int, answer: int
) -> None:
    prompt = build_prompt(QUESTION, passages, context_window=window, max_answer_tokens=answer)
    assert prompt.prompt_tokens + answer <= window
    assert len(prompt.included) + len(prompt.dropped) == len(passages)


def test_cost_is_the_prompt_plus_the_whole_answer_allowance() -> None:
    prompt = build_prompt(QUESTION, [], context_window=1000, max_answer_tokens=500)
    price = Price(input_per_million=1.0, output_per_million=4.0)
    expected = (prompt.prompt_tokens * 1.0 + 500 * 4.0) / 1_000_000
    assert prompt.cost(price) == pytest.approx(expected)


def test_the_example_prices_charge_four_times_as_much_for_output() -> None:
    ratios = {p.output_per_million / p.input_per_million for p in EXAMPLE_PRICES.values()}
    assert ratios == {4.0}
