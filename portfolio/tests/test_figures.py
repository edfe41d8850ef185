"""portfolio.figures: the committed benchmark and evaluation results, read for the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portfolio.figures import NOT_MEASURED, RESULTS_DIR, SOURCES, read_results


def load(rps: float, p50: float = 1.0) -> dict[str, Any]:
    return {
        "requests_per_second": rps,
        "p50_ms": p50,
        "p99_ms": p50 * 3,
        "requests": 9,
        "errors": 0,
    }


BLOG = {
    "when": "2026-12-02T21:48:16+00:00",
    "machine": "x86_64, 2 cores, Python 3.11.7",
    "articles": 10000,
    "database": "sqlite",
    "runs": {"bare Flask JSON": load(2000), "articles?limit=20 (anonymous)": load(850)},
}
TODO = {
    "when": "2026-12-02T21:49:29+00:00",
    "machine": "x86_64, 2 cores",
    "todos": 200,
    "median": {
        "bare Flask JSON": load(2500),
        "GET /todos (no cache)": load(100),
        "GET /todos (Redis cache)": load(1150),
    },
    "cpu_ms_per_request": {"bare Flask JSON": 0.46, "GET /todos (no cache)": 10.9},
}
NOTES = {
    "when": "2026-12-03T08:00:00+00:00",
    "machine": "x86_64, 2 cores",
    "embed": [{"kind": "sentences", "texts": 1024, "seconds": 2.0, "per_second": 512.0}],
    "search": [
        {"n": 10000, "queries": 200, "exact_p50_ms": 0.5, "exact_p99_ms": 1, "hnsw_p50_ms": 2.0,
         "hnsw_p99_ms": 3, "pg_exact_p50_ms": 8.0, "pg_exact_p99_ms": 9,
         "numpy_store_p50_ms": 100, "numpy_store_p99_ms": 200, "recall_at_10": 0.966,
         "build_seconds": 2.5, "load_seconds": 0.2},
    ],
    "ingest": {"notes": 300, "seconds": 20.0, "embed_seconds": 10.0, "failures": 0},
}  # fmt: skip
EVAL = {
    "methods": [
        {"method": "embeddings", "hit@1": 0.923, "hit@3": 0.981, "n": 52},
        {"method": "bm25", "hit@1": 0.8, "hit@3": 0.9, "n": 52},
    ],
    "grounding": {"rate": 0.95, "grounded": 19, "n": 20, "failures": []},
    "misses": [],
}


def write(repo: Path, name: str, content: Any) -> None:
    folder = repo / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / name).write_text(text, encoding="utf-8")


def results(repo: Path) -> dict[str, Any]:
    return {result.key: result for result in read_results(repo)}


def test_every_result_is_not_measured_yet_without_files(repo: Path):
    found = read_results(repo)
    assert [r.key for r in found] == [source.key for source in SOURCES]
    for result in found:
        assert not result.is_measured
        assert result.note == f"{NOT_MEASURED}: run {result.command}"


def test_the_blog_bench_gives_each_endpoint_its_ratio_to_bare_flask(repo: Path):
    write(repo, "bench-blog.json", BLOG)
    blog = results(repo)["bench-blog"]
    assert blog.measured == "2026-12-02" and blog.machine == BLOG["machine"]
    (table,) = blog.tables
    assert table.rows[1] == ("articles?limit=20 (anonymous)", "850", "1.00", "3.00", "0.425")
    assert "articles?limit=20 (anonymous) at 0.42× bare Flask" in blog.headline


def test_the_todo_bench_headline_is_the_cache_speedup(repo: Path):
    write(repo, "bench-todo.json", TODO)
    todo = results(repo)["bench-todo"]
    assert todo.headline.startswith("the Redis cache serves the list 11.5× faster")
    assert todo.tables[1].rows == (
        ("bare Flask JSON", "0.460"),
        ("GET /todos (no cache)", "10.900"),
    )


def test_the_notes_bench_reads_embedding_search_and_ingestion(repo: Path):
    write(repo, "bench-notes.json", NOTES)
    notes = results(repo)["bench-notes"]
    assert [t.caption for t in notes.tables] == ["embedding", "vector search, k=10", "ingestion"]
    assert notes.tables[1].rows == (("10,000", "2.00", "0.2×", "4.0×", "0.966"),)
    assert notes.tables[2].rows == (("300", "20.0", "15.0", "0"),)
    assert notes.headline == "512 sentences/s embedded; HNSW 4.0× an exact scan at 10,000 chunks"


def test_a_notes_bench_with_phases_left_out_shows_the_rest(repo: Path):
    write(repo, "bench-notes.json", NOTES | {"search": "left out", "ingest": None})
    notes = results(repo)["bench-notes"]
    assert [t.caption for t in notes.tables] == ["embedding"]


def test_the_evaluation_shows_hit_rates_and_grounding(repo: Path):
    write(repo, "eval-notes.json", EVAL)
    evaluation = results(repo)["eval-notes"]
    assert evaluation.tables[0].rows[0] == ("embeddings", "0.923", "0.981", "52")
    assert evaluation.headline == "hit@3 0.981 (embeddings), 95% of chat answers grounded"


def test_the_evaluation_is_dated_by_its_file_outside_git(repo: Path):
    write(repo, "eval-notes.json", EVAL)
    measured = results(repo)["eval-notes"].measured
    assert measured is not None and len(measured) == 10 and measured[4] == "-"


def test_the_evaluation_is_dated_by_its_last_commit(repo: Path, git):
    write(repo, "eval-notes.json", EVAL)
    git(repo, "init", "--quiet")
    git(repo, "add", "docs")
    git(repo, "commit", "--quiet", "-m", "results", date="2026-11-30T23:30:00-02:00")
    assert results(repo)["eval-notes"].measured == "2026-12-01"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", "is not JSON"),
        ([], "is not in the expected shape"),
        ({**BLOG, "when": "soon"}, "when"),
        ({**BLOG, "runs": {"bare Flask JSON": load(0)}}, "requests_per_second"),
    ],
)
def test_a_malformed_file_is_not_measured_yet_with_the_reason(repo: Path, content, reason):
    write(repo, "bench-blog.json", content)
    blog = results(repo)["bench-blog"]
    assert not blog.is_measured and blog.tables == ()
    assert blog.note is not None
    assert blog.note.startswith(f"{NOT_MEASURED}: bench-blog.json ") and reason in blog.note


def test_a_notes_bench_without_any_figures_is_not_measured(repo: Path):
    write(repo, "bench-notes.json", {"when": NOTES["when"], "search": "left out"})
    assert "no embedding, search or ingestion" in (results(repo)["bench-notes"].note or "")


def test_a_results_file_that_is_not_utf8_is_not_measured(repo: Path):
    (repo / RESULTS_DIR).mkdir(parents=True)
    (repo / RESULTS_DIR / "eval-notes.json").write_bytes(b"\xff{}")
    assert "is not UTF-8 text" in (results(repo)["eval-notes"].note or "")


def test_the_committed_results_are_all_readable():
    repo_root = Path(__file__).resolve().parents[2]
    unread = [r.note for r in read_results(repo_root) if not r.is_measured]
    assert unread == []
