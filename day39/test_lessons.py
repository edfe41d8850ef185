"""What the lesson says about rank_bm25, checked on the locked version."""

from __future__ import annotations

import math

import pytest
from rank_bm25 import BM25Okapi


def test_in_a_corpus_of_two_documents_a_word_in_one_of_them_scores_zero() -> None:
    bm25 = BM25Okapi([["pause", "ninety", "seconds"], ["grind", "finer"]])
    assert list(bm25.get_scores(["pause"])) == [0.0, 0.0]


def test_a_word_in_most_documents_gets_a_quarter_of_the_average_raw_idf() -> None:
    bm25 = BM25Okapi([["pause", "ninety"], ["pause", "grind"], ["coffee"]])
    # Raw idf is log((N - n + 0.5) / (n + 0.5)): negative for "pause" (n = 2 of N = 3). It is
    # replaced by epsilon (0.25) times the average of the raw idfs, the negative one included.
    raw = {"pause": math.log(1.5 / 2.5), "other": math.log(2.5 / 1.5)}
    average = (raw["pause"] + 3 * raw["other"]) / 4
    assert bm25.idf["pause"] == pytest.approx(0.25 * average)
    assert all(score >= 0 for score in bm25.get_scores(["pause"]))


def test_a_query_sharing_no_word_with_any_document_scores_zero_everywhere() -> None:
    bm25 = BM25Okapi([["pause", "ninety", "seconds"], ["grind", "finer"], ["rest", "days"]])
    assert list(bm25.get_scores(["sets", "between"])) == [0.0, 0.0, 0.0]
