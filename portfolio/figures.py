"""The benchmark and evaluation figures, read from the results committed in ``docs/results/``.

Each file is what its command wrote (see docs/results/README.md): ``bench-blog.json``,
``bench-todo.json`` and ``bench-notes.json`` from ``python -m bench.<api> --json FILE``, and
``eval-notes.json`` from ``python -m projects.notes_ai.evaluation --json``. A file that is
missing or cannot be read is a :class:`Result` that says "not measured yet" (and why), never an
exception: the page renders either way.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

RESULTS_DIR = Path("docs") / "results"
NOT_MEASURED = "not measured yet"
BARE = "bare Flask JSON"
UNCACHED = "GET /todos (no cache)"
CACHED = "GET /todos (Redis cache)"


@dataclass(frozen=True)
class Table:
    """A small table of figures, already formatted."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Result:
    """One results file: its headline, its tables and when it was measured, or a note."""

    key: str
    title: str
    source: str
    command: str
    headline: str = ""
    measured: str | None = None
    machine: str | None = None
    tables: tuple[Table, ...] = ()
    note: str | None = None

    @property
    def is_measured(self) -> bool:
        return self.note is None


# --- the shapes of the files (only the fields the page shows; the rest is ignored) ------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Load(_Model):
    requests_per_second: float = Field(gt=0)
    p50_ms: float
    p99_ms: float
    errors: int = 0


class _BlogBench(_Model):
    when: datetime
    machine: str = ""
    articles: int
    database: str = ""
    runs: dict[str, _Load]


class _TodoBench(_Model):
    when: datetime
    machine: str = ""
    todos: int
    median: dict[str, _Load]
    cpu_ms_per_request: dict[str, float | None] = {}


class _Embed(_Model):
    kind: str
    texts: int
    seconds: float = Field(gt=0)


class _Search(_Model):
    n: int
    hnsw_p50_ms: float = Field(gt=0)
    exact_p50_ms: float
    pg_exact_p50_ms: float
    recall_at_10: float


class _Ingest(_Model):
    notes: int
    seconds: float = Field(gt=0)
    failures: int = 0


class _NotesBench(_Model):
    when: datetime
    machine: str = ""
    embed: list[_Embed] | None = None
    search: list[_Search] | str | None = None
    ingest: _Ingest | str | None = None


class _Method(_Model):
    method: str
    hit1: float = Field(alias="hit@1")
    hit3: float = Field(alias="hit@3")
    n: int


class _Grounding(_Model):
    rate: float | None
    grounded: int
    n: int


class _Eval(_Model):
    methods: list[_Method] = Field(min_length=1)
    grounding: _Grounding | None = None


# --- one reader per file ------------------------------------------------------------------------


def _ratio_rows(runs: dict[str, _Load]) -> tuple[tuple[str, ...], ...]:
    baseline = runs[BARE].requests_per_second if BARE in runs else None
    return tuple(
        (
            name,
            f"{run.requests_per_second:,.0f}",
            f"{run.p50_ms:.2f}",
            f"{run.p99_ms:.2f}",
            f"{run.requests_per_second / baseline:.3f}" if baseline else "–",
        )
        for name, run in runs.items()
    )


LOAD_HEADERS = ("endpoint", "req/s", "p50 ms", "p99 ms", "× bare Flask")


def _ratios(runs: dict[str, _Load]) -> str:
    """``A at 0.43×, B at 0.11× bare Flask's requests per second``."""
    if BARE not in runs or len(runs) < 2:
        return f"{len(runs)} endpoint(s) measured"
    baseline = runs[BARE].requests_per_second
    ratios = [
        f"{name} at {run.requests_per_second / baseline:.2f}×"
        for name, run in runs.items()
        if name != BARE
    ]
    return f"{', '.join(ratios)} bare Flask's requests per second"


def _blog(data: Any) -> dict[str, Any]:
    bench = _BlogBench.model_validate(data)
    caption = f"{bench.articles:,} articles in {bench.database or 'the database'}"
    return {
        "measured": bench.when,
        "machine": bench.machine,
        "headline": _ratios(bench.runs),
        "tables": (Table(caption, LOAD_HEADERS, _ratio_rows(bench.runs)),),
    }


def _todo(data: Any) -> dict[str, Any]:
    bench = _TodoBench.model_validate(data)
    tables = [
        Table(f"{bench.todos:,} todos, median round", LOAD_HEADERS, _ratio_rows(bench.median))
    ]
    cpu = {name: ms for name, ms in bench.cpu_ms_per_request.items() if ms}
    if cpu:
        rows = tuple((name, f"{ms:.3f}") for name, ms in cpu.items())
        tables.append(Table("server CPU per request", ("endpoint", "cpu ms"), rows))
    headline = _ratios(bench.median)
    cached, uncached = bench.median.get(CACHED), bench.median.get(UNCACHED)
    if cached and uncached:
        speedup = cached.requests_per_second / uncached.requests_per_second
        headline = f"the Redis cache serves the list {speedup:.1f}× faster; {headline}"
    return {
        "measured": bench.when,
        "machine": bench.machine,
        "headline": headline,
        "tables": tuple(tables),
    }


