"""Exact vector search: normalisation, top-k two ways, the index, the synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from day34.search import (
    ExactIndex,
    around,
    clustered_vectors,
    normalise,
    time_search,
    top_k_partition,
    top_k_sort,
    topic_centres,
)


def test_normalise_gives_float32_rows_of_length_one():
    rows = normalise(np.array([[3.0, 4.0], [0.0, 2.0]]))
    assert rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)


def test_normalise_leaves_a_zero_vector_zero_instead_of_nan():
    rows = normalise(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert rows[0].tolist() == [0.0, 0.0]


def test_the_dot_product_of_normalised_vectors_is_their_cosine():
    a, b = np.array([3.0, 4.0]), np.array([4.0, 3.0])
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    assert float(normalise(a)[0] @ normalise(b)[0]) == pytest.approx(cosine, abs=1e-6)


def test_a_raw_dot_product_prefers_the_longer_vector_where_cosine_does_not():
    vectors, query = np.array([[0.9, 0.1], [6.0, 8.0]]), np.array([1.0, 0.0])
    assert int(np.argmax(vectors @ query)) == 1
    assert int(np.argmax(normalise(vectors) @ query)) == 0


def test_argpartition_and_a_full_sort_pick_the_same_top_ten():
    scores = np.random.default_rng(0).standard_normal(10_000)
    assert top_k_partition(scores, 10).tolist() == top_k_sort(scores, 10).tolist()


def test_argpartition_finds_the_k_best_but_promises_no_order_among_them():
    scores = np.random.default_rng(1).standard_normal(1000)
    picked = np.argpartition(-scores, 9)[:10]
    assert set(picked.tolist()) == set(np.argsort(-scores)[:10].tolist())
    assert top_k_partition(scores, 10).tolist() == sorted(picked.tolist(), key=lambda i: -scores[i])


def test_top_k_of_more_than_there_are_is_every_index_best_first():
    scores = np.array([0.1, 0.9, 0.5])
    assert top_k_partition(scores, 10).tolist() == [1, 2, 0]


def test_top_k_of_zero_is_empty():
    assert top_k_partition(np.array([0.3, 0.2]), 0).tolist() == []


def test_the_index_finds_a_stored_vector_first_with_score_one():
    vectors = clustered_vectors(500, 32, topics=10)
    index = ExactIndex(32)
    index.add(range(100, 600), vectors)
    [(found, score), *_] = index.search(vectors[42] * 7.0, 3)
    assert (found, round(score, 5)) == (142, 1.0)


def test_the_index_returns_scores_best_first():
    index = ExactIndex(16)
    index.add(range(200), np.random.default_rng(2).standard_normal((200, 16)))
    hits = index.search(np.random.default_rng(3).standard_normal(16), 20)
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True) and len(hits) == 20


def test_the_index_refuses_a_query_of_another_dimension():
    index = ExactIndex(8)
    with pytest.raises(ValueError, match="the query has 4 dimensions, the index 8"):
        index.search(np.ones(4), 1)


def test_the_index_refuses_vectors_that_do_not_match_their_ids():
    with pytest.raises(ValueError, match="expected 3 vectors of 8"):
        ExactIndex(8).add([1, 2, 3], np.ones((2, 8)))


def test_synthetic_vectors_are_unit_length_and_lean_one_way_like_text_embeddings():
    vectors = clustered_vectors(2000, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    unrelated = float(np.mean(np.sum(vectors[:1000] * vectors[1000:], axis=1)))
    assert 0.05 < unrelated < 0.3, unrelated


def test_a_query_near_a_topic_is_much_nearer_its_topic_mates_than_random_ones():
    centres = topic_centres(384, 50)
    data, query = around(centres, 2000, seed=1), around(centres, 1, seed=2)[0]
    scores = np.sort(data @ query)[::-1]
    assert scores[0] > 0.5 > 0.2 > float(np.median(scores)), (scores[0], np.median(scores))


def test_time_search_reports_positive_milliseconds_for_each_step():
    matrix = clustered_vectors(1000, 32, topics=10)
    timing = time_search(matrix, matrix[:5])
    assert timing.n == 1000
    assert min(timing.matmul_ms, timing.partition_ms, timing.sort_ms) > 0
