"""``python -m bench.notes``: the AI Notes API's embeddings, vector search and ingestion, measured.

Three phases, each with its baseline measured in the same run:

1. Embedding throughput of the local model (``local_embedder().embed``): short sentences and
   ~150-word passages per second, and how many times a passage costs a sentence.
2. Vector search at 10,000 and 100,000 synthetic chunks of 384 dimensions: exact numpy search
   of the matrix in memory (the baseline, on one BLAS thread as a PostgreSQL query has one
   core) and the capstone's ``NumpyStore`` (exact, reading the user's chunks per query) against
   its ``PgvectorStore`` (HNSW, cosine) on PostgreSQL with pgvector: recall@10 of HNSW against
   exact, query latency p50/p99 of each, and the index build time. The vectors are not uniform
   noise, which is nearly orthogonal in 384 dimensions and unlike text: as in day 34, every
   vector leans along one shared direction (unrelated texts still score about 0.1) and gathers
   around one of 1,000 topics; queries are new points near the same topics. PostgreSQL is
   ``POSTGRES_URL`` (a database is created and dropped there), else a throwaway pgserver in /tmp.
3. Ingestion of 1,000 notes end to end: ``POST /api/notes`` through ``create_app`` and Flask's
   test client (chunking, embedding and storing included) on an SQLite file, notes per second,
   beside the embedding of the same texts alone.

It is a benchmark, not a test: numbers vary between machines; the ratios are what to compare.
Progress bars of the long phases go to stderr.
"""

from __future__ import annotations

import os

# One BLAS thread for exact search, as PostgreSQL gives a query one core: a matrix-vector
# product is bound by memory, and a second thread waiting for a busy core only adds noise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import random
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from tqdm import tqdm

from day34.search import around, top_k_partition, topic_centres
from projects.notes_ai.vectors import NumpyStore, PgvectorStore
from shared.db import create_engine

DIM = 384
K = 10
MODEL = "bench-synthetic"
#: HNSW parameters: chosen so recall@10 >= 0.95 at 100k at more than 10x exact numpy's speed.
M, EF_CONSTRUCTION, EF_SEARCH = 16, 64, 40
VOCABULARY = (
    "index query cache token vector note search chunk embed model store write read commit "
    "backend request latency worker queue redis postgres schema table column migration user "
    "answer source cite paragraph heading budget context retrieval ranking cosine recall "
    "meeting project deadline recipe garden travel invoice budget review design interview"
)
WORDS = tuple(VOCABULARY.split())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.notes", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run in well under 30 s (small sizes)"
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="synthetic chunk counts (10000,100000)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per size (200)")
    parser.add_argument(
        "--store-queries", type=int, default=20, help="queries for NumpyStore, slow at 100k (20)"
    )
    parser.add_argument("--notes", type=int, default=1000, help="notes to ingest (1000)")
    parser.add_argument("--m", type=int, default=M, help=f"HNSW m ({M})")
    parser.add_argument(
        "--ef-construction", type=int, default=EF_CONSTRUCTION, help=f"({EF_CONSTRUCTION})"
    )
    parser.add_argument("--ef-search", type=int, default=EF_SEARCH, help=f"({EF_SEARCH})")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["embed", "search", "ingest"],
        help="leave a phase out (repeatable)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes must be numbers separated by commas, not {args.sizes!r}")
    if args.quick:
        args.sizes, args.queries, args.notes, args.store_queries = [2000], 50, 40, 10
    if min([*args.sizes, args.queries, args.notes, args.store_queries]) < 1:
        parser.error("--sizes, --queries and --notes must be at least 1")
    return args


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float]:
    p50, p99 = np.percentile(samples_ms, [50, 99])
    return float(p50), float(p99)


# --- 1. embeddings --------------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + "."


def passage(rng: random.Random, words: int = 150) -> str:
    out: list[str] = []
    while len(out) < words:
        out.extend(sentence(rng).split())
    return " ".join(out[:words])


@dataclass
class EmbedResult:
    kind: str
    texts: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.texts / self.seconds


def bench_embeddings(quick: bool) -> list[EmbedResult]:
    from projects.notes_ai.embeddings import local_embedder

    embedder = local_embedder()
    rng = random.Random(45)
    embedder.embed(["warm-up: load the model and build the graph once"])
    results = []
    for kind, texts in (
        ("sentences", [sentence(rng) for _ in range(64 if quick else 1024)]),
        ("passages (150 words)", [passage(rng) for _ in range(16 if quick else 256)]),
    ):
        print(f"embedding {len(texts)} {kind} ...", file=sys.stderr)
        started = time.perf_counter()
        embedder.embed(texts, progress=True)
        results.append(EmbedResult(kind, len(texts), time.perf_counter() - started))
    return results


