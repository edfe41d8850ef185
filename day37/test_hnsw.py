"""pgvector's HNSW against exact search, on a real PostgreSQL 18 with pgvector 0.8."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import psycopg
import pytest

from day34.search import around, top_k_partition, topic_centres
from day37.hnsw import (
    build_hnsw,
    configure,
    connect,
    load,
    nearest,
    plan,
    recall_at_k,
    search,
    versions,
)

pytestmark = pytest.mark.postgres

N, DIM, K = 2000, 384, 10
CENTRES = topic_centres(DIM, 50)
DATA = around(CENTRES, N, seed=1)
QUERIES = around(CENTRES, 20, seed=2)
OWNERS = np.arange(N) % 100  # owner 1 holds 1 % of the rows


def exact(query: np.ndarray, rows: np.ndarray | None = None) -> list[int]:
    rows = np.arange(N) if rows is None else rows
    return rows[top_k_partition(DATA[rows] @ query, K)].tolist()


@pytest.fixture(scope="module")
def indexed(make_database: Callable[[str], str]) -> Iterator[psycopg.Connection]:
    connection = connect(make_database("postgres"))
    load(connection, DATA, OWNERS.tolist())
    build_hnsw(connection, m=16, ef_construction=64)
    yield connection
    connection.close()


def test_recall_at_k_is_the_share_of_the_exact_top_k_found():
    assert recall_at_k([1, 2, 3, 9], [3, 2, 1, 4]) == 0.75


def test_the_server_runs_pgvector_0_8_or_later(indexed):
    _, vector = versions(indexed)
    assert tuple(int(part) for part in vector.split(".")[:2]) >= (0, 8), vector


def test_without_the_index_the_planner_sorts_a_sequential_scan(make_database):
    connection = connect(make_database("postgres"))
    load(connection, DATA[:100])
    assert plan(connection, QUERIES[0]) == "Limit > Sort > Seq Scan on items"
    connection.close()


def test_with_the_index_the_planner_walks_it(indexed):
    assert plan(indexed, QUERIES[0]) == "Limit > Index Scan using items_hnsw on items"


def test_exact_search_in_sql_matches_numpy(indexed):
    for query in QUERIES[:5]:
        assert search(indexed, query, K, ef_search=None) == exact(query)


def test_hnsw_at_ef_search_40_finds_at_least_95_percent_of_the_exact_top_10(indexed):
    configure(indexed, ef_search=40)
    recall = np.mean([recall_at_k(nearest(indexed, q, K), exact(q)) for q in QUERIES])
    assert recall >= 0.95, recall


def test_an_ef_search_below_k_returns_at_most_ef_search_rows(indexed):
    counts = {len(search(indexed, q, K, ef_search=5)) for q in QUERIES}
    assert max(counts) <= 5, counts


def test_a_filtered_walk_without_iterative_scan_comes_back_short(indexed):
    found = [search(indexed, q, K, ef_search=40, owner=1) for q in QUERIES]
    assert all(len(rows) < K for rows in found), [len(rows) for rows in found]


def test_a_relaxed_order_iterative_scan_returns_k_rows_of_a_small_owner(indexed):
    mine = np.flatnonzero(OWNERS == 1)
    configure(indexed, ef_search=40, iterative="relaxed_order")
    found = [nearest(indexed, q, K, owner=1) for q in QUERIES]
    assert all(len(rows) == K for rows in found), [len(rows) for rows in found]
    assert all(set(rows) <= set(mine.tolist()) for rows in found)
    recall = np.mean(
        [recall_at_k(rows, exact(q, mine)) for rows, q in zip(found, QUERIES, strict=True)]
    )
    assert recall >= 0.9, recall


def test_ordering_by_another_operator_than_the_index_class_sorts_a_scan(indexed):
    text = "[" + ",".join(repr(float(x)) for x in QUERIES[0]) + "]"
    configure(indexed, ef_search=40)
    indexed.execute("RESET enable_seqscan")
    rows = indexed.execute(
        f"EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '{text}' LIMIT 10"
    ).fetchall()
    assert "items_hnsw" not in "\n".join(str(row[0]) for row in rows)


def test_ef_search_is_40_unless_set(make_database):
    connection = connect(make_database("postgres"))
    connection.execute("SELECT '[1]'::vector")  # the setting exists once the library is loaded
    assert connection.execute("SHOW hnsw.ef_search").fetchone() == ("40",)
    connection.close()
