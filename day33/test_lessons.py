"""What the lesson says about the tokenizer, the model and the local server, checked as locked."""

from __future__ import annotations

import numpy as np
import onnx
import openai
import pytest
from tokenizers import Tokenizer

from projects.notes_ai.embeddings import OpenAIEmbedder, local_embedder, model_dir
from shared.testing.openai_server import OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


@pytest.fixture(scope="module")
def shipped() -> Tokenizer:
    """The tokenizer exactly as the model package ships it."""
    return Tokenizer.from_file(str(model_dir() / "tokenizer.json"))


def test_the_shipped_tokenizer_pads_every_text_to_128_tokens(shipped: Tokenizer) -> None:
    encoding = shipped.encode("hi")
    assert (len(encoding.ids), sum(encoding.attention_mask)) == (128, 3)


def test_the_shipped_tokenizer_truncates_at_128_tokens(shipped: Tokenizer) -> None:
    assert shipped.truncation is not None and shipped.truncation["max_length"] == 128
    assert len(shipped.encode("word " * 300).ids) == 128


def test_the_tokenizer_lowercases_and_strips_accents(shipped: Tokenizer) -> None:
    assert shipped.encode("Café CAFÉ").tokens[:4] == ["[CLS]", "cafe", "cafe", "[SEP]"]


def test_case_does_not_change_the_local_vector() -> None:
    upper, lower = local_embedder().embed(["HELLO WORLD", "hello world"])
    np.testing.assert_allclose(upper, lower, atol=1e-6)


def test_word_order_changes_the_local_vector_a_little() -> None:
    first, second = local_embedder().embed(["dog bites man", "man bites dog"])
    assert 0.8 < float(first @ second) < 0.99


def test_opposite_opinions_on_one_topic_still_score_high() -> None:
    love, hate, unrelated = local_embedder().embed(
        ["I love this song!", "I hate this song!", "Quarterly revenue grew by 4 %."]
    )
    assert float(love @ hate) > 0.6 > 0.1 > float(love @ unrelated)


def test_for_unit_vectors_the_dot_product_is_the_cosine() -> None:
    a, b = local_embedder().embed(["a cat", "a kitten"])
    cosine = float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b))
    assert abs(float(a @ b) - cosine) < 1e-6


def test_the_local_servers_vectors_repeat_per_text_but_ignore_meaning(
    local_openai: OpenAIServer,
) -> None:
    client = openai.OpenAI(
        api_key=local_openai.api_key, base_url=local_openai.base_url, max_retries=0
    )
    hosted = OpenAIEmbedder(client, "local-embed", dimensions=384)
    first, again, near = hosted.embed(["the cat sat", "the cat sat", "the cat sat."])
    assert np.array_equal(first, again)
    assert abs(float(first @ near)) < 0.3  # one character apart, yet unrelated vectors


def test_numpy_has_no_erf_so_exact_gelu_needs_math_erf_or_an_approximation() -> None:
    assert not hasattr(np, "erf")


def test_onnx_has_layer_normalization_from_opset_17_and_gelu_from_opset_20() -> None:
    assert onnx.defs.get_schema("LayerNormalization").since_version == 17
    assert onnx.defs.get_schema("Gelu").since_version == 20
