"""``python -m portfolio.log`` (``make log``): regenerate the progress log and the heatmap.

Writes the table of all 45 days between the ``<!-- log:start -->`` and ``<!-- log:end -->``
markers of README.md, and docs/heatmap.svg. The output depends only on the repository (the plan,
the day folders and the git history), so running it twice gives byte-identical files and CI can
check that nobody forgot to run it: ``python -m portfolio.log --check`` exits 1 on a stale file.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portfolio.days import (
    REPO_ROOT,
    Day,
    FrontMatterError,
    Phase,
    Plan,
    PlanError,
    collect_days,
    load_plan,
)
from portfolio.heatmap import history_to_draw, read_day_commit_history, render_heatmap

START_MARKER = "<!-- log:start -->"
END_MARKER = "<!-- log:end -->"
README_PATH = "README.md"
HEATMAP_PATH = "docs/heatmap.svg"
PROJECTS = {"blog_api", "todo_api", "notes_ai"}
_MARKDOWN_SPECIALS = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<>|"})


class LogError(Exception):
    """The log cannot be written (README.md lacks its markers, say). The message says why."""


def progress_summary(days: Sequence[Day]) -> str:
    """``3 of 45 days done · 1 in progress · 41 planned`` (parts with zero days left out)."""
    counts = Counter(day.status for day in days)
    parts = [f"{counts['done']} of {len(days)} days done"]
    parts += [
        f"{counts[status]} {status}" for status in ("in progress", "planned") if counts[status]
    ]
    return " · ".join(parts)


def render_log(days: Sequence[Day], phases: Sequence[Phase]) -> str:
    """The Markdown that goes between the README markers: summary, heatmap, one table a phase."""
    lines = [
        "<!-- Written by `make log` from portfolio/syllabus.yaml and the day folders. -->",
        "",
        f"**{progress_summary(days)}**",
        "",
        f"![Commits to the day folders, per day]({HEATMAP_PATH})",
    ]
    by_number = {day.number: day for day in days}
    for phase in phases:
        lines += [
            "",
            f"### Days {phase.first:02d}–{phase.last:02d} · {_cell(phase.title)}",
            "",
            "| Day | Title | Topics | Capstone | Status |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            _table_row(by_number[number])
            for number in range(phase.first, phase.last + 1)
            if number in by_number
        ]
    return "\n".join(lines)


def _table_row(day: Day) -> str:
    number = f"{day.number:02d}"
    link = f"[{number}]({day.folder}/)" if day.has_folder else number
    topics = ", ".join(_cell(topic) for topic in day.topics)
    capstone = _capstone_cell(day.capstone)
    return f"| {link} | {_cell(day.title)} | {topics} | {capstone} | {day.status} |"


def _capstone_cell(capstone: str) -> str:
    if capstone in PROJECTS:
        return f"`{capstone}`"
    return "—" if capstone == "none" else _cell(capstone)


def _cell(text: str) -> str:
    # Front matter is free text; a stray `|` or `*` must not break the table or its formatting.
    return " ".join(text.split()).translate(_MARKDOWN_SPECIALS)


def replace_log_section(readme: str, section: str) -> str:
    """``readme`` with everything between the log markers replaced by ``section``."""
    if readme.count(START_MARKER) != 1 or readme.count(END_MARKER) != 1:
        raise LogError(
            f"{README_PATH} must hold exactly one {START_MARKER} and one {END_MARKER} line; "
            "put them where the log belongs"
        )
    start = readme.index(START_MARKER) + len(START_MARKER)
    end = readme.index(END_MARKER)
    if end < start:
        raise LogError(f"{README_PATH}: {END_MARKER} comes before {START_MARKER}; swap them")
    return f"{readme[:start]}\n{section}\n{readme[end:]}"


@dataclass(frozen=True)
class LogOutput:
    """The files the log consists of (relative path → content), and what to tell the reader."""

    files: dict[str, str]
    summary: str
    notes: tuple[str, ...] = ()


def expected_files(root: Path, plan: Plan | None = None) -> LogOutput:
    """What README.md and docs/heatmap.svg under ``root`` should contain.

    Without the full git history (no .git, a shallow clone) an existing heatmap is kept as it
    is: it was drawn from the real history, which this checkout cannot see.
    """
    plan = plan or load_plan()
    days = collect_days(root, plan)
    readme = _read(root / README_PATH)
    if readme is None:
        raise LogError(f"{root / README_PATH} is missing; the log is written into it")
    files = {README_PATH: replace_log_section(readme, render_log(days, plan.phases))}
    notes: tuple[str, ...] = ()
    history = read_day_commit_history(root)
    existing_heatmap = _read(root / HEATMAP_PATH)
    if history.complete or existing_heatmap is None:
        files[HEATMAP_PATH] = render_heatmap(history_to_draw(history))
    else:
        files[HEATMAP_PATH] = existing_heatmap
        notes = (f"kept {HEATMAP_PATH} as it is: {history.state.value} here",)
    return LogOutput(files, progress_summary(days), notes)


def stale_files(root: Path, files: dict[str, str]) -> list[str]:
    """The paths in ``files`` whose content under ``root`` differs (or that do not exist)."""
    return [path for path, content in files.items() if _read(root / path) != content]


def _read(path: Path) -> str | None:
    # newline="" keeps the file's line endings, so the untouched part of README stays byte-exact.
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(content)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m portfolio.log``."""
    parser = argparse.ArgumentParser(
        prog="python -m portfolio.log",
        description=(
            f"Regenerate the progress table in {README_PATH} (between {START_MARKER} and "
            f"{END_MARKER}) and {HEATMAP_PATH} from the plan, the day folders and git history."
        ),
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming the files that are out of date",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="the repository to read and write (default: this checkout)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status (0 written or up to date, 1 stale, 2 error)."""
    args = build_parser().parse_args(argv)
    root: Path = args.root
    try:
        output = expected_files(root)
    except (LogError, PlanError, FrontMatterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    stale = stale_files(root, output.files)
    if args.check:
        if stale:
            print(
                f"out of date: {', '.join(stale)}; run `make log` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{' and '.join(output.files)} are up to date ({output.summary})")
        return 0
    for path in stale:
        _write(root / path, output.files[path])
    for note in output.notes:
        print(note)
    written = f"updated {', '.join(stale)}" if stale else "nothing to update"
    print(f"{written} ({output.summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
