"""Vector stores: the nearest chunks of one user's notes to a query vector.

Every vector lives in ``chunks.embedding`` (little-endian float32, L2-normalised, so cosine
similarity is a dot product); that table is the canonical copy. A store either searches it
directly (:class:`NumpyStore`, exact) or keeps an index beside it that can be rebuilt from it
(:class:`SqliteVecStore`, :class:`PgvectorStore`). ``make_store(kind, engine)`` picks one from
``NOTES_VECTOR_STORE`` (auto | numpy | sqlite-vec | pgvector).

Writes take the caller's connection, so the index changes in the same transaction as the chunk
rows: a rolled-back note leaves no vector behind, and a rolled-back delete keeps them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event

from shared.config import ConfigError

KINDS = ("auto", "numpy", "sqlite-vec", "pgvector")
VAR = "NOTES_VECTOR_STORE"

#: The columns of ``chunks`` a store reads; the table itself belongs to the models.
CHUNKS = sa.table(
    "chunks",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("model", sa.String),
    sa.column("dim", sa.Integer),
    sa.column("embedding", sa.LargeBinary),
)


@dataclass(frozen=True)
class Hit:
    """One search result: a chunk and its cosine similarity to the query (higher is nearer)."""

    chunk_id: int
    score: float


class VectorStore(Protocol):
    kind: str

    def prepare(self, connection: sa.Connection, dim: int) -> None:
        """Create the store's tables and indexes for vectors of ``dim`` if missing (idempotent)."""
        ...

    def add(self, connection: sa.Connection, items: Sequence[tuple[int, int, np.ndarray]]) -> None:
        """Index ``(chunk_id, user_id, vector)`` items whose chunk rows are already inserted;
        a chunk id already indexed gets the new vector."""
        ...

    def remove(self, connection: sa.Connection, chunk_ids: Sequence[int]) -> None:
        """Forget these chunks' vectors (their rows are deleted by the caller)."""
        ...

    def search(
        self, connection: sa.Connection, user_id: int, vector: np.ndarray, k: int, model: str
    ) -> list[Hit]:
        """The ``k`` chunks of ``user_id`` by ``model`` nearest to ``vector``, best first."""
        ...


def _as_query(vector: np.ndarray) -> np.ndarray:
    query = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(query))
    return query / norm if norm > 0 else query


def _vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").reshape(-1).tobytes()


