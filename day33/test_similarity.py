"""Cosine similarity and ranking, on plain vectors and on the local model."""

from __future__ import annotations

import numpy as np
import pytest

from day33.similarity import Ranked, cosine, rank, search
from projects.notes_ai.embeddings import local_embedder


def test_a_vector_has_cosine_one_with_itself_and_any_longer_copy() -> None:
    v = np.array([1.0, 2.0, 3.0])
    assert (cosine(v, v), round(cosine(v, 10 * v), 12)) == (1.0, 1.0)


def test_perpendicular_vectors_have_cosine_zero_and_opposite_ones_minus_one() -> None:
    x, y = np.array([1.0, 0.0]), np.array([0.0, 2.0])
    assert (cosine(x, y), cosine(x, -x)) == (0.0, -1.0)


def test_the_cosine_of_a_zero_vector_is_refused() -> None:
    with pytest.raises(ValueError, match="zero vector"):
        cosine(np.zeros(3), np.ones(3))


def test_rank_puts_the_closest_vector_first() -> None:
    query = np.array([1.0, 0.0])
    vectors = np.array([[0.0, 1.0], [1.0, 0.1], [-1.0, 0.0]])
    assert [hit.text for hit in rank(query, vectors, ["up", "right", "left"])] == [
        "right", "up", "left",
    ]  # fmt: skip


def test_rank_keeps_the_given_order_for_equal_scores() -> None:
    ranked = rank(np.array([1.0, 0.0]), np.array([[0.0, 1.0], [0.0, -1.0]]), ["a", "b"])
    assert ranked == [Ranked(0.0, "a"), Ranked(0.0, "b")]


def test_rank_refuses_vectors_and_texts_that_do_not_pair_up() -> None:
    with pytest.raises(ValueError, match="2 vectors for 1 texts"):
        rank(np.ones(2), np.ones((2, 2)), ["a"])


def test_search_on_the_local_model_finds_the_sentence_that_answers() -> None:
    sentences = ["My cat sleeps on the sofa.", "Paris is the capital of France.", "Use an index."]
    ranked = search(local_embedder(), "Which city is the capital of France?", sentences)
    assert ranked[0].text == "Paris is the capital of France."
    assert ranked[0].score > ranked[1].score + 0.5
