"""What the lesson says about the model, the tokens and the SDK, checked on the locked versions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openai import OpenAI

from day36.notes import NOTES
from day36.rag import MIN_SCORE, NoteIndex, Passage, build_messages, cost, fence
from projects.notes_ai import tokens
from projects.notes_ai.embeddings import local_embedder
from shared.testing.openai_server import OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

ON_TOPIC = [
    "Where do we keep data in Redis, and for how long?",
    "What happens when a client sends too many requests?",
    "How do I rename a column without downtime?",
]


@pytest.fixture(scope="module")
def index() -> NoteIndex:
    return NoteIndex(NOTES, local_embedder())


def test_search_returns_a_nearest_passage_even_for_a_question_no_note_answers(
    index: NoteIndex,
) -> None:
    found = index.search("Who won the 1998 World Cup?", 4)
    assert len(found) == 4 and 0 < found[0].score < 0.05, [p.score for p in found]


def test_questions_the_notes_answer_score_far_above_the_threshold(index: NoteIndex) -> None:
    best = [index.search(question)[0].score for question in ON_TOPIC]
    assert min(best) >= 0.44 > MIN_SCORE, best


def test_a_block_and_its_separator_cost_a_quarter_to_a_third_of_a_passage(
    index: NoteIndex,
) -> None:
    framing = {}
    for found in index.passages:
        numbered = replace(found, rank=1)
        extra = cost(numbered) - tokens.count_tokens(found.text)
        framing[(found.note_id, found.position)] = (extra, round(extra / cost(numbered), 2))
    assert all(21 <= extra <= 25 and 0.25 <= share <= 0.33 for extra, share in framing.values()), (
        framing
    )


def test_pack_hands_shorten_a_cut_of_the_block_so_rewrapping_it_opens_the_block_twice() -> None:
    long = Passage(1, "Backups", 0, "word " * 300, 0.9, 1)
    given: list[str] = []

    def rewrap(passage: Passage, cut: str) -> Passage:
        given.append(cut)
        return replace(passage, text=cut)

    [packed] = tokens.pack([long], 60, text=fence, shorten=rewrap)
    assert given[0].startswith('<note n="1" id="1"') and "</note>" not in given[0]
    assert fence(packed).count("note n=") == 2 and tokens.count_tokens(fence(packed)) > 60 - 4


def test_the_sdk_sends_only_the_parameters_given(local_openai: OpenAIServer) -> None:
    client = OpenAI(api_key=local_openai.api_key, base_url=local_openai.base_url, max_retries=0)
    messages = build_messages("How long?", [Passage(2, "Cache", 0, "60 s.", 0.5, 1)])
    client.chat.completions.create(model="local-chat", messages=messages, temperature=0)  # type: ignore[arg-type]
    body = local_openai.requests[-1].body
    assert body == {"model": "local-chat", "messages": messages, "temperature": 0}
