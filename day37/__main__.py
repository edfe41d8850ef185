"""`python -m day37`: the day 34 search on pgvector, HNSW against exact, recall@10 and latency.

Starts a throwaway PostgreSQL with pgvector (pgserver, a dev dependency; without it the demo
says what it needs and exits 0), copies in 10,000 synthetic 384-d vectors shaped like text
embeddings (day 34's topics), builds an HNSW index and sweeps ``hnsw.ef_search``: recall@10
against exact numpy search and p50/p99 latency against PostgreSQL's own exact scan, measured in
this run. Then a filtered search, where a plain HNSW walk comes back short and pgvector 0.8's
iterative scan does not. ``--no-timing`` prints only what is the same on every run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from day34.search import around, top_k_partition, topic_centres
from day37.hnsw import (
    PostgresUnavailable,
    build_hnsw,
    configure,
    connect,
    index_megabytes,
    load,
    measure,
    nearest,
    plan,
    search,
    throwaway_postgres,
    versions,
)

N, DIM, QUERIES, K = 10_000, 384, 100, 10
M, EF_CONSTRUCTION = 16, 64
EF_SEARCH = (5, 10, 20, 40, 100)
#: In the filtered search, one owner in OWNERS holds a 1/OWNERS share of the rows.
OWNERS = 100


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m day37", description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="leave measured numbers out")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with throwaway_postgres() as url:
            run(url, timing=not args.no_timing)
    except PostgresUnavailable as error:
        print(f"python -m day37: {error}")
    return 0


def run(url: str, *, timing: bool) -> None:
    connection = connect(url)
    postgres, pgvector = versions(connection)
    print(f"PostgreSQL {postgres} with pgvector {pgvector}, a throwaway server in /tmp")
    centres = topic_centres(DIM, 200)
    data, queries = around(centres, N, seed=1), around(centres, QUERIES, seed=2)
    owners = np.arange(N) % OWNERS
    started = time.perf_counter()
    load(connection, data, owners.tolist())
    loaded = time.perf_counter() - started
    exact = [top_k_partition(data @ q, K).tolist() for q in queries]
    print(f"{N:,} vectors of {DIM} (day 34's 200 topics), {QUERIES} queries, k = {K}")
    print(f"  without an index the planner does: {plan(connection, queries[0])}")
    built = build_hnsw(connection, M, EF_CONSTRUCTION)
    print(f"  HNSW index built (m={M}, ef_construction={EF_CONSTRUCTION})")
    print(f"  with it the planner does: {plan(connection, queries[0])}")
    short = max(len(search(connection, q, K, ef_search=5)) for q in queries)
    print(f"  ef_search=5 < k: at most {short} rows come back, not {K} (the walk keeps ef_search)")

    numpy_exact = measure(
        "numpy exact", lambda q: top_k_partition(data @ q, K).tolist(), queries, exact
    )
    configure(connection, ef_search=None)
    sql_exact = measure("SQL exact", lambda q: nearest(connection, q, K), queries, exact)
    sweep = []
    for ef in EF_SEARCH:
        configure(connection, ef_search=ef)
        sweep.append(
            measure(f"HNSW ef_search={ef}", lambda q: nearest(connection, q, K), queries, exact)
        )
    at_40 = next(m for m in sweep if m.label.endswith("=40"))
    print(
        f"  recall@{K} at ef_search=40 is at least 0.95: {'yes' if at_40.recall >= 0.95 else 'no'}"
    )

    mine = np.flatnonzero(owners == 1)
    filtered_exact = [mine[top_k_partition(data[mine] @ q, K)].tolist() for q in queries]
    plain = [search(connection, q, K, ef_search=40, owner=1) for q in queries]
    relaxed = [
        search(connection, q, K, ef_search=40, owner=1, iterative="relaxed_order") for q in queries
    ]
    print(f"\nFiltered: WHERE owner = 1 (1 % of the rows), k = {K}, ef_search = 40")
    print(
        f"  iterative_scan=off: fewer than {K} rows for "
        f"{sum(len(r) < K for r in plain)} of {QUERIES} queries"
    )
    print(
        f"  iterative_scan=relaxed_order: fewer than {K} rows for "
        f"{sum(len(r) < K for r in relaxed)} of {QUERIES} queries"
    )
    if not timing:
        print("\nTimings and recall figures left out (--no-timing).")
        return
    print(
        f"\nLoaded by COPY in {loaded:.2f} s; HNSW built in {built:.1f} s, "
        f"{index_megabytes(connection):.1f} MB"
    )
    print(f"{'search':<22}{'recall@10':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs SQL exact':>14}")
    for m in [numpy_exact, sql_exact, *sweep]:
        print(
            f"{m.label:<22}{m.recall:>10.3f}{m.p50_ms:>9.2f}{m.p99_ms:>9.2f}"
            f"{sql_exact.p50_ms / m.p50_ms:>13.1f}x"
        )
    recall = np.mean(
        [len(set(r) & set(e)) / K for r, e in zip(relaxed, filtered_exact, strict=True)]
    )
    print(
        f"filtered, relaxed_order: recall@{K} {recall:.3f} against exact search of owner 1's rows"
    )
    connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