def top_k(matrix: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indexes and scores of the ``k`` rows of ``matrix`` with the largest dot product with
    ``query``, best first: argpartition picks them in O(N), only those k are sorted."""
    scores = matrix @ query
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    return best, scores[best]


class NumpyStore:
    """Exact search over the user's rows of ``chunks``, read on every query.

    Nothing is cached: another worker's writes are visible to the next query, so it can never
    be stale. It costs one read of the user's vectors per search, fine for thousands of chunks.
    """

    kind = "numpy"

    def prepare(self, connection: sa.Connection, dim: int) -> None:
        """Nothing to create: the vectors are the chunk rows."""

    def add(self, connection: sa.Connection, items: Sequence[tuple[int, int, np.ndarray]]) -> None:
        """Nothing to index: the chunk rows hold the vectors."""

    def remove(self, connection: sa.Connection, chunk_ids: Sequence[int]) -> None:
        """Nothing to forget: deleted chunk rows take their vectors with them."""

    def search(
        self, connection: sa.Connection, user_id: int, vector: np.ndarray, k: int, model: str
    ) -> list[Hit]:
        query = _as_query(vector)
        rows = connection.execute(
            sa.select(CHUNKS.c.id, CHUNKS.c.embedding).where(
                CHUNKS.c.user_id == user_id,
                CHUNKS.c.model == model,
                CHUNKS.c.dim == len(query),
            )
        ).all()
        if not rows or k <= 0:
            return []
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(
            len(rows), len(query)
        )
        best, scores = top_k(matrix, query, k)
        return [Hit(int(ids[i]), float(s)) for i, s in zip(best, scores, strict=True)]


# --- sqlite-vec ----------------------------------------------------------------------------


def sqlite_module() -> ModuleType:
    """The sqlite3 DB-API module that can load sqlite-vec: pysqlite3 (this Python's own sqlite3
    is built without extension loading). Pass it as ``create_engine(url, module=...)``."""
    try:
        import pysqlite3.dbapi2 as dbapi
    except ImportError:
        return sqlite3
    return dbapi


def can_load_extensions(engine: sa.Engine) -> bool:
    """Whether ``engine``'s SQLite driver can load sqlite-vec."""
    try:
        import sqlite_vec  # noqa: F401
    except ImportError:
        return False
    connection_class = getattr(engine.dialect.dbapi, "Connection", None)
    return hasattr(connection_class, "enable_load_extension")


def _load_into(dbapi_connection: Any) -> None:
    import sqlite_vec

    dbapi_connection.enable_load_extension(True)
    try:
        sqlite_vec.load(dbapi_connection)
    finally:
        dbapi_connection.enable_load_extension(False)


def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if not record.info.get("sqlite_vec"):
        _load_into(dbapi_connection)
        record.info["sqlite_vec"] = True


def load_sqlite_vec(engine: sa.Engine) -> None:
    """Have sqlite-vec in every connection ``engine`` hands out (its driver must be
    :func:`sqlite_module`), including ones pooled before this call: each is loaded once."""
    if not event.contains(engine, "checkout", _on_checkout):
        event.listen(engine, "checkout", _on_checkout)


_VEC_TABLE = re.compile(r"chunk_vec_(\d+)")


class SqliteVecStore:
    """A vec0 virtual table per dimension (``chunk_vec_384``): the chunk id is the rowid,
    ``user_id`` a partition key (a search reads only that user's vectors), ``model`` a
    metadata column filtered during the KNN scan, cosine distance."""

    kind = "sqlite-vec"

    def _ready(self, connection: sa.Connection) -> None:
        fairy = connection.connection
        if not fairy.info.get("sqlite_vec"):
            _load_into(fairy.dbapi_connection)
            fairy.info["sqlite_vec"] = True

    def _tables(self, connection: sa.Connection) -> dict[int, str]:
        names = connection.scalars(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name LIKE 'chunk_vec_%' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        )
        return {int(m[1]): name for name in names if (m := _VEC_TABLE.fullmatch(name))}

    def prepare(self, connection: sa.Connection, dim: int) -> None:
        self._ready(connection)
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vec_{int(dim)} USING vec0("
            f"user_id integer partition key, model text, "
            f"embedding float[{int(dim)}] distance_metric=cosine)"
        )

    def add(self, connection: sa.Connection, items: Sequence[tuple[int, int, np.ndarray]]) -> None:
        by_dim: dict[int, list[tuple[int, int, bytes]]] = {}
        for chunk_id, user_id, vector in items:
            data = _vector_bytes(vector)
            by_dim.setdefault(len(data) // 4, []).append((int(chunk_id), int(user_id), data))
        if not by_dim:
            return
        model = _model_of(connection, [c for rows in by_dim.values() for c, _, _ in rows])
        for dim, rows in by_dim.items():
            self.prepare(connection, dim)
            table = f"chunk_vec_{dim}"
            # vec0 has no upsert: replace by deleting first.
            connection.exec_driver_sql(
                f"DELETE FROM {table} WHERE rowid = ?", [(c,) for c, _, _ in rows]
            )
            connection.exec_driver_sql(
                f"INSERT INTO {table}(rowid, user_id, model, embedding) VALUES (?, ?, ?, ?)",
                [(c, u, model[c], data) for c, u, data in rows],
            )

    def remove(self, connection: sa.Connection, chunk_ids: Sequence[int]) -> None:
        if not chunk_ids:
            return
        self._ready(connection)
        for table in self._tables(connection).values():
            connection.exec_driver_sql(
                f"DELETE FROM {table} WHERE rowid = ?", [(int(c),) for c in chunk_ids]
            )

    def search(
        self, connection: sa.Connection, user_id: int, vector: np.ndarray, k: int, model: str
    ) -> list[Hit]:
        query = _as_query(vector)
        self._ready(connection)
        table = self._tables(connection).get(len(query))
        if table is None or k <= 0:
            return []
        rows = connection.exec_driver_sql(
            f"SELECT rowid, distance FROM {table} WHERE embedding MATCH ? AND k = ? "
            "AND user_id = ? AND model = ? ORDER BY distance",
            (_vector_bytes(query), int(k), int(user_id), model),
        ).all()
        return [Hit(int(chunk_id), 1.0 - float(distance)) for chunk_id, distance in rows]


def _model_of(connection: sa.Connection, chunk_ids: list[int]) -> dict[int, str]:
    """The embedding model of each chunk, from its row (the add signature does not carry it)."""
    rows = connection.execute(
        sa.select(CHUNKS.c.id, CHUNKS.c.model).where(CHUNKS.c.id.in_(chunk_ids))
    ).all()
    found = {int(chunk_id): model for chunk_id, model in rows}
    if missing := sorted(set(chunk_ids) - found.keys()):
        raise LookupError(f"no chunk rows for ids {missing[:10]}: insert the chunks first")
    return found


# --- pgvector ------------------------------------------------------------------------------


class PgvectorStore:
    """A ``chunk_vectors`` table beside ``chunks`` with an HNSW index (cosine) per dimension.

    One table for every dimension: ``embedding`` is an untyped ``vector`` and each dimension in
    use gets a partial expression index, ``((embedding::vector(384))) WHERE dim = 384``, which
    is what pgvector documents for mixed dimensions. The alternative, a table per dimension,
    would make the table name depend on data; here the schema is fixed and one DELETE by
    chunk id covers every model.

    A user's chunks are a small share of the table, so the HNSW walk would find k neighbours
    that mostly belong to others and return fewer than k after the filter: iterative scans
    (pgvector 0.8, ``relaxed_order``) keep walking until k rows pass, the results are re-sorted,
    and a user with fewer matches than that is answered by an exact scan of their own rows.
    """

    kind = "pgvector"

    def __init__(self, *, m: int = 16, ef_construction: int = 64, ef_search: int = 40) -> None:
        self.m = m
        self.ef_construction = ef_construction
        self.ef_search = ef_search

    def prepare(self, connection: sa.Connection, dim: int) -> None:
        dim = int(dim)
        # Two workers starting at once would race on CREATE ... IF NOT EXISTS.
        connection.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("chunk_vectors")))
        )
        if (
            connection.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'vector'"))
            is None
        ):
            try:
                with connection.begin_nested():
                    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            except sa.exc.DBAPIError as error:
                raise ConfigError(
                    f"{VAR}=pgvector needs the vector extension in this database and it could not "
                    f"be created ({str(error.orig).strip().splitlines()[0]}): run CREATE EXTENSION "
                    f"vector as a superuser, or set {VAR}=numpy"
                ) from None
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS chunk_vectors ("
            "chunk_id bigint PRIMARY KEY, user_id bigint NOT NULL, model text NOT NULL, "
            "dim integer NOT NULL, embedding vector NOT NULL)"
        )
        # The exact path (few rows of one user) reads them through this.
        connection.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS chunk_vectors_user_model ON chunk_vectors (user_id, model)"
        )
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS chunk_vectors_hnsw_{dim} ON chunk_vectors "
            f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
            f"WITH (m = {int(self.m)}, ef_construction = {int(self.ef_construction)}) "
            f"WHERE dim = {dim}"
        )

    def add(self, connection: sa.Connection, items: Sequence[tuple[int, int, np.ndarray]]) -> None:
        if not items:
            return
        rows = [(int(c), int(u), np.asarray(v, dtype=np.float32).reshape(-1)) for c, u, v in items]
        model = _model_of(connection, [c for c, _, _ in rows])
        connection.execute(
            sa.text(
                "INSERT INTO chunk_vectors (chunk_id, user_id, model, dim, embedding) "
                "VALUES (:chunk_id, :user_id, :model, :dim, CAST(:embedding AS vector)) "
                "ON CONFLICT (chunk_id) DO UPDATE SET user_id = EXCLUDED.user_id, "
                "model = EXCLUDED.model, dim = EXCLUDED.dim, embedding = EXCLUDED.embedding"
            ),
            [
                {
                    "chunk_id": c,
                    "user_id": u,
                    "model": model[c],
                    "dim": len(v),
                    "embedding": _pg_text(v),
                }
                for c, u, v in rows
            ],
        )

    def remove(self, connection: sa.Connection, chunk_ids: Sequence[int]) -> None:
        if chunk_ids:
            connection.execute(
                sa.text("DELETE FROM chunk_vectors WHERE chunk_id = ANY(:ids)"),
                {"ids": [int(c) for c in chunk_ids]},
            )

    def search(
        self, connection: sa.Connection, user_id: int, vector: np.ndarray, k: int, model: str
    ) -> list[Hit]:
        query = _as_query(vector)
        dim, k = len(query), int(k)
        if k <= 0:
            return []
        params = {"q": _pg_text(query), "user_id": int(user_id), "model": model, "k": k}
        # SET LOCAL lasts to the end of the caller's transaction, as set_config(..., true) does.
        connection.execute(
            sa.text(
                "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
                "set_config('hnsw.ef_search', :ef, true)"
            ),
            {"ef": str(max(self.ef_search, k))},
        )
        # The ORDER BY expression is the index's, so the planner walks the HNSW graph; the
        # outer ORDER BY restores exact order, which relaxed_order does not promise.
        rows = connection.execute(
            sa.text(
                f"WITH nearest AS MATERIALIZED ("
                f"SELECT chunk_id, embedding::vector({dim}) <=> CAST(:q AS vector({dim})) AS d "
                f"FROM chunk_vectors WHERE dim = {dim} AND user_id = :user_id AND model = :model "
                f"ORDER BY embedding::vector({dim}) <=> CAST(:q AS vector({dim})) LIMIT :k) "
                "SELECT chunk_id, d FROM nearest ORDER BY d, chunk_id"
            ),
            params,
        ).all()
        if len(rows) < k:
            # Fewer than k: the walk gave up (hnsw.max_scan_tuples) or the user has fewer rows.
            # Ordering by the bare column matches no HNSW index, so this is an exact scan of
            # the user's rows through the (user_id, model) index.
            rows = connection.execute(
                sa.text(
                    f"SELECT chunk_id, embedding <=> CAST(:q AS vector({dim})) AS d "
                    f"FROM chunk_vectors WHERE dim = {dim} AND user_id = :user_id "
                    "AND model = :model ORDER BY d, chunk_id LIMIT :k"
                ),
                params,
            ).all()
        return [Hit(int(chunk_id), 1.0 - float(distance)) for chunk_id, distance in rows]


