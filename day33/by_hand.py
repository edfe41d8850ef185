"""One sentence embedding computed by hand: tokenizer → embeddings → attention → pooling.

all-MiniLM-L6-v2 is a small BERT: 6 layers, 12 attention heads, 384 numbers per token. This is
its forward pass for one text, written to be read rather than to be fast (the capstone's
``projects/notes_ai/embeddings.py`` batches texts, pads them and runs on onnxruntime).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from projects.notes_ai.embeddings import model_dir

Weights = dict[str, np.ndarray]


@dataclass(frozen=True)
class Model:
    """The tokenizer, the weights by name, and the numbers from ``config.json``."""

    tokenizer: Tokenizer
    weights: Weights
    layers: int
    heads: int
    eps: float


def load_model(folder: Path | None = None) -> Model:
    """all-MiniLM-L6-v2 from the installed model package (or ``folder``)."""
    folder = folder or model_dir()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads every text to 128 tokens
    tokenizer.enable_truncation(256)  # and truncates at 128; the model was trained on 256
    config = json.loads((folder / "config.json").read_text())
    return Model(
        tokenizer=tokenizer,
        weights=load_file(folder / "model.safetensors"),
        layers=config["num_hidden_layers"],
        heads=config["num_attention_heads"],
        eps=config["layer_norm_eps"],
    )


def tokens(model: Model, text: str) -> list[str]:
    """The word pieces the model sees, [CLS] first and [SEP] last."""
    return model.tokenizer.encode(text).tokens


def linear(weights: Weights, name: str, x: np.ndarray) -> np.ndarray:
    """``x W^T + b``: a PyTorch ``Linear`` stores its matrix as (out, in)."""
    return x @ weights[name + ".weight"].T + weights[name + ".bias"]


def layer_norm(weights: Weights, name: str, x: np.ndarray, eps: float) -> np.ndarray:
    """Each token's vector shifted to mean 0, scaled to variance 1, then by learnt weights."""
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weights[name + ".weight"] + weights[
        name + ".bias"
    ]


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's activation, exactly: x·Φ(x), with Φ the normal distribution's CDF."""
    erf = np.vectorize(math.erf)
    return x * 0.5 * (1.0 + erf(x / math.sqrt(2.0)))


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention(model: Model, prefix: str, x: np.ndarray) -> np.ndarray:
    """Self-attention: each token's new vector is a weighted mix of every token's value."""
    # practice 3: mix every token's value by how well its key matches each token's query
    # hint: project x to query, key and value, split each into heads of hidden // heads numbers,
    # hint: softmax(q·kᵀ / √size) times v, then join the heads and apply "output.dense".
    w, heads = model.weights, model.heads
    length, hidden = x.shape
    size = hidden // heads

    def split(v: np.ndarray) -> np.ndarray:  # (tokens, 384) -> (12 heads, tokens, 32)
        return v.reshape(length, heads, size).transpose(1, 0, 2)

    query = split(linear(w, prefix + "self.query", x))
    key = split(linear(w, prefix + "self.key", x))
    value = split(linear(w, prefix + "self.value", x))
    scores = query @ key.transpose(0, 2, 1) / math.sqrt(size)  # (heads, tokens, tokens)
    mixed = softmax(scores) @ value  # (heads, tokens, 32)
    return linear(w, prefix + "output.dense", mixed.transpose(1, 0, 2).reshape(length, hidden))
    # end practice 3


def hidden_states(model: Model, text: str) -> np.ndarray:
    """One vector per token, (tokens, 384), after the last of the 6 layers."""
    w, eps = model.weights, model.eps
    ids = model.tokenizer.encode(text).ids
    # Token embeddings: what the word piece is + where it stands + which segment (always 0).
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][: len(ids)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(w, "embeddings.LayerNorm", x, eps)
    for i in range(model.layers):
        p = f"encoder.layer.{i}."
        x = layer_norm(
            w, p + "attention.output.LayerNorm", x + attention(model, p + "attention.", x), eps
        )
        feed_forward = linear(w, p + "output.dense", gelu(linear(w, p + "intermediate.dense", x)))
        x = layer_norm(w, p + "output.LayerNorm", x + feed_forward, eps)
    return x


def embed_by_hand(model: Model, text: str) -> np.ndarray:
    """The sentence's embedding: the mean of its token vectors, scaled to length 1."""
    # practice 4: pool the token vectors into one sentence vector of length 1
    # hint: the plain mean over every token, [CLS] and [SEP] included, then divide by its norm;
    # hint: the capstone stores float32.
    pooled = hidden_states(model, text).mean(axis=0)
    return (pooled / np.linalg.norm(pooled)).astype(np.float32)
    # end practice 4
