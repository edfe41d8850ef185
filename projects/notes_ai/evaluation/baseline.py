"""The keyword-only baseline: BM25 over the same chunks the API embeds.

Each chunk is indexed as the text the embedder sees (the note's title, the heading path and the
chunk's text), tokenised as simply as possible: lower-case runs of letters and digits. What it
misses is what embeddings buy: a question that says "rest between sets" for a note that says
"pause ninety seconds before the next round" shares no word with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.evaluation.evalset import Note, words


@dataclass(frozen=True)
class IndexedChunk:
    file: str
    position: int
    text: str


class KeywordIndex:
    """BM25 (``rank_bm25.BM25Okapi``, its default k1 and b) over every chunk of the notes."""

    def __init__(self, notes: Sequence[Note]) -> None:
        self.chunks = [
            IndexedChunk(note.file, chunk.position, chunk.embedding_text(note.title))
            for note in notes
            for chunk in chunk_note(note.title, note.body)
        ]
        if not self.chunks:
            raise ValueError("no notes to index")
        self.bm25 = BM25Okapi([words(chunk.text) for chunk in self.chunks])

    def search(self, question: str, k: int) -> list[str]:
        """The note files of the ``k`` best chunks, best first (a file may repeat)."""
        scores = self.bm25.get_scores(words(question))
        # A stable sort, so ties keep the notebook's order and the result is reproducible.
        best = np.argsort(-scores, kind="stable")[:k]
        return [self.chunks[index].file for index in best]