def _pg_text(vector: np.ndarray) -> str:
    # repr of a float32 widened to float64 round-trips exactly through pgvector's parser.
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"


# --- choosing one --------------------------------------------------------------------------


def make_store(kind: str, engine: sa.Engine) -> VectorStore:
    """The store ``NOTES_VECTOR_STORE`` names for ``engine``'s database.

    ``auto``: pgvector on PostgreSQL when the extension is available, sqlite-vec on SQLite when
    the driver can load it, numpy otherwise. An explicit kind the database cannot run is a
    ConfigError that says what would work.
    """
    kind = kind.strip().lower()
    backend = engine.dialect.name
    if kind not in KINDS:
        raise ConfigError(f"{VAR} is {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "auto":
        if backend == "postgresql" and _pgvector_available(engine):
            return PgvectorStore()
        if backend == "sqlite" and can_load_extensions(engine):
            load_sqlite_vec(engine)
            return SqliteVecStore()
        return NumpyStore()
    if kind == "numpy":
        return NumpyStore()
    if kind == "pgvector":
        if backend != "postgresql":
            raise ConfigError(
                f"{VAR}=pgvector needs PostgreSQL, and the database is {backend}; "
                f"use {VAR}=numpy (or auto){' or sqlite-vec' if backend == 'sqlite' else ''}"
            )
        return PgvectorStore()
    if backend != "sqlite":
        raise ConfigError(
            f"{VAR}=sqlite-vec needs SQLite, and the database is {backend}; use {VAR}=numpy "
            f"(or auto){' or pgvector' if backend == 'postgresql' else ''}"
        )
    if not can_load_extensions(engine):
        raise ConfigError(
            f"{VAR}=sqlite-vec needs an SQLite driver that loads extensions: create the engine "
            f"with module=projects.notes_ai.vectors.sqlite_module() (pysqlite3-binary and "
            f"sqlite-vec installed), or set {VAR}=numpy"
        )
    load_sqlite_vec(engine)
    return SqliteVecStore()


def _pgvector_available(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as connection:
            return (
                connection.scalar(
                    sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
                )
                is not None
            )
    except sa.exc.OperationalError:
        # Unreachable now: choose by the dialect, and let the first query report the outage.
        return True
