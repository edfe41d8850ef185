"""A small scored evaluation: hit@1 and hit@3 of two retrievers, and grounded answers.

The cases are a slice of the AI Notes evaluation set (twelve notes of its notebook, the questions
they answer, and two questions no note answers). :class:`EmbeddingRetriever` ranks chunks by
cosine similarity of all-MiniLM-L6-v2 vectors; :class:`KeywordRetriever` by BM25 over
lower-case words. :func:`evaluate` scores either one, and checks the guard's offline answer to
each question: it must cite the right note and quote it word for word, or, when no note answers,
say :data:`~day39.guard.NOT_FOUND`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from rank_bm25 import BM25Okapi

from day39.guard import NOT_FOUND, Passage, offline_answer
from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.embeddings import Embedder
from projects.notes_ai.evaluation.evalset import (
    Note,
    Question,
    load_notebook,
    load_questions,
    squeeze,
    words,
)

#: Every second note of the capstone's notebook, in file-name order.
SLICE = (
    "bike-commute.md",
    "budget-2026.md",
    "coffee-brewing.md",
    "distributed-systems-talk.md",
    "home-network.md",
    "incident-postmortem-login.md",
    "japanese-study.md",
    "lisbon-trip.md",
    "postgres-runbook.md",
    "shakshuka.md",
    "sprint-planning-march.md",
    "thesis-supervisor-meeting.md",
)
UNANSWERABLE = ("What is my blood type?", "Which vaccines does the dog need this year?")
#: Below this cosine similarity a chunk does not count as found (the capstone's default).
MIN_SCORE = 0.3


@dataclass(frozen=True)
class Found:
    passage: Passage
    file: str
    score: float


class Retriever(Protocol):
    name: str

    def search(self, question: str, k: int) -> list[Found]: ...


def slice_of_the_eval_set() -> tuple[list[Note], list[Question]]:
    """The six notes of :data:`SLICE`, their questions, then the :data:`UNANSWERABLE` ones."""
    notes = [note for note in load_notebook() if note.file in SLICE]
    wanted = set(SLICE)
    questions = [q for q in load_questions() if q.note in wanted]
    questions += [q for q in load_questions() if q.question in UNANSWERABLE]
    return notes, questions


def passages(notes: Sequence[Note]) -> list[tuple[str, Passage]]:
    """Every chunk of ``notes`` as a passage (note ids are 1, 2, … in the given order)."""
    return [
        (note.file, Passage(note_id, note.title, chunk.text))
        for note_id, note in enumerate(notes, 1)
        for chunk in chunk_note(note.title, note.body)
    ]


class EmbeddingRetriever:
    """Exact cosine search over the chunks' vectors."""

    name = "embeddings"

    def __init__(self, notes: Sequence[Note], embedder: Embedder) -> None:
        self.embedder = embedder
        self.chunks = passages(notes)
        titles = {p.note_id: p.title for _, p in self.chunks}
        self.matrix = embedder.embed([f"{titles[p.note_id]}\n\n{p.text}" for _, p in self.chunks])

    def search(self, question: str, k: int) -> list[Found]:
        scores = self.matrix @ self.embedder.embed([question])[0]
        best = np.argsort(-scores, kind="stable")[:k]
        return [Found(self.chunks[i][1], self.chunks[i][0], float(scores[i])) for i in best]


class KeywordRetriever:
    """BM25 over lower-case words of each chunk's title and text."""

    name = "bm25"

    def __init__(self, notes: Sequence[Note]) -> None:
        self.chunks = passages(notes)
        self.bm25 = BM25Okapi([words(f"{p.title} {p.text}") for _, p in self.chunks])

    def search(self, question: str, k: int) -> list[Found]:
        scores = self.bm25.get_scores(words(question))
        best = np.argsort(-scores, kind="stable")[:k]
        return [Found(self.chunks[i][1], self.chunks[i][0], float(scores[i])) for i in best]


@dataclass(frozen=True)
class Score:
    method: str
    hit1: float
    hit3: float
    grounded: float
    n: int


def grounded(
    question: Question,
    answer: str,
    cited: Sequence[int],
    note_id: dict[str, int],
    texts: dict[int, str],
) -> bool:
    """Cites the answering note and its quotation is in it verbatim; or says NOT_FOUND."""
    # practice 1: decide whether an answer is grounded in the note that answers its question
    # hint: with no answering note, only NOT_FOUND citing nothing counts; otherwise the note must
    # hint: be cited and the text between the first two quotes found, squeezed, in its text.
    if question.note is None:
        return answer == NOT_FOUND and not cited
    if note_id[question.note] not in cited:
        return False
    quoted = answer.split('"')[1] if answer.count('"') >= 2 else ""
    return bool(quoted) and squeeze(quoted) in texts[note_id[question.note]]
    # end practice 1


def evaluate(retriever: Retriever, notes: Sequence[Note], questions: Sequence[Question]) -> Score:
    """hit@1 and hit@3 over the answerable questions; the grounding rate over all of them."""
    # practice 2: score a retriever's hit@1 and hit@3, and how often its answers are grounded
    # hint: the top 3 per question; a hit@k is an answerable question whose note is in the first k.
    # hint: Answer offline from what was found (from embeddings, only scores >= MIN_SCORE).
    note_id = {note.file: i for i, note in enumerate(notes, 1)}
    texts = {i: squeeze(note.body) for i, note in enumerate(notes, 1)}
    hits1 = hits3 = ok = 0
    answerable = [q for q in questions if q.note is not None]
    for question in questions:
        found = retriever.search(question.question, 3)
        files = [hit.file for hit in found]
        if question.note is not None:
            hits1 += files[:1] == [question.note]
            hits3 += question.note in files
        kept = [
            hit.passage for hit in found if retriever.name != "embeddings" or hit.score >= MIN_SCORE
        ]
        answer = offline_answer(question.question, kept)
        ok += grounded(question, answer.text, answer.cited, note_id, texts)
    n = len(answerable)
    return Score(retriever.name, hits1 / n, hits3 / n, ok / len(questions), n)
    # end practice 2