# --- 2. vector search -----------------------------------------------------------------------


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new empty database on POSTGRES_URL's server, else on a throwaway pgserver; dropped
    afterwards."""
    if url := os.environ.get("POSTGRES_URL"):
        yield from _scratch_database(url)
        return
    from day37.hnsw import throwaway_postgres

    with throwaway_postgres() as server:
        yield from _scratch_database(server)


def _scratch_database(server_url: str) -> Iterator[str]:
    name = f"bench_notes_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name)
    try:
        with create_engine(url, poolclass=sa.pool.NullPool).connect() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            connection.commit()
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass
class SearchResult:
    n: int
    queries: int
    exact_p50_ms: float
    exact_p99_ms: float
    numpy_store_p50_ms: float
    numpy_store_p99_ms: float
    hnsw_p50_ms: float
    hnsw_p99_ms: float
    pg_exact_p50_ms: float
    pg_exact_p99_ms: float
    recall_at_10: float
    build_seconds: float
    load_seconds: float

    @property
    def speedup(self) -> float:
        """HNSW against exact search of the matrix in memory (exact search's best case)."""
        return self.exact_p50_ms / self.hnsw_p50_ms

    @property
    def pg_speedup(self) -> float:
        """HNSW against an exact scan in the same PostgreSQL (same query, no index): the
        like-for-like comparison, with the same round trips on both sides."""
        return self.pg_exact_p50_ms / self.hnsw_p50_ms

    @property
    def store_speedup(self) -> float:
        """HNSW against NumpyStore, the capstone's exact store reading chunks per query."""
        return self.numpy_store_p50_ms / self.hnsw_p50_ms


#: The columns of the capstone's chunks table that NumpyStore reads.
CHUNKS_DDL = (
    "CREATE TABLE chunks (id bigint PRIMARY KEY, user_id bigint NOT NULL, model text NOT NULL, "
    "dim integer NOT NULL, embedding bytea NOT NULL)"
)


def copy_vectors(engine: sa.Engine, vectors: np.ndarray) -> None:
    """Fill chunks and chunk_vectors (one user, one model) by binary COPY; id = row + 1."""
    from pgvector.psycopg import register_vector

    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        register_vector(raw)
        cursor = raw.cursor()
        with cursor.copy(
            "COPY chunks (id, user_id, model, dim, embedding) FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "int8", "text", "int4", "bytea"])
            for row, vector in enumerate(tqdm(vectors, desc="COPY chunks", leave=False)):
                copy.write_row((row + 1, 1, MODEL, DIM, vector.astype("<f4").tobytes()))
        with cursor.copy(
            "COPY chunk_vectors (chunk_id, user_id, model, dim, embedding) "
            "FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "int8", "text", "int4", "vector"])
            for row, vector in enumerate(tqdm(vectors, desc="COPY vectors", leave=False)):
                copy.write_row((row + 1, 1, MODEL, DIM, vector))
        cursor.close()
        raw.commit()  # SQLAlchemy began no transaction of its own here: commit the driver's


def bench_search(url: str, n: int, queries: int, args: argparse.Namespace) -> SearchResult:
    centres = topic_centres(DIM, 1000, seed=0)
    data = around(centres, n, seed=1)
    probes = around(centres, queries, seed=2)
    exact: list[list[int]] = []
    samples: list[float] = []
    for query in probes:
        started = time.perf_counter()
        best = top_k_partition(data @ query, K)
        samples.append((time.perf_counter() - started) * 1000)
        exact.append([int(i) + 1 for i in best])
    exact_p50, exact_p99 = percentiles(samples)

    store = PgvectorStore(m=args.m, ef_construction=args.ef_construction, ef_search=args.ef_search)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS chunk_vectors")
            connection.exec_driver_sql("DROP TABLE IF EXISTS chunks")
            connection.exec_driver_sql(CHUNKS_DDL)
            store.prepare(connection, DIM)
            # Build after loading, as a re-index does: inserting into a live graph is slower.
            connection.exec_driver_sql(f"DROP INDEX chunk_vectors_hnsw_{DIM}")
        started = time.perf_counter()
        copy_vectors(engine, data)
        loaded = time.perf_counter() - started
        with engine.begin() as connection:
            connection.exec_driver_sql("SET maintenance_work_mem = '1GB'")
            print(f"building HNSW over {n:,} vectors ...", file=sys.stderr)
            started = time.perf_counter()
            store.prepare(connection, DIM)
            built = time.perf_counter() - started
            connection.exec_driver_sql("ANALYZE chunk_vectors")
            connection.exec_driver_sql("ANALYZE chunks")
        # The capstone's exact store reads the user's vectors from chunks on every query.
        numpy_store, store_samples = NumpyStore(), []
        with engine.connect() as connection:
            for query, truth in zip(probes[: args.store_queries], exact, strict=False):
                started = time.perf_counter()
                hits = numpy_store.search(connection, 1, query, K, MODEL)
                store_samples.append((time.perf_counter() - started) * 1000)
                assert [h.chunk_id for h in hits] == truth, "NumpyStore disagrees with numpy"
            connection.rollback()
        samples, recalls = [], []
        with engine.connect() as connection:
            store.search(connection, 1, probes[0], K, MODEL)  # warm-up: plan cache, index pages
            for query, truth in zip(
                tqdm(probes, desc=f"HNSW {n:,}", leave=False), exact, strict=True
            ):
                started = time.perf_counter()
                hits = store.search(connection, 1, query, K, MODEL)
                samples.append((time.perf_counter() - started) * 1000)
                recalls.append(len({h.chunk_id for h in hits} & set(truth)) / K)
            connection.rollback()
        # The same search with no index: ordering by the bare column matches no HNSW index,
        # so PostgreSQL scans every row of the user exactly.
        exact_sql = sa.text(
            f"SELECT chunk_id, embedding <=> CAST(:q AS vector({DIM})) AS d FROM chunk_vectors "
            f"WHERE dim = {DIM} AND user_id = 1 AND model = :model ORDER BY d, chunk_id LIMIT {K}"
        )
        pg_samples = []
        with engine.connect() as connection:
            for query, truth in zip(probes[: args.store_queries], exact, strict=False):
                started = time.perf_counter()
                rows = connection.execute(exact_sql, {"q": pg_vector(query), "model": MODEL})
                found = [int(row[0]) for row in rows]
                pg_samples.append((time.perf_counter() - started) * 1000)
                assert len(set(found) & set(truth)) >= K - 1, "the exact scan disagrees"
            connection.rollback()
    finally:
        engine.dispose()
    hnsw_p50, hnsw_p99 = percentiles(samples)
    store_p50, store_p99 = percentiles(store_samples)
    pg_p50, pg_p99 = percentiles(pg_samples)
    return SearchResult(
        n, queries, exact_p50, exact_p99, store_p50, store_p99, hnsw_p50, hnsw_p99,
        pg_p50, pg_p99, float(np.mean(recalls)), built, loaded,
    )  # fmt: skip


def pg_vector(vector: np.ndarray) -> str:
    """A vector as pgvector's text form (float32 widened to float64 round-trips exactly)."""
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"


# --- 3. ingestion ---------------------------------------------------------------------------


@dataclass
class IngestResult:
    notes: int
    seconds: float
    embed_seconds: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.notes / self.seconds


def note_texts(count: int) -> list[tuple[str, str]]:
    rng = random.Random(7)
    notes = []
    for index in range(count):
        sections = [
            f"## {sentence(rng)[:-1]}\n\n{passage(rng, rng.randint(40, 120))}"
            for _ in range(rng.randint(1, 3))
        ]
        notes.append((f"Note {index}: {sentence(rng)[:-1]}", "\n\n".join(sections)))
    return notes


def bench_ingest(count: int) -> IngestResult | str:
    try:
        from projects.notes_ai import create_app
    except ImportError:
        return "projects.notes_ai has no create_app yet"
    from projects.notes_ai.chunking import chunk_note
    from projects.notes_ai.embeddings import local_embedder

    notes = note_texts(count)
    # The baseline: chunking and embedding the same notes with no HTTP and no database.
    started = time.perf_counter()
    texts = [chunk.text for title, body in notes for chunk in chunk_note(title, body)]
    local_embedder().embed(texts)
    embed_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-notes-") as folder:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{Path(folder) / 'notes.db'}", "TESTING": True}
        )
        client = app.test_client()
        email = f"bench{secrets.token_hex(4)}@example.com"
        answer = client.post(
            "/api/auth/register", json={"email": email, "password": "bench-password-45"}
        )
        if answer.status_code != 201:
            return f"register answered {answer.status_code}: {answer.get_data(as_text=True)[:200]}"
        headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
        failures = 0
        started = time.perf_counter()
        for title, body in tqdm(notes, desc="POST /api/notes", leave=False):
            response = client.post(
                "/api/notes", json={"title": title, "body": body}, headers=headers
            )
            failures += response.status_code != 201
        seconds = time.perf_counter() - started
    return IngestResult(count, seconds, embed_seconds, failures)


# --- the run --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results: dict[str, Any] = {}
    if "embed" not in args.skip:
        results["embed"] = bench_embeddings(args.quick)
    if "search" not in args.skip:
        try:
            with postgres_database() as url:
                results["search"] = [bench_search(url, n, args.queries, args) for n in args.sizes]
        except Exception as error:  # a missing server is one line, not a traceback
            if type(error).__name__ != "PostgresUnavailable":
                raise
            results["search"] = f"left out: {error}"
    if "ingest" not in args.skip:
        results["ingest"] = bench_ingest(args.notes)
    report(results, args)
    return 0


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )
    print(f"\nAI Notes API benchmark — {machine}")
    if embed := results.get("embed"):
        base = embed[0].per_second
        print(f"\n{'embedding (all-MiniLM-L6-v2)':<32}{'texts':>7}{'texts/s':>10}{'ratio':>8}")
        for item in embed:
            ratio = item.per_second / base
            print(f"{item.kind:<32}{item.texts:>7}{item.per_second:>10.1f}{ratio:>8.3f}")
    search = results.get("search")
    if isinstance(search, str):
        print(f"\nvector search {search}")
    elif search:
        print(
            f"\nvector search, k={K}, 384-d clustered synthetic chunks, one user; HNSW m={args.m}, "
            f"ef_construction={args.ef_construction}, ef_search={args.ef_search}"
        )
        print(
            f"{'chunks':>9}{'exact p50':>11}{'p99':>7}{'pg exact':>10}{'p99':>7}"
            f"{'NumpyStore':>12}{'p99':>8}{'HNSW p50':>10}{'p99':>7}{'vs exact':>10}"
            f"{'vs pg':>8}{'vs Store':>10}{'recall@10':>11}{'build s':>9}{'COPY s':>8}"
        )
        for r in search:
            print(
                f"{r.n:>9,}{r.exact_p50_ms:>9.2f}ms{r.exact_p99_ms:>7.1f}"
                f"{r.pg_exact_p50_ms:>8.1f}ms{r.pg_exact_p99_ms:>7.1f}"
                f"{r.numpy_store_p50_ms:>10.1f}ms{r.numpy_store_p99_ms:>8.1f}"
                f"{r.hnsw_p50_ms:>8.2f}ms{r.hnsw_p99_ms:>7.1f}{r.speedup:>9.1f}x"
                f"{r.pg_speedup:>7.1f}x{r.store_speedup:>9.1f}x{r.recall_at_10:>11.3f}"
                f"{r.build_seconds:>9.1f}{r.load_seconds:>8.1f}"
            )
        print(
            "exact = numpy top-k over the matrix in memory, one thread; pg exact = the same "
            "query in PostgreSQL with no index (a scan of every row); NumpyStore = the "
            "capstone's exact store, reading the user's chunks per query; HNSW = "
            "PgvectorStore.search"
        )
    ingest = results.get("ingest")
    if isinstance(ingest, str):
        print(f"\ningestion left out: {ingest}")
    elif ingest:
        print(
            f"\ningestion: {ingest.notes} notes by POST /api/notes in {ingest.seconds:.1f} s, "
            f"{ingest.per_second:.1f} notes/s ({ingest.failures} failed); chunking and embedding "
            f"the same notes alone: {ingest.embed_seconds:.1f} s "
            f"({ingest.embed_seconds / ingest.seconds:.0%} of the API's time)"
        )
    if args.json:

        def extra(item: Any) -> dict[str, float]:
            names = ("per_second", "speedup", "pg_speedup", "store_speedup")
            return {name: getattr(item, name) for name in names if hasattr(item, name)}

        def plain(value: Any) -> Any:
            if isinstance(value, list):
                return [asdict(item) | extra(item) for item in value]
            return asdict(value) if hasattr(value, "__dataclass_fields__") else value

        args.json.write_text(
            json.dumps(
                {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": machine,
                    "hnsw": {"m": args.m, "ef_construction": args.ef_construction,
                             "ef_search": args.ef_search},
                    **{name: plain(value) for name, value in results.items()},
                },
                indent=2,
            )
            + "\n"
        )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
