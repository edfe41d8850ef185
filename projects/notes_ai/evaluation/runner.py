"""Score the AI Notes API on the evaluation set, through its own HTTP interface.

:func:`evaluate` loads the notebook into a fresh app (an in-memory SQLite database, the local
embedding model, the offline answerer), then asks every question twice: through
``GET /api/search`` for the retrieval hit rate, and through ``POST /api/chat`` for grounding.
The keyword baseline (:mod:`.baseline`) answers the same questions over the same chunks, so the
table shows what embeddings buy.

- **hit@k**: the share of answerable questions whose note is among the note ids of the top ``k``
  search results (hit@1: the very first one).
- **grounded**: for a question with an answer, the chat cites that note, and every passage it
  shows (each source's text, each quotation in the answer) is in the cited notes word for word;
  for a question the notes cannot answer, it cites nothing and says it found nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from projects.notes_ai.evaluation.baseline import KeywordIndex
from projects.notes_ai.evaluation.evalset import Note, Question, squeeze

#: The app the evaluation runs against: nothing outside this process, nothing on the network.
APP_SETTINGS: dict[str, Any] = {
    "DATABASE_URL": "sqlite://",
    "LLM": "offline",
    "EMBEDDINGS": "local",
    "VECTOR_STORE": "auto",
    # One throwaway account: the cheapest password hashing argon2 allows.
    "PASSWORD_TIME_COST": 1,
    "PASSWORD_MEMORY_COST": 8,
    "PASSWORD_PARALLELISM": 1,
}
EMAIL = "evaluation@example.com"
PASSWORD = "evaluation-password"
#: A quotation in an answer: straight or curly double quotes around at least three words.
QUOTATION = re.compile(r"\"([^\"\n]+?)\"|“([^”\n]+?)”")
ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


class EvaluationError(RuntimeError):
    """The app refused a step of the run; the message says which request and what it answered."""


@dataclass(frozen=True)
class Score:
    """One retrieval method's hit rates over ``n`` answerable questions."""

    method: str
    hit1: float
    hit3: float
    n: int


@dataclass(frozen=True)
class Miss:
    """An answerable question whose note was not in a method's top 3."""

    method: str
    question: str
    expected: str
    got: tuple[str, ...]


@dataclass(frozen=True)
class Ungrounded:
    """A chat answer that failed the grounding check, and why."""

    question: str
    reason: str


@dataclass
class Report:
    scores: list[Score]
    misses: list[Miss] = field(default_factory=list)
    grounded: int = 0
    asked: int = 0
    ungrounded: list[Ungrounded] = field(default_factory=list)

    @property
    def grounding_rate(self) -> float | None:
        return self.grounded / self.asked if self.asked else None

    def score(self, method: str) -> Score:
        return next(score for score in self.scores if score.method == method)

    def as_dict(self) -> dict[str, Any]:
        """The report for machines (``--json``)."""
        return {
            "methods": [
                {"method": s.method, "hit@1": s.hit1, "hit@3": s.hit3, "n": s.n}
                for s in self.scores
            ],
            "grounding": {
                "rate": self.grounding_rate,
                "grounded": self.grounded,
                "n": self.asked,
                "failures": [{"question": u.question, "reason": u.reason} for u in self.ungrounded],
            },
            "misses": [
                {"method": m.method, "question": m.question, "expected": m.expected, "got": m.got}
                for m in self.misses
            ],
        }

    def table(self) -> str:
        """The scores as a plain-text table, then the grounding rate."""
        lines = [f"{'method':<12} {'hit@1':>6} {'hit@3':>6} {'n':>4}"]
        lines += [f"{s.method:<12} {s.hit1:>6.3f} {s.hit3:>6.3f} {s.n:>4}" for s in self.scores]
        rate = self.grounding_rate
        if rate is not None:
            lines.append(f"grounding: {self.grounded}/{self.asked} answers grounded ({rate:.3f})")
        return "\n".join(lines)


def hit_rates(
    method: str, ranked: Sequence[Sequence[str]], questions: Sequence[Question]
) -> tuple[Score, list[Miss]]:
    """hit@1 and hit@3 of ``ranked`` (the note files of each question's results, best first)."""
    hits1 = hits3 = 0
    misses = []
    for files, question in zip(ranked, questions, strict=True):
        hits1 += list(files[:1]) == [question.note]
        if question.note in files[:3]:
            hits3 += 1
        else:
            misses.append(Miss(method, question.question, str(question.note), tuple(files[:3])))
    n = len(questions)
    return Score(method, hits1 / n if n else 0.0, hits3 / n if n else 0.0, n), misses


def quotations(answer: str) -> list[str]:
    """The passages an answer quotes, each cut at its ellipses (``"a … b"`` is ``a`` and ``b``)."""
    found = []
    for match in QUOTATION.finditer(answer):
        passage = match.group(1) or match.group(2)
        if len(passage.split()) < 3:
            continue  # a quoted word or two is emphasis, not a quotation
        found += [piece for piece in ELLIPSIS.split(passage) if piece.strip()]
    return found


