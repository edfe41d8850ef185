"""The embedding computed by hand equals the capstone's, token by token and number by number."""

from __future__ import annotations

import numpy as np
import pytest

from day33.by_hand import Model, embed_by_hand, gelu, hidden_states, load_model, tokens
from projects.notes_ai.embeddings import local_embedder


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model()


@pytest.mark.parametrize(
    "text",
    ["Embeddings map text to vectors.", "", "Straße, crème brûlée and 東京 🚀", "word " * 300],
)
def test_the_embedding_by_hand_equals_the_capstones(model: Model, text: str) -> None:
    mine, capstone = embed_by_hand(model, text), local_embedder().embed([text])[0]
    np.testing.assert_allclose(mine, capstone, atol=1e-6)


def test_the_embedding_is_384_float32_numbers_of_length_one(model: Model) -> None:
    vector = embed_by_hand(model, "hello")
    assert (vector.shape, vector.dtype) == ((384,), np.float32)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-6


def test_the_tokens_are_lowercased_word_pieces_between_cls_and_sep(model: Model) -> None:
    assert tokens(model, "Embeddings map text") == [
        "[CLS]", "em", "##bed", "##ding", "##s", "map", "text", "[SEP]",
    ]  # fmt: skip


def test_each_token_gets_one_vector_of_384(model: Model) -> None:
    assert hidden_states(model, "Embeddings map text").shape == (8, 384)


def test_a_text_is_cut_at_256_tokens(model: Model) -> None:
    assert len(tokens(model, "word " * 300)) == 256


def test_gelu_is_x_times_the_normal_cdf() -> None:
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    expected = [-0.0040497, -0.1586553, 0.0, 0.8413447, 2.9959503]
    np.testing.assert_allclose(gelu(x), expected, atol=1e-6)
