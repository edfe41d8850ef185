"""Exact (brute-force) vector search in numpy: normalise once, then top-k by dot product.

With every row of unit length, cosine similarity is a dot product, so scoring N vectors against
a query is one matrix-vector product. Picking the k best does not need a full sort:
``np.argpartition`` finds them in O(N), and only those k are sorted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def normalise(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as float32 rows of length 1 (a zero row stays zero instead of becoming NaN)."""
    # practice 1: scale every row to length 1 as float32, leaving a zero row zero
    # hint: one vector becomes a matrix of one row; divide by each row's norm, but only where
    # hint: that norm is above 0 (np.divide takes an out= and a where=).
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    # end practice 1


def top_k_partition(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the ``k`` highest scores, best first: argpartition, then sort only those k."""
    # practice 2: find the k best scores without sorting them all, then order only those k
    # hint: clamp k to 0..N; np.argpartition on the negated scores puts the k best first, in no
    # hint: order; a stable sort of just those k breaks ties by position.
    k = max(0, min(k, len(scores)))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # argpartition promises the k best, in no particular order.
    return best[np.argsort(-scores[best], kind="stable")]
    # end practice 2


def top_k_sort(scores: np.ndarray, k: int) -> np.ndarray:
    """The same indexes by sorting every score: O(N log N), the baseline."""
    return np.argsort(-scores, kind="stable")[: max(0, k)]


class ExactIndex:
    """Vectors with ids, searched exactly. Rows are normalised once, when added."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids = np.empty(0, dtype=np.int64)
        self._matrix = np.empty((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        rows = normalise(vectors)
        if rows.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of {self.dim}, got shape {rows.shape}")
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._matrix = np.concatenate([self._matrix, rows])

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by cosine similarity, best first, with their scores."""
        # practice 3: score the query against every stored row at once and return the k best ids
        # hint: normalise the query and refuse one of another dimension; the rows are unit length
        # hint: already, so one matrix-vector product gives every cosine.
        vector = normalise(query)[0]
        if vector.shape != (self.dim,):
            raise ValueError(f"the query has {vector.size} dimensions, the index {self.dim}")
        scores = self._matrix @ vector
        return [(int(self._ids[i]), float(scores[i])) for i in top_k_partition(scores, k)]
        # end practice 3


def topic_centres(dim: int = 384, topics: int = 200, *, seed: int = 0) -> np.ndarray:
    """``topics`` unit vectors around one shared direction, as sentence embeddings are: two
    unrelated sentences still score about 0.1, because every vector leans the same way."""
    rng = np.random.default_rng(seed)
    shared = normalise(rng.standard_normal(dim))[0]
    return normalise(0.5 * shared + normalise(rng.standard_normal((topics, dim))))


def around(centres: np.ndarray, n: int, *, spread: float = 0.9, seed: int = 1) -> np.ndarray:
    """``n`` unit vectors, each a random centre plus Gaussian noise of norm about ``spread``."""
    rng = np.random.default_rng(seed)
    dim = centres.shape[1]
    noise = rng.standard_normal((n, dim), dtype=np.float32) / np.float32(np.sqrt(dim))
    return normalise(centres[rng.integers(0, len(centres), n)] + np.float32(spread) * noise)


def clustered_vectors(n: int, dim: int = 384, *, topics: int = 200, seed: int = 0) -> np.ndarray:
    """``n`` vectors shaped like text embeddings, not uniform noise: topics around a shared
    direction, points around the topics (:func:`topic_centres`, :func:`around`)."""
    return around(topic_centres(dim, topics, seed=seed), n, seed=seed + 1)


@dataclass(frozen=True)
class Timing:
    """Milliseconds per query (median) for one collection size."""

    n: int
    matmul_ms: float
    partition_ms: float
    sort_ms: float


def _median_ms(action: object, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return float(np.median(samples))


def time_search(matrix: np.ndarray, queries: np.ndarray, k: int = 10) -> Timing:
    """Time the two halves of a search on ``matrix``: the scores, then the top k two ways."""
    repeats = len(queries)
    it = iter(np.tile(queries, (3, 1)))
    scores = matrix @ queries[0]
    matmul = _median_ms(lambda: matrix @ next(it), repeats)
    partition = _median_ms(lambda: top_k_partition(scores, k), repeats)
    full = _median_ms(lambda: top_k_sort(scores, k), repeats)
    return Timing(len(matrix), matmul, partition, full)
