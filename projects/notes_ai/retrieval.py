"""Notes into vectors and questions into passages: indexing on write, search on read.

A note is chunked (:mod:`~projects.notes_ai.chunking`), each new chunk embedded
(:mod:`~projects.notes_ai.embeddings`) and indexed in the vector store
(:mod:`~projects.notes_ai.vectors`), all in the caller's transaction: if the embedder fails,
nothing of the write is stored. An edit re-embeds only the chunks whose digest changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from projects.notes_ai.chunking import Chunk as Piece
from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.embeddings import (
    LOCAL_DIM,
    Embedder,
    EmbeddingsUnavailable,
    OpenAIEmbedder,
    local_embedder,
    vector_to_bytes,
)
from projects.notes_ai.extensions import NotesState
from projects.notes_ai.llm import make_client
from projects.notes_ai.models import Chunk, Note
from shared.errors import ServiceUnavailable

#: Chunk size and overlap, in tokens. all-MiniLM-L6-v2 was trained on sentence pairs and reads
#: at most 256 word pieces: a passage of a few sentences keeps to one topic, and on the
#: evaluation notebook 64-90 tokens found the right note first more often than 120-220 did.
CHUNK_TOKENS = 80
CHUNK_OVERLAP = 20
#: Seconds a client is asked to wait after the embedder failed.
EMBEDDER_RETRY_AFTER = 5


@dataclass(frozen=True)
class IndexReport:
    """What indexing a note did: chunks kept as they were, embedded anew, and removed."""

    kept: int
    embedded: int
    removed: int


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its note's title and its similarity to the question."""

    chunk_id: int
    note_id: int
    title: str
    position: int
    heading: str | None
    text: str
    score: float


def embedding_dim(state: NotesState) -> int:
    """The dimension of the configured embedder's vectors, known without loading it."""
    if state.settings.embeddings == "openai":
        return state.settings.openai_embedding_dimensions
    return LOCAL_DIM


def embedder(state: NotesState) -> Embedder:
    """The configured embedder, built once per app (the local model loads on first use)."""
    if state.embedder is None:
        with state.lock:
            if state.embedder is None:
                settings = state.settings
                if settings.embeddings == "openai":
                    client = make_client(
                        settings.openai_api_key,
                        settings.openai_base_url,
                        settings.llm_timeout,
                        settings.llm_max_retries,
                    )
                    state.embedder = OpenAIEmbedder(
                        client,
                        settings.openai_embedding_model,
                        settings.openai_embedding_dimensions,
                    )
                else:
                    try:
                        state.embedder = local_embedder()
                    except EmbeddingsUnavailable as error:
                        raise unavailable(error) from None
    return state.embedder  # type: ignore[no-any-return]


def unavailable(error: EmbeddingsUnavailable) -> ServiceUnavailable:
    """The 503 problem of an embedder that failed; notes and their vectors are left as they were."""
    return ServiceUnavailable(
        f"embeddings are unavailable, so nothing was changed: {error}",
        headers={"Retry-After": str(EMBEDDER_RETRY_AFTER)},
    )


