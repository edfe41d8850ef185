"""The vector stores' contract, run on every store and backend that can hold it, then what is
particular to each store, then how ``make_store`` chooses one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
import sqlalchemy as sa

from projects.notes_ai.vectors import (
    Hit,
    NumpyStore,
    PgvectorStore,
    SqliteVecStore,
    VectorStore,
    make_store,
    sqlite_module,
    top_k,
)
from shared.config import ConfigError
from shared.db import create_engine
from shared.testing.helpers import count_queries

DIM = 384
MODEL = "all-MiniLM-L6-v2"

# The chunks columns the stores read, as the models define them (id, user_id, model, dim,
# embedding); the rest of the real table does not matter here.
metadata = sa.MetaData()
chunks = sa.Table(
    "chunks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("embedding", sa.LargeBinary, nullable=False),
)

CASES = [
    pytest.param(("numpy", "sqlite"), id="numpy-sqlite"),
    pytest.param(("numpy", "mysql"), id="numpy-mysql", marks=pytest.mark.mysql),
    pytest.param(("numpy", "postgres"), id="numpy-postgres", marks=pytest.mark.postgres),
    pytest.param(("sqlite-vec", "sqlite"), id="sqlite-vec"),
    pytest.param(("pgvector", "postgres"), id="pgvector", marks=pytest.mark.postgres),
]


def engine_for(url: str, kind: str) -> sa.Engine:
    if kind == "sqlite-vec":
        return create_engine(url, module=sqlite_module())
    return create_engine(url)


@pytest.fixture(scope="module", params=CASES)
def store_engine(
    request: pytest.FixtureRequest, make_database: Callable[[str], str]
) -> Iterator[tuple[VectorStore, sa.Engine]]:
    kind, backend = request.param
    engine = engine_for(make_database(backend), kind)
    metadata.create_all(engine)
    yield make_store(kind, engine), engine
    engine.dispose()


@pytest.fixture
def store(store_engine: tuple[VectorStore, sa.Engine]) -> VectorStore:
    return store_engine[0]


@pytest.fixture
def connection(store_engine: tuple[VectorStore, sa.Engine]) -> Iterator[sa.Connection]:
    """A connection in a transaction rolled back after the test, the store prepared in it."""
    store, engine = store_engine
    with engine.connect() as connection:
        transaction = connection.begin()
        store.prepare(connection, DIM)
        yield connection
        transaction.rollback()


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def random_vectors(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return unit(np.random.default_rng(seed).standard_normal((n, dim)))


def add_chunks(
    connection: sa.Connection,
    store: VectorStore,
    user_id: int,
    vectors: np.ndarray,
    model: str = MODEL,
) -> list[int]:
    """Insert chunk rows as the app does, then index them in the same transaction."""
    ids = []
    for vector in unit(vectors):
        result = connection.execute(
            chunks.insert().values(
                user_id=user_id,
                model=model,
                dim=len(vector),
                embedding=vector.astype("<f4").tobytes(),
            )
        )
        ids.append(result.inserted_primary_key[0])
    store.add(connection, [(i, user_id, v) for i, v in zip(ids, unit(vectors), strict=True)])
    return ids


def delete_chunks(connection: sa.Connection, store: VectorStore, ids: Sequence[int]) -> None:
    connection.execute(chunks.delete().where(chunks.c.id.in_(ids)))
    store.remove(connection, ids)


def ids_of(hits: list[Hit]) -> list[int]:
    return [hit.chunk_id for hit in hits]


# --- the contract ----------------------------------------------------------------------------


def test_search_puts_the_nearest_chunk_first(connection, store):
    vectors = random_vectors(20)
    ids = add_chunks(connection, store, 1, vectors)

    hits = store.search(connection, 1, vectors[7], 3, MODEL)

    assert hits[0].chunk_id == ids[7], f"expected chunk {ids[7]} first, got {hits}"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_scores_are_cosine_similarities_best_first(connection, store):
    vectors = random_vectors(30, seed=1)
    ids = add_chunks(connection, store, 1, vectors)
    query = random_vectors(1, seed=2)[0] * 3.0  # not normalised: cosine does not care

    hits = store.search(connection, 1, query, 5, MODEL)

    expected = {i: float(v @ unit(query)[0]) for i, v in zip(ids, vectors, strict=True)}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.score == pytest.approx(expected[hit.chunk_id], abs=1e-5), hit


def test_search_sees_only_the_users_own_chunks(connection, store):
    vectors = random_vectors(10, seed=3)
    mine = add_chunks(connection, store, 1, vectors[:5])
    add_chunks(connection, store, 2, vectors[5:])

    hits = store.search(connection, 1, vectors[6], 10, MODEL)

    assert sorted(ids_of(hits)) == sorted(mine)


def test_search_sees_only_chunks_of_the_queried_model(connection, store):
    vectors = random_vectors(6, seed=4)
    local = add_chunks(connection, store, 1, vectors[:3])
    other = add_chunks(connection, store, 1, vectors[3:], model="text-embedding-3-small")

    assert sorted(ids_of(store.search(connection, 1, vectors[4], 10, MODEL))) == sorted(local)
    assert sorted(
        ids_of(store.search(connection, 1, vectors[0], 10, "text-embedding-3-small"))
    ) == sorted(other)


def test_k_larger_than_the_users_chunks_returns_all_of_them(connection, store):
    vectors = random_vectors(4, seed=5)
    ids = add_chunks(connection, store, 1, vectors)

    hits = store.search(connection, 1, vectors[0], 50, MODEL)

    assert sorted(ids_of(hits)) == sorted(ids)


def test_an_empty_store_finds_nothing(connection, store):
    assert store.search(connection, 1, random_vectors(1)[0], 5, MODEL) == []


def test_removed_chunks_are_never_found(connection, store):
    vectors = random_vectors(8, seed=6)
    ids = add_chunks(connection, store, 1, vectors)

    delete_chunks(connection, store, ids[:4])

    assert sorted(ids_of(store.search(connection, 1, vectors[0], 8, MODEL))) == sorted(ids[4:])


def test_a_rolled_back_remove_keeps_the_vectors(connection, store):
    vectors = random_vectors(5, seed=7)
    ids = add_chunks(connection, store, 1, vectors)

    savepoint = connection.begin_nested()
    delete_chunks(connection, store, ids)
    savepoint.rollback()

    assert sorted(ids_of(store.search(connection, 1, vectors[0], 5, MODEL))) == sorted(ids)


def test_a_rolled_back_add_leaves_no_vector(connection, store):
    vectors = random_vectors(3, seed=8)

    savepoint = connection.begin_nested()
    add_chunks(connection, store, 1, vectors)
    savepoint.rollback()

    assert store.search(connection, 1, vectors[0], 3, MODEL) == []


def test_adding_an_indexed_chunk_again_replaces_its_vector(connection, store):
    old, new = random_vectors(2, seed=9)
    [chunk_id] = add_chunks(connection, store, 1, old[None])

    connection.execute(
        chunks.update().where(chunks.c.id == chunk_id).values(embedding=new.astype("<f4").tobytes())
    )
    store.add(connection, [(chunk_id, 1, new)])

    [hit] = store.search(connection, 1, new, 5, MODEL)
    assert (hit.chunk_id, round(hit.score, 4)) == (chunk_id, 1.0)


def test_prepare_twice_changes_nothing(connection, store):
    vectors = random_vectors(3, seed=10)
    ids = add_chunks(connection, store, 1, vectors)

    store.prepare(connection, DIM)

    assert ids_of(store.search(connection, 1, vectors[2], 1, MODEL)) == [ids[2]]


def test_top_results_are_those_of_exact_search_on_random_data(connection, store):
    vectors = random_vectors(400, seed=11)
    ids = np.array(add_chunks(connection, store, 1, vectors))
    queries = random_vectors(10, seed=12)

    for query in queries:
        exact, _ = top_k(vectors, query, 10)
        found = ids_of(store.search(connection, 1, query, 10, MODEL))
        # At this size HNSW's recall is 1.0: the same ten, in the same order.
        assert found == list(ids[exact]), f"{store.kind}: {found} != {list(ids[exact])}"


# --- top_k, the exact search every store is held to ------------------------------------------


def test_top_k_agrees_with_a_full_sort():
    matrix = random_vectors(1000, seed=13, dim=16)
    query = random_vectors(1, seed=14, dim=16)[0]

    best, scores = top_k(matrix, query, 10)

    full = np.argsort(-(matrix @ query))[:10]
    assert list(best) == list(full)
    assert np.allclose(scores, (matrix @ query)[full])


def test_top_k_of_more_than_there_are_gives_every_row_sorted():
    matrix = random_vectors(3, seed=15, dim=4)
    best, scores = top_k(matrix, matrix[1], 10)
    assert best[0] == 1 and len(best) == 3 and list(scores) == sorted(scores, reverse=True)


# --- sqlite-vec -------------------------------------------------------------------------------


@pytest.fixture
def vec_engine(make_database: Callable[[str], str]) -> Iterator[sa.Engine]:
    engine = create_engine(make_database("sqlite"), module=sqlite_module())
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_sqlite_module_loads_sqlite_vec_0_1_9(vec_engine):
    make_store("sqlite-vec", vec_engine)
    with vec_engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT vec_version()")) == "v0.1.9"


def test_sqlite_vec_keeps_each_dimension_in_its_own_table(vec_engine):
    store = SqliteVecStore()
    with vec_engine.connect() as connection, connection.begin():
        store.prepare(connection, DIM)
        small = add_chunks(connection, store, 1, random_vectors(3, seed=16, dim=8))
        large = add_chunks(connection, store, 1, random_vectors(3, seed=17))
        tables = connection.scalars(
            sa.text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
        ).all()
        found_small = store.search(connection, 1, random_vectors(1, dim=8)[0], 10, MODEL)
        found_large = store.search(connection, 1, random_vectors(1)[0], 10, MODEL)
    assert sorted(tables) == ["chunk_vec_384", "chunk_vec_8"]
    assert sorted(ids_of(found_small)) == sorted(small)
    assert sorted(ids_of(found_large)) == sorted(large)


def test_sqlite_vec_returns_k_results_for_a_user_with_a_small_share(vec_engine):
    store = SqliteVecStore()
    with vec_engine.connect() as connection, connection.begin():
        store.prepare(connection, DIM)
        add_chunks(connection, store, 2, random_vectors(500, seed=18))
        mine = np.array(add_chunks(connection, store, 1, random_vectors(20, seed=19)))
        query = random_vectors(1, seed=20)[0]
        found = ids_of(store.search(connection, 1, query, 10, MODEL))
    exact, _ = top_k(random_vectors(20, seed=19), query, 10)
    assert found == list(mine[exact])


def test_a_connection_pooled_before_make_store_still_gets_sqlite_vec(make_database):
    engine = create_engine(make_database("sqlite"), module=sqlite_module())
    metadata.create_all(engine)  # a pooled connection now exists, made without the extension
    store = make_store("sqlite-vec", engine)
    with engine.connect() as connection, connection.begin():
        store.prepare(connection, 8)
        ids = add_chunks(connection, store, 1, random_vectors(2, dim=8))
        assert len(store.search(connection, 1, random_vectors(1, dim=8)[0], 5, MODEL)) == len(ids)
    engine.dispose()


# --- pgvector --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_engine(make_database: Callable[[str], str]) -> Iterator[sa.Engine]:
    engine = create_engine(make_database("postgres"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def hnsw_only_query(connection: sa.Connection, user_id: int, query: np.ndarray, k: int) -> list:
    """The filtered HNSW query with iterative scans off: what pgvector did before 0.8."""
    connection.exec_driver_sql("SET LOCAL hnsw.iterative_scan = off")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    text = "[" + ",".join(repr(float(x)) for x in query) + "]"
    return connection.execute(
        sa.text(
            f"SELECT chunk_id FROM chunk_vectors WHERE dim = {DIM} AND user_id = :u "
            f"ORDER BY embedding::vector({DIM}) <=> CAST(:q AS vector({DIM})) LIMIT :k"
        ),
        {"u": user_id, "q": text, "k": k},
    ).all()


@pytest.mark.postgres
@pytest.mark.slow
def test_pgvector_returns_k_results_for_a_user_with_a_small_share(pg_engine):
    store = PgvectorStore()
    others, own = random_vectors(3000, seed=21), random_vectors(15, seed=22)
    query = random_vectors(1, seed=23)[0]
    with pg_engine.connect() as connection, connection.begin():
        store.prepare(connection, DIM)
        add_chunks(connection, store, 2, others)
        mine = np.array(add_chunks(connection, store, 1, own))
        # Without the (user_id, model) index the planner has only HNSW to use.
        connection.exec_driver_sql("DROP INDEX chunk_vectors_user_model")
        connection.exec_driver_sql("ANALYZE chunk_vectors")
        plain = hnsw_only_query(connection, 1, query, 10)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        with count_queries(pg_engine) as counter:
            found = ids_of(store.search(connection, 1, query, 10, MODEL))
    exact, _ = top_k(own, query, 10)
    # ef_search=40 candidates, about 0.5 % of them the user's: the plain filtered walk comes
    # back short; the iterative scan keeps walking, with no exact fallback query needed.
    assert len(plain) < 10, f"the plain HNSW query found {len(plain)} rows"
    assert found == list(mine[exact])
    assert counter.count == 2, counter.statements


@pytest.mark.postgres
def test_pgvector_search_orders_by_the_hnsw_index_expression(pg_engine):
    store = PgvectorStore()
    with pg_engine.connect() as connection, connection.begin():
        store.prepare(connection, DIM)
        add_chunks(connection, store, 1, random_vectors(200, seed=24))
        # At 200 rows the planner rightly prefers the (user_id, model) index and a sort: take
        # it away to see whether the query can use the HNSW index at all.
        connection.exec_driver_sql("DROP INDEX chunk_vectors_user_model")
        connection.exec_driver_sql("ANALYZE chunk_vectors")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        text = "[" + ",".join(repr(float(x)) for x in random_vectors(1)[0]) + "]"
        plan = "\n".join(
            connection.scalars(
                sa.text(
                    f"EXPLAIN SELECT chunk_id FROM chunk_vectors WHERE dim = {DIM} "
                    f"AND user_id = 1 AND model = '{MODEL}' "
                    f"ORDER BY embedding::vector({DIM}) <=> CAST(:q AS vector({DIM})) LIMIT 10"
                ),
                {"q": text},
            )
        )
    assert f"chunk_vectors_hnsw_{DIM}" in plan, plan


@pytest.mark.postgres
def test_pgvector_is_0_8_or_later_for_iterative_scans(pg_engine):
    with pg_engine.connect() as connection:
        version = connection.scalar(
            sa.text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        )
    assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8), version


# --- make_store -------------------------------------------------------------------------------


def test_auto_on_sqlite_with_an_extension_loading_driver_is_sqlite_vec(vec_engine):
    assert make_store("auto", vec_engine).kind == "sqlite-vec"


def test_auto_on_this_pythons_own_sqlite3_is_numpy(make_database):
    engine = create_engine(make_database("sqlite"))
    assert make_store("auto", engine).kind == "numpy"


@pytest.mark.postgres
def test_auto_on_postgresql_is_pgvector(pg_engine):
    assert make_store("auto", pg_engine).kind == "pgvector"


@pytest.mark.mysql
def test_auto_on_mysql_is_numpy(make_database):
    engine = create_engine(make_database("mysql"))
    assert isinstance(make_store("auto", engine), NumpyStore)
    engine.dispose()


def test_pgvector_on_sqlite_is_a_config_error_naming_the_setting(vec_engine):
    with pytest.raises(ConfigError, match=r"NOTES_VECTOR_STORE=pgvector needs PostgreSQL.*numpy"):
        make_store("pgvector", vec_engine)


def test_sqlite_vec_without_an_extension_loading_driver_is_a_config_error(make_database):
    engine = create_engine(make_database("sqlite"))
    with pytest.raises(ConfigError, match=r"NOTES_VECTOR_STORE=sqlite-vec.*sqlite_module"):
        make_store("sqlite-vec", engine)


@pytest.mark.postgres
def test_sqlite_vec_on_postgresql_is_a_config_error(pg_engine):
    with pytest.raises(ConfigError, match=r"NOTES_VECTOR_STORE=sqlite-vec needs SQLite.*pgvector"):
        make_store("sqlite-vec", pg_engine)


def test_an_unknown_kind_is_a_config_error_listing_the_kinds(vec_engine):
    with pytest.raises(ConfigError, match=r"NOTES_VECTOR_STORE is 'faiss'; use one of auto, numpy"):
        make_store("faiss", vec_engine)
