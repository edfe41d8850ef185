"""Cosine similarity, and sentences ranked by it, on any embedding back end.

A back end is anything with ``embed(texts) -> (n, dim)`` unit rows: the local model
(:func:`projects.notes_ai.embeddings.local_embedder`) or hosted embeddings over the OpenAI SDK
(:class:`projects.notes_ai.embeddings.OpenAIEmbedder`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from projects.notes_ai.embeddings import Embedder


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """cos θ = a·b / (|a| |b|): 1 for the same direction, 0 for unrelated, -1 for opposite."""
    # practice 1: compute the cosine of two vectors, refusing a zero vector
    # hint: the dot product over the product of the two lengths (np.linalg.norm); a zero length
    # hint: has no direction, so raise ValueError for it.
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norms == 0.0:
        raise ValueError("the cosine of a zero vector is undefined")
    return float(np.dot(a, b)) / norms
    # end practice 1


@dataclass(frozen=True)
class Ranked:
    """One candidate and how close it is to the query."""

    score: float
    text: str


def rank(query: np.ndarray, vectors: np.ndarray, texts: Sequence[str]) -> list[Ranked]:
    """The texts by the cosine of their vectors with ``query``, best first; ties keep order."""
    # practice 2: rank the texts by their vectors' cosine with the query, best first
    # hint: refuse vectors and texts that do not pair up; sort positions by score, highest first,
    # hint: with one stable sort so that equal scores keep the order they came in.
    if len(vectors) != len(texts):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    scores = [cosine(query, vector) for vector in vectors]
    order = sorted(range(len(texts)), key=lambda i: -scores[i])
    return [Ranked(scores[i], texts[i]) for i in order]
    # end practice 2


def search(embedder: Embedder, query: str, sentences: Sequence[str]) -> list[Ranked]:
    """Embed the query and the sentences with one back end and rank the sentences."""
    vectors = embedder.embed([query, *sentences])
    return rank(vectors[0], vectors[1:], sentences)