def embed(state: NotesState, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """``texts`` as vectors, or the 503 problem when the embedder fails."""
    model = embedder(state)
    try:
        return model.embed(texts, progress=progress)
    except EmbeddingsUnavailable as error:
        raise unavailable(error) from None


def chunk_row(note: Note, piece: Piece, model: Embedder, vector: np.ndarray) -> Chunk:
    """The ``chunks`` row of one piece of ``note``, with its vector and the model that made it."""
    return Chunk(
        user_id=note.user_id,
        position=piece.position,
        heading=piece.heading,
        text=piece.text,
        digest=piece.digest,
        model=model.name,
        dim=model.dim,
        embedding=vector_to_bytes(vector),
    )


def index_note(
    state: NotesState, session: Session, note: Note, *, retitled: bool = False
) -> IndexReport:
    """Bring ``note``'s chunks and vectors in line with its text, in the session's transaction.

    Chunks whose digest and model are unchanged keep their rows and vectors (matched as a
    multiset: two equal paragraphs are two chunks); the rest are removed from the store and the
    table, and the new ones embedded and indexed. The title is part of what is embedded but not
    of the digest, so ``retitled=True`` re-embeds every chunk. ``note`` must have been flushed;
    the caller commits.
    """
    model = embedder(state)
    pieces = chunk_note(note.title, note.body, max_tokens=CHUNK_TOKENS, overlap=CHUNK_OVERLAP)
    existing: dict[tuple[str, str], list[Chunk]] = defaultdict(list)
    if not retitled:
        for row in note.chunks:
            existing[(row.digest, row.model)].append(row)
    wanted: list[tuple[Piece, Chunk | None]] = []
    for piece in pieces:
        matches = existing.get((piece.digest, model.name))
        wanted.append((piece, matches.pop() if matches else None))
    kept = {id(row) for _piece, row in wanted if row is not None}
    stale = [row for row in note.chunks if id(row) not in kept]
    fresh = [piece for piece, row in wanted if row is None]
    vectors = embed(state, [piece.embedding_text(note.title) for piece in fresh])
    connection = session.connection()
    if stale:
        state.store.remove(connection, [row.id for row in stale if row.id is not None])
        for row in stale:
            note.chunks.remove(row)
    new_rows: list[Chunk] = []
    for piece, vector in zip(fresh, vectors, strict=True):
        row = chunk_row(note, piece, model, vector)
        note.chunks.append(row)
        new_rows.append(row)
    for piece, row in wanted:
        if row is not None:
            row.position = piece.position
    session.flush()
    state.store.add(
        connection,
        [(row.id, note.user_id, vector) for row, vector in zip(new_rows, vectors, strict=True)],
    )
    return IndexReport(kept=len(kept), embedded=len(fresh), removed=len(stale))


def index_new_notes(
    state: NotesState, session: Session, notes: Sequence[Note], *, progress: bool = False
) -> int:
    """Chunk, embed and index notes that have no chunks yet, in one batch; the chunk count.

    One embedding call for all of them is what makes an import fast; ``progress`` draws a bar
    on stderr. The notes must have been flushed; the caller commits.
    """
    model = embedder(state)
    pieces = [
        (note, piece)
        for note in notes
        for piece in chunk_note(
            note.title, note.body, max_tokens=CHUNK_TOKENS, overlap=CHUNK_OVERLAP
        )
    ]
    texts = [piece.embedding_text(note.title) for note, piece in pieces]
    vectors = embed(state, texts, progress=progress)
    rows = []
    for (note, piece), vector in zip(pieces, vectors, strict=True):
        row = chunk_row(note, piece, model, vector)
        row.note_id = note.id
        session.add(row)
        rows.append(row)
    session.flush()
    state.store.add(
        session.connection(),
        [(row.id, row.user_id, vector) for row, vector in zip(rows, vectors, strict=True)],
    )
    return len(rows)


def delete_note(state: NotesState, session: Session, note: Note) -> None:
    """Delete ``note`` with its chunks and their vectors, in the session's transaction."""
    chunk_ids = list(session.scalars(sa.select(Chunk.id).where(Chunk.note_id == note.id)))
    if chunk_ids:
        state.store.remove(session.connection(), chunk_ids)
    session.delete(note)


def search(
    state: NotesState, session: Session, user_id: int, question: str, k: int
) -> list[Passage]:
    """The ``k`` passages of ``user_id``'s notes nearest to ``question``, best first."""
    model = embedder(state)
    vector = embed(state, [question])[0]
    hits = state.store.search(session.connection(), user_id, vector, k, model.name)
    if not hits:
        return []
    rows = session.execute(
        sa.select(Chunk.id, Chunk.note_id, Note.title, Chunk.position, Chunk.heading, Chunk.text)
        .join(Note, Note.id == Chunk.note_id)
        .where(Chunk.id.in_([hit.chunk_id for hit in hits]), Chunk.user_id == user_id)
    ).all()
    by_id = {row.id: row for row in rows}
    return [
        Passage(
            chunk_id=hit.chunk_id,
            note_id=row.note_id,
            title=row.title,
            position=row.position,
            heading=row.heading,
            text=row.text,
            score=hit.score,
        )
        for hit in hits
        if (row := by_id.get(hit.chunk_id)) is not None
    ]
