"""The evaluation set: a sample notebook of Markdown notes and paraphrased questions about it.

``notebook/*.md`` are the notes (first line ``# Title``, the rest the body); ``questions.yaml``
names, for each question, the note that answers it (or none: the notes do not say) and a phrase
of that note that answers it. :func:`word_overlap` measures how many of a question's words its
note contains, which is what keeps the set hard for keyword search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "notebook"
QUESTIONS = HERE / "questions.yaml"

#: Words too common to say anything about whether a question and a note share a topic.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class Note:
    """One note of the notebook, as the API receives it."""

    file: str
    title: str
    body: str


@dataclass(frozen=True)
class Question:
    """A question and the note that answers it; ``note`` is None when no note does."""

    question: str
    note: str | None
    answer: str | None = None
    deep: bool = False

    @property
    def answerable(self) -> bool:
        return self.note is not None


class EvalSetError(ValueError):
    """The notebook or the questions file is malformed; the message names the file."""


def read_note(path: Path) -> Note:
    """A Markdown file whose first line is ``# Title``."""
    text = path.read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    if not first.startswith("# "):
        raise EvalSetError(f"{path}: the first line must be '# Title', not {first!r}")
    return Note(file=path.name, title=first[2:].strip(), body=body.strip())


def load_notebook(folder: Path = NOTEBOOK) -> list[Note]:
    """Every ``*.md`` of ``folder``, in file-name order."""
    return [read_note(path) for path in sorted(folder.glob("*.md"))]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """The questions, in file order."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise EvalSetError(f"{path}: expected a list of questions")
    questions = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("question"), str):
            raise EvalSetError(f"{path}: entry {number} has no 'question'")
        questions.append(
            Question(
                question=entry["question"],
                note=entry.get("note"),
                answer=entry.get("answer"),
                deep=bool(entry.get("deep", False)),
            )
        )
    return questions


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits), the tokenisation the keyword baseline uses too."""
    return re.findall(r"[a-z0-9]+", text.lower())


def content_words(text: str) -> set[str]:
    return {word for word in words(text) if word not in STOPWORDS}


def word_overlap(question: str, note: Note) -> float:
    """The share of the question's content words that appear anywhere in the note (0 to 1)."""
    asked = content_words(question)
    if not asked:
        return 0.0
    return len(asked & content_words(f"{note.title}\n{note.body}")) / len(asked)


def mean_overlap(questions: Sequence[Question], notes: Sequence[Note]) -> float:
    """The average :func:`word_overlap` of the answerable questions with their notes."""
    by_file = {note.file: note for note in notes}
    scores = [word_overlap(q.question, by_file[q.note]) for q in questions if q.note is not None]
    return sum(scores) / len(scores) if scores else 0.0


def squeeze(text: str) -> str:
    """Whitespace collapsed to single spaces, so a phrase matches across line breaks."""
    return " ".join(text.split())
