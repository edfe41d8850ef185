"""The retrospective, from this repository's own measurements: nothing in it is typed by hand.

- days and phases: :func:`portfolio.days.collect_days` and the plan;
- tests per day: the ``<!-- tests: dayNN -->`` block of each day README, which
  ``portfolio.lessons`` fills from ``pytest --collect-only`` (read with its own ``find_blocks``);
- the capstones' figures: ``docs/results/bench-blog.json``, ``bench-todo.json`` and
  ``bench-notes.json`` (``python -m bench.<name> --json FILE``) and ``eval-notes.json``
  (``python -m projects.notes_ai.evaluation --json``); a file that is not there yet is
  "not measured yet";
- mutation scores: ``docs/mutation-results.json``, through :mod:`portfolio.mutation`.

Day 45 itself is left out of the per-day figures: its README holds this very output, so
counting it would make the output depend on the last time it was written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio.days import DAY_COUNT, REPO_ROOT, collect_days, load_plan
from portfolio.lessons import LessonError, find_blocks
from portfolio.mutation import load_results

RESULTS = "docs/results"
NOT_MEASURED = "not measured yet"
SELF = DAY_COUNT
#: How portfolio.lessons words a tests block: "`pytest day07` runs 73 tests."
_COUNT = re.compile(r"runs (\d+) tests?\.")


@dataclass(frozen=True)
class DayLine:
    """One day's row: its status, the tests its README counts, its mutation score."""

    number: int
    title: str
    status: str
    tests: int | None
    killed: int | None
    mutants: int | None


def readme_test_count(text: str, where: str) -> int | None:
    """The tests a README's ``<!-- tests: ... -->`` blocks count, None without such a block."""
    try:
        blocks = [block for block in find_blocks(text, where) if block.kind == "tests"]
    except LessonError:
        return None
    counts = [_COUNT.search(block.text) for block in blocks]
    found = [int(match[1]) for match in counts if match]
    return sum(found) if found else None


def day_lines(root: Path) -> list[DayLine]:
    """Days 1 to 44 as they stand under ``root``."""
    mutation = load_results(root)
    lines = []
    for day in collect_days(root):
        if day.number == SELF:
            continue
        readme = root / day.folder / "README.md"
        tests = (
            readme_test_count(readme.read_text(encoding="utf-8"), f"{day.folder}/README.md")
            if readme.is_file()
            else None
        )
        result = mutation.get(day.folder)
        lines.append(
            DayLine(
                number=day.number,
                title=day.title,
                status=day.status,
                tests=tests,
                killed=result.killed if result else None,
                mutants=result.total if result else None,
            )
        )
    return lines


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _days_section(lines: list[DayLine]) -> list[str]:
    done = [line for line in lines if line.status == "done"]
    started = [line for line in lines if line.status == "in progress"]
    counted = [line.tests for line in lines if line.tests is not None]
    out = [
        "## Days",
        "",
        f"{len(done)} of {len(lines)} days done (days 1 to {SELF - 1}), {len(started)} in "
        f"progress, {len(lines) - len(done) - len(started)} planned; the day READMEs count "
        f"{sum(counted):,} tests.",
        "",
        "| Phase | Days done | Tests |",
        "|---|---:|---:|",
    ]
    by_number = {line.number: line for line in lines}
    for phase in load_plan().phases:
        days = [by_number[n] for n in range(phase.first, phase.last + 1) if n in by_number]
        finished = sum(line.status == "done" for line in days)
        tests = sum(line.tests or 0 for line in days)
        out.append(
            f"| {phase.title} ({phase.first}-{phase.last}) | {finished}/{len(days)} | {tests:,} |"
        )
    out += ["", "| Day | Title | Status | Tests | Mutants killed |", "|---:|---|---|---:|---:|"]
    for line in lines:
        tests = "-" if line.tests is None else str(line.tests)
        mutants = (
            "-"
            if line.mutants is None or line.killed is None
            else f"{line.killed}/{line.mutants} ({_percent(line.killed, line.mutants)})"
        )
        out.append(f"| {line.number:02d} | {line.title} | {line.status} | {tests} | {mutants} |")
    return out


