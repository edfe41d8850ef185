"""`python -m day34`: exact vector search in numpy, and how its cost grows with N.

Shows why vectors are normalised (a longer vector wins a raw dot product, not a nearer one),
that argpartition and a full sort pick the same top 10, and then times one query at 1k, 10k and
100k vectors of 384 dimensions: the matrix product, argpartition and a full sort, measured in
this run. ``--no-timing`` leaves the timings out (the README shows that part, which is the same
on every run).
"""

from __future__ import annotations

import argparse

import numpy as np

from day34.search import (
    ExactIndex,
    around,
    normalise,
    time_search,
    top_k_partition,
    top_k_sort,
    topic_centres,
)

DIM = 384
SIZES = (1_000, 10_000, 100_000)
QUERIES = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m day34", description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="leave the timings out")
    return parser


def normalisation() -> None:
    print("Why normalise: three 2-d vectors and a query q = (1, 0)")
    vectors = np.array([[3.0, 4.0], [0.9, 0.1], [6.0, 8.0]])
    query = np.array([1.0, 0.0])
    names = ["a (3, 4)", "b (0.9, 0.1)", "c (6, 8) = 2a"]
    dots = vectors @ query
    cosines = normalise(vectors) @ query
    for name, dot, cosine in zip(names, dots, cosines, strict=True):
        print(f"  {name:<14} dot {dot:5.2f}   cosine {cosine:.3f}")
    print(
        f"  raw dot product ranks {names[int(np.argmax(dots))].split()[0]} first (it is longer); "
        f"cosine ranks {names[int(np.argmax(cosines))].split()[0]} first (it points the same way)"
    )


def top_k_agree(matrix: np.ndarray, queries: np.ndarray) -> None:
    same = all(
        list(top_k_partition(matrix @ q, 10)) == list(top_k_sort(matrix @ q, 10)) for q in queries
    )
    print(
        f"\nTop 10 of {len(matrix):,} by argpartition and by a full sort, {len(queries)} queries: "
        f"{'the same ids in the same order' if same else 'DIFFERENT'}"
    )
    rng = np.random.default_rng(1)
    pairs = rng.integers(0, len(matrix), (2000, 2))
    unrelated = float(np.mean(np.sum(matrix[pairs[:, 0]] * matrix[pairs[:, 1]], axis=1)))
    index = ExactIndex(DIM)
    index.add(range(len(matrix)), matrix)
    best = [index.search(q, 1)[0][1] for q in queries]
    print(
        f"Synthetic 384-d data (200 topics around a shared direction): random pairs score "
        f"{unrelated:.2f} on average, a query's nearest {np.mean(best):.2f}"
    )


def costs(matrices: dict[int, np.ndarray], queries: np.ndarray) -> None:
    print(f"\nOne query, median of {len(queries)}, float32 (ms):")
    header = f"{'N':>9}{'memory':>10}{'scores':>10}{'argpartition':>14}{'full sort':>11}"
    print(f"{header}{'sort/part':>11}")
    previous = None
    for n, matrix in matrices.items():
        timing = time_search(matrix, queries)
        print(
            f"{n:>9,}{matrix.nbytes / 2**20:>7.1f} MB{timing.matmul_ms:>10.3f}"
            f"{timing.partition_ms:>14.3f}{timing.sort_ms:>11.3f}"
            f"{timing.sort_ms / timing.partition_ms:>10.1f}x"
        )
        previous = timing
    assert previous is not None
    print(
        "Scores and argpartition read every vector once, O(N); the full sort is O(N log N). At "
        f"100k one exact query costs {previous.matmul_ms + previous.partition_ms:.1f} ms here."
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    normalisation()
    centres = topic_centres(DIM, 200, seed=0)
    data = around(centres, SIZES[-1], seed=1)
    matrices = {n: data[:n] for n in SIZES}
    queries = around(centres, QUERIES, seed=2)  # new points near the same topics
    top_k_agree(matrices[SIZES[-1]], queries)
    print(
        "\nMemory is N x 384 x 4 bytes: "
        + ", ".join(f"{n:,} -> {m.nbytes / 2**20:.1f} MB" for n, m in matrices.items())
    )
    if args.no_timing:
        print("Timing left out (--no-timing).")
    else:
        costs(matrices, queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