def _notes(data: Any) -> dict[str, Any]:
    bench = _NotesBench.model_validate(data)
    tables: list[Table] = []
    headline: list[str] = []
    if bench.embed:
        base = bench.embed[0].texts / bench.embed[0].seconds
        rows = tuple(
            (
                item.kind,
                f"{item.texts:,}",
                f"{item.texts / item.seconds:.1f}",
                f"{item.texts / item.seconds / base:.3f}",
            )
            for item in bench.embed
        )
        tables.append(Table("embedding", ("texts", "count", "texts/s", "ratio"), rows))
        headline.append(f"{base:.0f} {bench.embed[0].kind}/s embedded")
    if isinstance(bench.search, list) and bench.search:
        rows = tuple(
            (
                f"{item.n:,}",
                f"{item.hnsw_p50_ms:.2f}",
                f"{item.exact_p50_ms / item.hnsw_p50_ms:.1f}×",
                f"{item.pg_exact_p50_ms / item.hnsw_p50_ms:.1f}×",
                f"{item.recall_at_10:.3f}",
            )
            for item in bench.search
        )
        headers = ("chunks", "HNSW p50 ms", "vs numpy", "vs pg exact", "recall@10")
        tables.append(Table("vector search, k=10", headers, rows))
        top = max(bench.search, key=lambda item: item.n)
        headline.append(
            f"HNSW {top.pg_exact_p50_ms / top.hnsw_p50_ms:.1f}× an exact scan at {top.n:,} chunks"
        )
    if isinstance(bench.ingest, _Ingest):
        ingest = bench.ingest
        row = (
            f"{ingest.notes:,}",
            f"{ingest.seconds:.1f}",
            f"{ingest.notes / ingest.seconds:.1f}",
            str(ingest.failures),
        )
        tables.append(Table("ingestion", ("notes", "seconds", "notes/s", "failed"), (row,)))
    if not tables:
        raise ValueError("it holds no embedding, search or ingestion figures")
    return {
        "measured": bench.when,
        "machine": bench.machine,
        "headline": "; ".join(headline) or "ingestion measured",
        "tables": tuple(tables),
    }


def _eval(data: Any) -> dict[str, Any]:
    report = _Eval.model_validate(data)
    rows = tuple(
        (method.method, f"{method.hit1:.3f}", f"{method.hit3:.3f}", str(method.n))
        for method in report.methods
    )
    tables = [Table("retrieval", ("method", "hit@1", "hit@3", "questions"), rows)]
    best = max(report.methods, key=lambda method: method.hit3)
    headline = f"hit@3 {best.hit3:.3f} ({best.method})"
    grounding = report.grounding
    if grounding is not None and grounding.rate is not None:
        row = (f"{grounding.grounded}/{grounding.n}", f"{grounding.rate:.3f}")
        tables.append(Table("chat answers", ("grounded", "rate"), (row,)))
        headline += f", {grounding.rate:.0%} of chat answers grounded"
    return {"headline": headline, "tables": tuple(tables)}


@dataclass(frozen=True)
class _Source:
    key: str
    title: str
    file: str
    command: str
    read: Callable[[Any], dict[str, Any]] = field(repr=False)


SOURCES = (
    _Source(
        "bench-blog",
        "Blog API: article list under load",
        "bench-blog.json",
        "python -m bench.blog --json docs/results/bench-blog.json",
        _blog,
    ),
    _Source(
        "bench-todo",
        "Todo API: list, uncached and cached",
        "bench-todo.json",
        "python -m bench.todo --json docs/results/bench-todo.json",
        _todo,
    ),
    _Source(
        "bench-notes",
        "AI Notes API: embeddings, vector search, ingestion",
        "bench-notes.json",
        "python -m bench.notes --json docs/results/bench-notes.json",
        _notes,
    ),
    _Source(
        "eval-notes",
        "AI Notes API: retrieval and grounding evaluation",
        "eval-notes.json",
        "python -m projects.notes_ai.evaluation --json > docs/results/eval-notes.json",
        _eval,
    ),
)


def read_results(repo_root: Path) -> list[Result]:
    """Every results file under ``repo_root``, in :data:`SOURCES` order."""
    return [read_result(repo_root, source) for source in SOURCES]


def read_result(repo_root: Path, source: _Source) -> Result:
    """One results file as a :class:`Result`; missing or malformed gives a "not measured" note."""
    path = repo_root / RESULTS_DIR / source.file
    base = {"key": source.key, "title": source.title, "source": source.file}
    base["command"] = source.command
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Result(**base, note=f"{NOT_MEASURED}: run {source.command}")
    except (OSError, ValueError) as error:
        return Result(**base, note=f"{NOT_MEASURED}: {source.file} {_reason(error)}")
    try:
        figures = source.read(data)
    except (ValueError, KeyError, TypeError, ZeroDivisionError) as error:
        return Result(**base, note=f"{NOT_MEASURED}: {source.file} {_reason(error)}")
    when = figures.pop("measured", None) or _committed_at(repo_root, path)
    return Result(**base, measured=_date(when), **figures)


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        return f"is not in the expected shape ({where}: {first['msg']})"
    if isinstance(error, json.JSONDecodeError):
        return f"is not JSON ({error.msg} at line {error.lineno})"
    if isinstance(error, UnicodeDecodeError):
        return "is not UTF-8 text"
    return f"could not be read ({error})"


def _committed_at(repo_root: Path, path: Path) -> datetime | None:
    """When ``path`` was last committed (its modification time outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(repo_root), "log", "-1", "--format=%cI", "--", str(path)],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if out:
        return datetime.fromisoformat(out)
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _date(when: datetime | None) -> str | None:
    """``2026-12-02`` (UTC)."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d")