class NotesClient:
    """The few requests the evaluation makes, through a Flask test client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def call(self, method: str, url: str, expected: int, **kwargs: Any) -> Any:
        response = self.client.open(url, method=method, headers=self.headers, **kwargs)
        if response.status_code != expected:
            body = response.get_data(as_text=True)[:300]
            raise EvaluationError(f"{method} {url} answered {response.status_code}: {body}")
        return response.get_json()

    def register(self, email: str = EMAIL, password: str = PASSWORD) -> None:
        body = self.call(
            "POST", "/api/auth/register", 201, json={"email": email, "password": password}
        )
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def add_note(self, note: Note) -> int:
        body = self.call("POST", "/api/notes", 201, json={"title": note.title, "body": note.body})
        return int(body["id"])

    def search(self, question: str, k: int) -> list[int]:
        body = self.call("GET", "/api/search", 200, query_string={"q": question, "k": k})
        return [int(result["note_id"]) for result in body["results"]]

    def chat(self, question: str) -> dict[str, Any]:
        return self.call("POST", "/api/chat", 200, json={"message": question})


def make_app(overrides: dict[str, Any] | None = None) -> Any:
    """A fresh AI Notes app with :data:`APP_SETTINGS` (and ``overrides``)."""
    from projects.notes_ai import create_app

    return create_app({**APP_SETTINGS, **(overrides or {})})


def grounding_problem(
    question: Question,
    reply: dict[str, Any],
    notes_by_id: dict[int, Note],
    ids_by_file: dict[str, int],
    not_found: Callable[[str], bool],
) -> str | None:
    """Why ``reply`` is not grounded, or None when it is."""
    sources = reply.get("sources") or []
    answer = str(reply.get("answer") or "")
    cited = [int(source["note_id"]) for source in sources]
    if question.note is None:
        if cited:
            return f"the notes do not answer it, yet it cites notes {sorted(set(cited))}"
        if not not_found(answer):
            return f"the notes do not answer it, yet it answers {answer[:80]!r}"
        return None
    if ids_by_file[question.note] not in cited:
        return f"does not cite {question.note} (cites {sorted(set(cited)) or 'nothing'})"
    unknown = [note_id for note_id in cited if note_id not in notes_by_id]
    if unknown:
        return f"cites notes that do not exist: {unknown}"
    texts = {note_id: squeeze(f"{n.title}\n{n.body}") for note_id, n in notes_by_id.items()}
    for source in sources:
        if squeeze(str(source.get("text") or "")) not in texts[int(source["note_id"])]:
            return f"a source's text is not in note {source['note_id']}: {source['text'][:80]!r}"
    for passage in quotations(answer):
        if not any(squeeze(passage) in texts[note_id] for note_id in set(cited)):
            return f"quotes a passage no cited note contains: {passage[:80]!r}"
    return None


def default_not_found(answer: str) -> bool:
    """Whether ``answer`` is the answerer's could-not-find reply."""
    try:
        from projects.notes_ai import rag
    except ImportError:
        rag = None  # type: ignore[assignment]
    phrase = getattr(rag, "NOT_FOUND", None)
    if isinstance(phrase, str):
        return squeeze(phrase) in squeeze(answer)
    return bool(re.search(r"\b(could not|couldn't|can't|cannot) find\b", answer, re.I))


def evaluate(
    notes: Sequence[Note],
    questions: Sequence[Question],
    *,
    chat: bool = True,
    progress: bool = False,
    overrides: dict[str, Any] | None = None,
    not_found: Callable[[str], bool] = default_not_found,
) -> Report:
    """Load ``notes`` into a fresh app, ask ``questions``, score search, BM25 and chat."""
    known = {note.file for note in notes}
    for question in questions:
        if question.note is not None and question.note not in known:
            raise EvaluationError(f"{question.question!r} names {question.note}, not a note")
    client = NotesClient(make_app(overrides).test_client())
    client.register()
    ids_by_file = {}
    for note in bar(notes, progress, "loading notes"):
        ids_by_file[note.file] = client.add_note(note)
    files_by_id = {note_id: file for file, note_id in ids_by_file.items()}
    notes_by_id = {ids_by_file[note.file]: note for note in notes}

    answerable = [q for q in questions if q.answerable]
    searched = [
        [files_by_id.get(note_id, f"note {note_id}") for note_id in client.search(q.question, 3)]
        for q in bar(answerable, progress, "search")
    ]
    keywords = KeywordIndex(notes)
    baseline = [keywords.search(q.question, 3) for q in answerable]
    embeddings, missed = hit_rates("embeddings", searched, answerable)
    bm25, missed_bm25 = hit_rates("bm25", baseline, answerable)
    report = Report([embeddings, bm25], missed + missed_bm25)
    if chat:
        for question in bar(questions, progress, "chat"):
            reply = client.chat(question.question)
            problem = grounding_problem(question, reply, notes_by_id, ids_by_file, not_found)
            report.asked += 1
            if problem is None:
                report.grounded += 1
            else:
                report.ungrounded.append(Ungrounded(question.question, problem))
    return report


def bar(items: Sequence[Any], enabled: bool, description: str) -> Iterable[Any]:
    """``items``, with a progress bar on stderr when ``enabled``."""
    return tqdm(items, desc=description, disable=not enabled, leave=False)