def _load_runs(runs: dict[str, Any]) -> list[str]:
    baseline = runs.get("bare Flask JSON", {}).get("requests_per_second")
    rows = [
        "| Endpoint | req/s | p50 ms | p99 ms | errors | vs bare |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, run in runs.items():
        rps = float(run["requests_per_second"])
        ratio = f"{rps / baseline:.2f}" if baseline else "-"
        rows.append(
            f"| {name} | {rps:,.0f} | {float(run['p50_ms']):.2f} | {float(run['p99_ms']):.2f} "
            f"| {int(run['errors'])} | {ratio} |"
        )
    return rows


def blog_figures(data: dict[str, Any]) -> list[str]:
    """``bench-blog.json``: requests per second and latency of the article list."""
    head = (
        f"{data['articles']:,} articles on {data['database']}, measured {data['when']} on "
        f"{data['machine']}:"
    )
    return [head, "", *_load_runs(data["runs"])]


def todo_figures(data: dict[str, Any]) -> list[str]:
    """``bench-todo.json``: the medians of the rounds, and server CPU per request."""
    head = (
        f"{data['todos']:,} todos on {data['database']}, Redis from {data['redis']}, "
        f"{data['workers']} workers x {data['threads']} threads, medians of "
        f"{len(next(iter(data['rounds'].values()), []))} rounds, measured {data['when']} on "
        f"{data['machine']}:"
    )
    cpu = data.get("cpu_ms_per_request") or {}
    spent = [f"{name} {ms:.3f}" for name, ms in cpu.items() if ms]
    tail = [f"Server CPU ms per request: {', '.join(spent)}."] if spent else []
    return [head, "", *_load_runs(data["median"]), "", *tail]


def notes_figures(data: dict[str, Any]) -> list[str]:
    """``bench-notes.json``: embedding speed, vector search (exact and HNSW) and ingestion."""
    out = [f"Measured {data['when']} on {data['machine']}:", ""]
    for embed in data.get("embed") or []:
        out.append(
            f"- embedding {embed['texts']} {embed['kind']}: "
            f"{embed['texts'] / embed['seconds']:.1f}/s"
        )
    search = data.get("search")
    if isinstance(search, list):
        for row in search:
            out.append(
                f"- search over {row['n']:,} chunks: exact p50 {row['exact_p50_ms']:.2f} ms, "
                f"HNSW p50 {row['hnsw_p50_ms']:.2f} ms, recall@10 {row['recall_at_10']:.3f}"
            )
    elif isinstance(search, str):
        out.append(f"- search: {search}")
    ingest = data.get("ingest")
    if isinstance(ingest, dict):
        out.append(
            f"- ingestion: {ingest['notes']} notes in {ingest['seconds']:.1f} s "
            f"({ingest['notes'] / ingest['seconds']:.1f} notes/s, {ingest['failures']} failed)"
        )
    elif isinstance(ingest, str):
        out.append(f"- ingestion: {ingest}")
    return out


def eval_figures(data: dict[str, Any]) -> list[str]:
    """``eval-notes.json``: hit@1 and hit@3 of each retrieval method, and the grounding rate."""
    out = ["| Method | hit@1 | hit@3 | questions |", "|---|---:|---:|---:|"]
    for method in data["methods"]:
        out.append(
            f"| {method['method']} | {method['hit@1']:.3f} | {method['hit@3']:.3f} "
            f"| {method['n']} |"
        )
    grounding = data.get("grounding") or {}
    if grounding.get("rate") is not None:
        out += [
            "",
            f"Grounding: {grounding['grounded']} of {grounding['n']} answers grounded "
            f"({grounding['rate']:.3f}).",
        ]
    return out


CAPSTONE_FILES: tuple[tuple[str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("Blog API: load", "bench-blog.json", blog_figures),
    ("Todo API: load", "bench-todo.json", todo_figures),
    ("AI Notes API: speed", "bench-notes.json", notes_figures),
    ("AI Notes API: retrieval quality", "eval-notes.json", eval_figures),
)


def results_section(
    root: Path, title: str, name: str, render: Callable[..., list[str]]
) -> list[str]:
    """One results file as Markdown: its figures, "not measured yet", or why it is unreadable."""
    where = f"{RESULTS}/{name}"
    out = [f"### {title} (`{where}`)", ""]
    path = root / where
    if not path.is_file():
        return [*out, NOT_MEASURED]
    try:
        return [*out, *render(json.loads(path.read_text(encoding="utf-8")))]
    except (ValueError, KeyError, TypeError, AttributeError, ZeroDivisionError) as error:
        kind = type(error).__name__
        return [*out, f"could not be read ({kind}: {error}); run the measurement again"]


def _mutation_section(lines: list[DayLine]) -> list[str]:
    tested = [line for line in lines if line.mutants]
    if not tested:
        return ["## Mutation testing", "", NOT_MEASURED]
    killed = sum(line.killed or 0 for line in tested)
    mutants = sum(line.mutants or 0 for line in tested)
    weakest = min(tested, key=lambda line: (line.killed or 0) / (line.mutants or 1))
    return [
        "## Mutation testing",
        "",
        f"{len(tested)} days mutation-tested: {killed:,} of {mutants:,} mutants killed "
        f"({_percent(killed, mutants)}); the lowest score is day {weakest.number:02d}'s, "
        f"{_percent(weakest.killed or 0, weakest.mutants or 0)}.",
    ]


def render(root: Path = REPO_ROOT) -> str:
    """The whole retrospective as Markdown."""
    lines = day_lines(root)
    out = [
        "# Retrospective: the 45 days in numbers",
        "",
        "Written by `python -m day45 retro --write` from the repository itself; do not edit.",
        "",
        *_days_section(lines),
        "",
        "## Capstones",
    ]
    for title, name, render_file in CAPSTONE_FILES:
        out += ["", *results_section(root, title, name, render_file)]
    out += ["", *_mutation_section(lines)]
    return "\n".join(out).rstrip() + "\n"
