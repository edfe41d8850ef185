"""The retrospective: figures read from the repository's own files, "not measured yet" without."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from day45.retro import (
    NOT_MEASURED,
    blog_figures,
    eval_figures,
    notes_figures,
    readme_test_count,
    render,
    results_section,
    todo_figures,
)

README = """---
day: {day}
title: Day {day}
topics: [x]
capstone: none
---

# Day {day:02d} · Day {day}

<!-- tests: day{day:02d} -->
`pytest day{day:02d}` runs {tests} tests.
<!-- /tests -->
"""
LOAD = {"requests_per_second": 1000.0, "p50_ms": 2.5, "p99_ms": 9.0, "requests": 9, "errors": 0}


def add_day(root: Path, day: int, tests: int) -> None:
    folder = root / f"day{day:02d}"
    folder.mkdir()
    (folder / "README.md").write_text(README.format(day=day, tests=tests))
    (folder / "__main__.py").write_text("")
    (folder / "test_it.py").write_text("")


def write(root: Path, name: str, data: object) -> None:
    path = root / "docs" / "results" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    add_day(tmp_path, 1, 12)
    add_day(tmp_path, 2, 30)
    return tmp_path


def test_the_test_count_is_read_from_the_readme_tests_block() -> None:
    assert readme_test_count(README.format(day=7, tests=73), "day07/README.md") == 73


def test_a_readme_without_a_tests_block_has_no_count() -> None:
    assert readme_test_count("# Day 07\n", "day07/README.md") is None


def test_the_days_done_and_their_tests_are_summed(repo: Path) -> None:
    text = render(repo)
    assert "2 of 44 days done (days 1 to 44), 0 in progress, 42 planned" in text
    assert "the day READMEs count 42 tests." in text
    assert "| 02 | Day 2 | done | 30 | - |" in text


def test_day_45_itself_is_left_out(repo: Path) -> None:
    add_day(repo, 45, 99)
    assert "| 45 |" not in render(repo)


def test_every_results_file_not_there_yet_is_not_measured_yet(repo: Path) -> None:
    assert render(repo).count(NOT_MEASURED) == 5  # four results files and the mutation scores


def test_mutation_scores_come_from_the_recorded_results(repo: Path) -> None:
    day = {"survivors": [], "date": "2026-12-02", "mutmut": "3.8.1", "backends": "sqlite"}
    results = {
        "day01": {**day, "statuses": {"killed": 90, "survived": 10}},
        "day02": {**day, "statuses": {"killed": 49, "timeout": 1}},
    }
    (repo / "docs").mkdir()
    (repo / "docs" / "mutation-results.json").write_text(json.dumps(results))
    text = render(repo)
    assert "| 01 | Day 1 | done | 12 | 90/100 (90.0%) |" in text
    assert "2 days mutation-tested: 140 of 150 mutants killed (93.3%)" in text
    assert "the lowest score is day 01's, 90.0%." in text


def test_the_blog_benchmark_is_shown_against_the_bare_endpoint(repo: Path) -> None:
    runs = {"bare Flask JSON": LOAD, "articles": {**LOAD, "requests_per_second": 250.0}}
    data = {"when": "W", "machine": "M", "articles": 10000, "database": "sqlite", "runs": runs}
    write(repo, "bench-blog.json", data)
    lines = results_section(repo, "Blog", "bench-blog.json", blog_figures)
    assert "10,000 articles on sqlite, measured W on M:" in lines
    assert "| articles | 250 | 2.50 | 9.00 | 0 | 0.25 |" in lines


def test_the_todo_benchmark_shows_the_medians_and_the_cpu_per_request() -> None:
    data = {
        "when": "W", "machine": "M", "todos": 200, "workers": 2, "threads": 4,
        "database": "sqlite", "redis": "local", "median": {"bare Flask JSON": LOAD},
        "rounds": {"bare Flask JSON": [LOAD, LOAD, LOAD]},
        "cpu_ms_per_request": {"bare Flask JSON": 0.5},
    }  # fmt: skip
    lines = todo_figures(data)
    assert lines[0].startswith("200 todos on sqlite, Redis from local, 2 workers x 4 threads, ")
    assert "medians of 3 rounds" in lines[0]
    assert lines[-1] == "Server CPU ms per request: bare Flask JSON 0.500."


def test_the_notes_benchmark_shows_search_latency_and_recall() -> None:
    search = {"n": 100000, "exact_p50_ms": 12.0, "hnsw_p50_ms": 1.5, "recall_at_10": 0.97}
    data = {
        "when": "W", "machine": "M", "embed": [{"kind": "sentences", "texts": 64, "seconds": 2.0}],
        "search": [search], "ingest": "left out: no PostgreSQL",
    }  # fmt: skip
    assert notes_figures(data)[2:] == [
        "- embedding 64 sentences: 32.0/s",
        "- search over 100,000 chunks: exact p50 12.00 ms, HNSW p50 1.50 ms, recall@10 0.970",
        "- ingestion: left out: no PostgreSQL",
    ]


def test_the_evaluation_shows_hit_rates_and_grounding() -> None:
    data = {
        "methods": [{"method": "embeddings", "hit@1": 0.8, "hit@3": 0.95, "n": 20}],
        "grounding": {"rate": 0.9, "grounded": 9, "n": 10, "failures": []},
        "misses": [],
    }
    assert eval_figures(data)[2:] == [
        "| embeddings | 0.800 | 0.950 | 20 |",
        "",
        "Grounding: 9 of 10 answers grounded (0.900).",
    ]


def test_a_results_file_of_another_shape_is_reported_not_raised(repo: Path) -> None:
    write(repo, "eval-notes.json", {"scores": []})
    lines = results_section(repo, "Eval", "eval-notes.json", eval_figures)
    assert lines[-1] == "could not be read (KeyError: 'methods'); run the measurement again"
