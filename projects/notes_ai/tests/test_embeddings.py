"""The embedders: the local model on both paths, hosted embeddings over the SDK, the byte format."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import onnx
import openai
import pytest

from projects.notes_ai import embeddings
from projects.notes_ai.embeddings import (
    EmbeddingsUnavailable,
    LocalEmbedder,
    OpenAIEmbedder,
    local_embedder,
    model_dir,
    vector_from_bytes,
    vector_to_bytes,
)
from shared.testing.helpers import free_port
from shared.testing.openai_server import OpenAIServer, Reply, embedding, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

DATA = Path(__file__).parent / "data" / "embeddings"
REFERENCE_TEXTS: list[str] = json.loads((DATA / "texts.json").read_text(encoding="utf-8"))
SENTENCES = ["The cat sat on the mat.", "Redis sorted sets make a leaderboard.", "", "ok"]


@pytest.fixture(scope="module")
def weights() -> embeddings.BertWeights:
    return embeddings.BertWeights.load(model_dir())


@pytest.fixture(scope="module", params=["onnx", "numpy"])
def embedder(request: pytest.FixtureRequest, weights: embeddings.BertWeights) -> LocalEmbedder:
    return LocalEmbedder(model_dir(), request.param, weights)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return np.load(DATA / "reference.npy").astype(np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def client_for(server: OpenAIServer, **options: object) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=server.api_key, base_url=server.base_url, max_retries=0, timeout=5.0, **options
    )


# --------------------------------------------------------------------------- the local model


def test_local_vectors_match_sentence_transformers_for_every_reference_text(
    embedder: LocalEmbedder, reference: np.ndarray
) -> None:
    similarity = cosines(embedder.embed(REFERENCE_TEXTS), reference)
    worst = int(np.argmin(similarity))
    assert similarity[worst] >= 0.995, (embedder.backend, REFERENCE_TEXTS[worst][:60])


def test_local_vectors_are_float32_unit_rows_of_384(embedder: LocalEmbedder) -> None:
    vectors = embedder.embed(SENTENCES)
    assert (vectors.shape, vectors.dtype) == ((len(SENTENCES), 384), np.float32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_batch_gives_each_text_its_own_vector_in_the_order_given(
    embedder: LocalEmbedder,
) -> None:
    texts = REFERENCE_TEXTS[::7]  # lengths from 1 token to 300, out of order
    together = embedder.embed(texts)
    alone = np.concatenate([embedder.embed([text]) for text in texts])
    assert cosines(together, alone).min() > 0.99999
    assert cosines(embedder.embed(texts[::-1]), together[::-1]).min() > 0.99999


def test_no_texts_give_an_empty_array_of_the_right_width(embedder: LocalEmbedder) -> None:
    vectors = embedder.embed([])
    assert (vectors.shape, vectors.dtype) == ((0, 384), np.float32)


def test_tokens_after_the_256th_do_not_change_the_vector(embedder: LocalEmbedder) -> None:
    start = " ".join(["alpha"] * 300)
    first, second = embedder.embed([start + " zebras", start + " volcanoes erupt loudly"])
    assert float(first @ second) > 0.99999


def test_similar_sentences_score_higher_than_unrelated_ones(embedder: LocalEmbedder) -> None:
    question, answer, unrelated = embedder.embed(
        ["What is the capital of France?", "Paris is the capital of France.", "Bananas are yellow."]
    )
    assert float(question @ answer) > float(question @ unrelated) + 0.3


def test_the_onnx_and_numpy_paths_agree_to_float32_precision(
    weights: embeddings.BertWeights,
) -> None:
    onnx = LocalEmbedder(model_dir(), "onnx", weights).embed(REFERENCE_TEXTS)
    plain = LocalEmbedder(model_dir(), "numpy", weights).embed(REFERENCE_TEXTS)
    assert cosines(onnx, plain).min() > 0.99999


def test_the_progress_bar_draws_on_stderr_only_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    embedder = local_embedder()
    embedder.embed(SENTENCES)
    assert capsys.readouterr().err == ""
    embedder.embed(SENTENCES, progress=True)
    captured = capsys.readouterr()
    assert (captured.out, "embedding" in captured.err) == ("", True)
    assert f"/{len(SENTENCES)} [" in captured.err  # the bar counts the texts


def test_local_embedder_loads_the_model_once_for_threads_that_ask_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embeddings, "_local", None)
    loads = []

    class CountedEmbedder(LocalEmbedder):
        def __init__(self, *args: object, **kwargs: object) -> None:
            loads.append(args)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(embeddings, "LocalEmbedder", CountedEmbedder)
    barrier = threading.Barrier(4)
    seen: list[LocalEmbedder] = []

    def ask() -> None:
        barrier.wait()
        seen.append(local_embedder())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (len(loads), len(seen), len({id(e) for e in seen})) == (1, 4, 1)


def test_a_forked_process_loads_its_own_local_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    parents = local_embedder()
    monkeypatch.setattr(embeddings.os, "getpid", lambda: -1)  # as in a child after fork()
    childs = local_embedder()
    assert (childs is not parents, local_embedder() is childs) == (True, True)


def test_local_embedder_runs_on_numpy_when_onnxruntime_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embeddings, "_local", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now fails
    assert local_embedder().backend == "numpy"


def test_the_local_embedder_prefers_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_local", None)
    assert local_embedder().backend == "onnx"


def test_a_missing_model_package_says_to_run_make_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "no_such_model_package")
    with pytest.raises(EmbeddingsUnavailable, match=r"make venv.*requirements-models\.lock"):
        model_dir()


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="'onnx' or 'numpy'"):
        LocalEmbedder(model_dir(), "torch")


# --------------------------------------------------------------------------- bytes


def test_a_vector_survives_its_bytes_as_little_endian_float32() -> None:
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    data = vector_to_bytes(vector)
    assert (len(data), data[:4]) == (384 * 4, np.float32(-1).astype("<f4").tobytes())
    assert np.array_equal(vector_from_bytes(data, 384), vector)


def test_bytes_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="expected 384 float32 values"):
        vector_from_bytes(b"\0" * 12, 384)


# --------------------------------------------------------------------------- hosted embeddings


def test_hosted_vectors_are_the_servers_normalised_in_the_order_given(
    local_openai: OpenAIServer,
) -> None:
    embedder = OpenAIEmbedder(client_for(local_openai), "local-embed")
    texts = [f"note {i}" for i in range(5)]
    vectors = embedder.embed(texts)
    expected = np.array([embedding(text, 8) for text in texts], dtype=np.float32)
    assert (vectors.shape, vectors.dtype, embedder.dim) == ((5, 8), np.float32, 8)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)


def test_hosted_embeddings_are_asked_for_in_batches_of_96(local_openai: OpenAIServer) -> None:
    embedder = OpenAIEmbedder(client_for(local_openai), "text-embedding-3-small", dimensions=8)
    vectors = embedder.embed([f"text {i}" for i in range(200)])
    sizes = [len(request.body["input"]) for request in local_openai.requests]
    assert (vectors.shape, sizes) == ((200, 8), [96, 96, 8])
    assert {request.body["dimensions"] for request in local_openai.requests} == {8}
    assert {request.body["model"] for request in local_openai.requests} == {
        "text-embedding-3-small"
    }


def test_an_unknown_model_learns_its_dimensions_from_its_first_answer(
    local_openai: OpenAIServer,
) -> None:
    embedder = OpenAIEmbedder(client_for(local_openai), "nomic-embed-text")
    embedder.embed(["hello"])
    assert (embedder.dim, len(local_openai.requests)) == (8, 1)


def test_a_known_model_has_its_dimensions_without_a_request(local_openai: OpenAIServer) -> None:
    embedder = OpenAIEmbedder(client_for(local_openai), "text-embedding-3-large")
    assert (embedder.dim, local_openai.requests) == (3072, [])


def test_no_texts_ask_the_server_nothing_for_a_known_model(local_openai: OpenAIServer) -> None:
    embedder = OpenAIEmbedder(client_for(local_openai), "text-embedding-3-small", dimensions=8)
    assert (embedder.embed([]).shape, local_openai.requests) == ((0, 8), [])


def test_an_empty_text_is_sent_as_a_space(local_openai: OpenAIServer) -> None:
    OpenAIEmbedder(client_for(local_openai), "local-embed").embed(["", "hello"])
    assert local_openai.requests[-1].body["input"] == [" ", "hello"]


def test_a_server_error_is_embeddings_unavailable_with_its_message(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script(Reply.failure(500, "The server had an error"))
    embedder = OpenAIEmbedder(client_for(local_openai), "local-embed", dimensions=8)
    with pytest.raises(EmbeddingsUnavailable, match="answered 500: The server had an error"):
        embedder.embed(["hello"])


def test_a_wrong_key_is_embeddings_unavailable(local_openai: OpenAIServer) -> None:
    client = openai.OpenAI(api_key="wrong", base_url=local_openai.base_url, max_retries=0)
    with pytest.raises(EmbeddingsUnavailable, match="answered 401"):
        OpenAIEmbedder(client, "local-embed", dimensions=8).embed(["hello"])


def test_no_server_at_the_url_is_embeddings_unavailable_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    client = openai.OpenAI(api_key="key", base_url=url, max_retries=0, timeout=2.0)
    with pytest.raises(EmbeddingsUnavailable, match="cannot reach the embeddings server at"):
        OpenAIEmbedder(client, "local-embed", dimensions=8).embed(["hello"])


def test_a_broken_body_is_embeddings_unavailable(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(malformed=True))
    embedder = OpenAIEmbedder(client_for(local_openai), "local-embed", dimensions=8)
    with pytest.raises(EmbeddingsUnavailable, match="the embeddings request failed"):
        embedder.embed(["hello"])


def test_vectors_of_another_size_than_expected_are_refused(local_openai: OpenAIServer) -> None:
    # text-embedding-3-small is 1536-d; the local server answers 8-d when not told a size.
    embedder = OpenAIEmbedder(client_for(local_openai), "text-embedding-3-small")
    with pytest.raises(EmbeddingsUnavailable, match="returned 8-dimensional vectors"):
        embedder.embed(["hello"])


def test_the_onnx_graph_is_built_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights: embeddings.BertWeights
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = embeddings.cached_onnx_model(model_dir(), lambda: weights)
    (cached,) = (tmp_path / "notes-ai").iterdir()

    def no_weights() -> embeddings.BertWeights:
        raise AssertionError("the weights were read again")

    again = embeddings.cached_onnx_model(model_dir(), no_weights)
    assert (again, cached.read_bytes()) == (built, built)


def test_without_a_writable_cache_the_graph_is_built_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights: embeddings.BertWeights
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    model = onnx.load_from_string(embeddings.cached_onnx_model(model_dir(), lambda: weights))
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
