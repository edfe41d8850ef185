"""The small eval set: its slice, the grounding rule, and the scores of both retrievers."""

from __future__ import annotations

import pytest

from day39.scoring import (
    SLICE,
    EmbeddingRetriever,
    KeywordRetriever,
    Score,
    evaluate,
    grounded,
    slice_of_the_eval_set,
)
from projects.notes_ai.embeddings import local_embedder
from projects.notes_ai.evaluation.evalset import Question

NOTES, QUESTIONS = slice_of_the_eval_set()


def test_the_slice_is_twelve_notes_their_questions_and_two_no_note_answers() -> None:
    assert [note.file for note in NOTES] == list(SLICE)
    assert {q.note for q in QUESTIONS if q.note} == set(SLICE)
    assert sum(q.note is None for q in QUESTIONS) == 2


IDS = {"w.md": 1}
TEXTS = {1: "Between sets I pause ninety seconds before the next round."}


def test_an_answer_is_grounded_when_it_cites_its_note_and_quotes_it_verbatim() -> None:
    q = Question("rest?", "w.md")
    assert grounded(
        q, '"I pause ninety seconds" [note 1]', (1,), IDS, {1: "I pause ninety seconds"}
    )
    assert not grounded(q, '"I rest two minutes" [note 1]', (1,), IDS, TEXTS)
    assert not grounded(q, '"I pause ninety seconds" [note 2]', (2,), IDS, TEXTS)


def test_no_answer_is_grounded_only_as_not_found() -> None:
    q = Question("blood type?", None)
    assert grounded(q, "I could not find that in your notes.", (), IDS, TEXTS)
    assert not grounded(q, '"I pause" [note 1]', (1,), IDS, TEXTS)


def test_bm25_finds_a_note_by_its_own_words() -> None:
    found = KeywordRetriever(NOTES).search("pg_repack VACUUM FULL exclusive lock", 3)
    assert found[0].file == "postgres-runbook.md"


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    retrievers = [EmbeddingRetriever(NOTES, local_embedder()), KeywordRetriever(NOTES)]
    return {r.name: evaluate(r, NOTES, QUESTIONS) for r in retrievers}


@pytest.mark.slow
def test_embeddings_put_the_answering_note_in_the_top_three_for_nine_in_ten(
    scores: dict[str, Score],
) -> None:
    assert scores["embeddings"].hit3 >= 0.9, scores


@pytest.mark.slow
def test_bm25_misses_more_paraphrased_questions_than_embeddings(
    scores: dict[str, Score],
) -> None:
    assert scores["bm25"].hit3 < scores["embeddings"].hit3, scores
    assert scores["bm25"].hit1 < scores["embeddings"].hit1, scores


@pytest.mark.slow
def test_answers_from_embedding_search_are_grounded_more_often(scores: dict[str, Score]) -> None:
    assert scores["bm25"].grounded < scores["embeddings"].grounded, scores
