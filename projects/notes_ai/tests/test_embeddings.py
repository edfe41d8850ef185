"""The embedders: the local model on both paths, hosted embeddings over the SDK, the byte format."""

from __future__ import annotations

import numpy as np
import pytest

from projects.notes_ai.embeddings import (
    LocalEmbedder,
    local_embedder,
    local_weights,
    vector_from_bytes,
    vector_to_bytes,
)

TEXTS = ["The cat sat on the mat.", "", "Redis sorted sets make a leaderboard.", "word " * 400]


@pytest.fixture(scope="module", params=["onnx", "numpy"])
def embedder(request: pytest.FixtureRequest) -> LocalEmbedder:
    folder, weights = local_weights()
    return LocalEmbedder(folder, weights, request.param)


def test_local_vectors_are_float32_unit_rows_of_384(embedder: LocalEmbedder) -> None:
    vectors = embedder.embed(TEXTS)
    assert (vectors.shape, vectors.dtype) == ((len(TEXTS), 384), np.float32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_onnx_and_numpy_paths_give_the_same_vectors() -> None:
    folder, weights = local_weights()
    onnx = LocalEmbedder(folder, weights, "onnx").embed(TEXTS)
    plain = LocalEmbedder(folder, weights, "numpy").embed(TEXTS)
    assert np.min(np.sum(onnx * plain, axis=1)) > 0.99999


def test_local_embedder_is_loaded_once() -> None:
    assert local_embedder() is local_embedder()


def test_a_vector_survives_its_bytes() -> None:
    vector = np.arange(384, dtype=np.float32) / 384
    assert np.array_equal(vector_from_bytes(vector_to_bytes(vector), 384), vector)
