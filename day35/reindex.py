"""Re-indexing a note on edit: embed only the chunks whose digest is new.

The capstone's :func:`projects.notes_ai.chunking.chunk_note` gives each chunk a digest of its
heading and text. When a note changes, the new chunks are matched to the stored ones by digest:
a match keeps its vector (only its position may move), a new digest is embedded, and a stored
digest that is gone is deleted. The embedded text also carries the note's title, which no digest
covers, so a new title re-embeds every chunk.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from projects.notes_ai.chunking import Chunk, chunk_note

#: Turns texts into vectors, one per text; the index only counts and stores what it returns.
Embed = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class StoredChunk:
    """A row of the chunks table, as far as re-indexing cares."""

    id: int
    position: int
    digest: str


@dataclass(frozen=True)
class Plan:
    """What re-indexing a note does: chunks kept (with their new place), embedded, deleted."""

    keep: list[tuple[StoredChunk, Chunk]]
    embed: list[Chunk]
    delete: list[StoredChunk]


def plan_reindex(
    stored: Sequence[StoredChunk], chunks: Sequence[Chunk], *, title_changed: bool = False
) -> Plan:
    """Match ``chunks`` to ``stored`` by digest, in order; two equal chunks match two rows."""
    if title_changed:
        # practice 2: plan a re-index of a note whose title changed
        # hint: the title is in every embedded text but in no digest, so no stored vector is
        # hint: still right: nothing kept, every chunk embedded, every row deleted in note order.
        everything = sorted(stored, key=lambda row: row.position)
        return Plan(keep=[], embed=list(chunks), delete=everything)
        # end practice 2
    # practice 1: match the new chunks to the stored rows by digest, in order
    # hint: queue the stored rows per digest in position order; each chunk takes the first row
    # hint: left with its digest, or is embedded; rows nobody took are deleted, in position order.
    available: defaultdict[str, deque[StoredChunk]] = defaultdict(deque)
    for row in sorted(stored, key=lambda row: row.position):
        available[row.digest].append(row)
    keep: list[tuple[StoredChunk, Chunk]] = []
    embed: list[Chunk] = []
    for chunk in chunks:
        if available[chunk.digest]:
            keep.append((available[chunk.digest].popleft(), chunk))
        else:
            embed.append(chunk)
    delete = [row for rows in available.values() for row in rows]
    return Plan(keep=keep, embed=embed, delete=sorted(delete, key=lambda row: row.position))
    # end practice 1


@dataclass
class Entry:
    position: int
    heading: str | None
    text: str
    digest: str
    vector: list[float]


@dataclass
class NoteIndex:
    """One note's chunks and vectors in memory, kept in step with its text like the capstone's
    chunks table."""

    embed: Embed
    max_tokens: int = 220
    overlap: int = 40
    title: str | None = None
    entries: dict[int, Entry] = field(default_factory=dict)
    embedded: int = 0  # texts sent to the embedder, over the index's life
    _next_id: int = 1

    def update(self, title: str, body: str) -> Plan:
        """Chunk the note again and apply the plan: embed what is new, drop what is gone."""
        # practice 3: chunk the note again, plan against the stored chunks and apply the plan
        # hint: the title changed only if there was one before; delete, move the kept entries to
        # hint: their new positions, embed the new chunks' embedding_text in one call and count it.
        chunks = chunk_note(title, body, max_tokens=self.max_tokens, overlap=self.overlap)
        stored = [StoredChunk(id, e.position, e.digest) for id, e in self.entries.items()]
        changed = self.title is not None and title != self.title
        plan = plan_reindex(stored, chunks, title_changed=changed)
        for row in plan.delete:
            del self.entries[row.id]
        for row, chunk in plan.keep:
            self.entries[row.id].position = chunk.position
        vectors = self.embed([chunk.embedding_text(title) for chunk in plan.embed])
        self.embedded += len(plan.embed)
        for chunk, vector in zip(plan.embed, vectors, strict=True):
            self.entries[self._next_id] = Entry(
                chunk.position, chunk.heading, chunk.text, chunk.digest, vector
            )
            self._next_id += 1
        self.title = title
        return plan
        # end practice 3

    def chunks(self) -> list[Entry]:
        """The entries in note order."""
        return sorted(self.entries.values(), key=lambda entry: entry.position)
