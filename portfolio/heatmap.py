"""A contribution-style calendar of the commits that touched the day folders.

Everything drawn comes from ``git log``: the committer date of each commit that changed a
``dayNN/`` folder, counted per date. The calendar runs from the first such date to the last,
padded to whole weeks (Sunday to Saturday), and never looks at today's date, so the same history
always gives the same SVG. See :func:`history_to_draw` for the one commit it leaves out.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

#: Every file inside a two-digit day folder (a plain `day[0-9][0-9]` pathspec matches no files).
DAY_PATHSPEC = ":(glob)day[0-9][0-9]/**"

CELL = 11
STEP = 14
LEFT = 30
TOP = 20
MIN_WIDTH = 360
EMPTY_WEEKS = 7
#: The fewest commits that reach colour levels 1 to 4: 1, 2, 3–4, 5 or more.
LEVEL_FLOORS = (1, 2, 3, 5)
LEGEND_LABELS = ("no commits", "1 commit", "2 commits", "3–4 commits", "5 or more commits")
WEEKDAY_LABELS = ((1, "Mon"), (3, "Wed"), (5, "Fri"))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

STYLE = """
.hm-text{font:10px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#57606a}
.hm-l0{fill:#ebedf0}.hm-l1{fill:#9be9a8}.hm-l2{fill:#40c463}.hm-l3{fill:#30a14e}.hm-l4{fill:#216e39}
.hm-blank{fill:none;stroke:#d0d7de}
@media (prefers-color-scheme: dark){
.hm-text{fill:#8b949e}
.hm-l0{fill:#161b22}.hm-l1{fill:#0e4429}.hm-l2{fill:#006d32}.hm-l3{fill:#26a641}.hm-l4{fill:#39d353}
.hm-blank{stroke:#30363d}
}
""".strip()


class HistoryState(Enum):
    """Whether the day commits could be read, and if not, why."""

    FOUND = "found"
    NO_COMMITS = "no day commits yet"
    NO_GIT = "no git history"
    SHALLOW = "shallow clone"


TITLE = "Commits to the day folders, per day"
EMPTY_CAPTIONS = {
    HistoryState.NO_COMMITS: "No day commits yet.",
    HistoryState.NO_GIT: "No git history here, so no day commits to show.",
    HistoryState.SHALLOW: "Shallow clone: no day commits to show (git fetch --unshallow).",
}


@dataclass(frozen=True)
class DayCommitHistory:
    """Commits that touched a day folder, as git lists them (newest first)."""

    state: HistoryState
    #: The committer date of each commit, newest first.
    dates: tuple[date, ...] = ()
    #: True when a day folder holds changes (or new files) not committed yet.
    uncommitted: bool = False

    @property
    def counts(self) -> dict[date, int]:
        """Commits per committer date, in date order."""
        return dict(sorted(Counter(self.dates).items()))

    @property
    def complete(self) -> bool:
        """True when git gave the whole history (or proved there is none yet)."""
        return self.state in (HistoryState.FOUND, HistoryState.NO_COMMITS)


def read_day_commit_history(root: Path) -> DayCommitHistory:
    """Run ``git log`` in ``root`` for the commits touching ``dayNN/`` folders.

    ``root`` must be the top of a work tree; otherwise, or without git, or in a shallow clone
    (whose history is cut short), the result says so and holds no dates.
    """
    toplevel = _git(root, "rev-parse", "--show-toplevel")
    if toplevel is None or Path(toplevel.strip()).resolve() != root.resolve():
        return DayCommitHistory(HistoryState.NO_GIT)
    if (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
        return DayCommitHistory(HistoryState.SHALLOW)
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", DAY_PATHSPEC)
    uncommitted = bool(status and status.strip())
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return DayCommitHistory(HistoryState.NO_COMMITS, uncommitted=uncommitted)
    output = _git(root, "log", "--no-merges", "--format=%cs", "--", DAY_PATHSPEC)
    if output is None:
        return DayCommitHistory(HistoryState.NO_GIT)
    dates = tuple(date.fromisoformat(line) for line in output.split())
    state = HistoryState.FOUND if dates else HistoryState.NO_COMMITS
    return DayCommitHistory(state, dates, uncommitted)


def history_to_draw(history: DayCommitHistory) -> DayCommitHistory:
    """The part of ``history`` that the committed docs/heatmap.svg shows.

    The heatmap is committed together with the day work it records, so it cannot count the
    commit that carries it. While a day folder has uncommitted changes, that commit is still to
    come and every existing one is drawn; on a clean tree the newest day commit is the one that
    carried the file, and it is left out. Either way, a clean checkout redraws the committed file
    byte for byte, which is what lets CI check that ``make log`` leaves no diff.
    """
    if history.uncommitted or not history.dates:
        return history
    rest = history.dates[1:]
    state = HistoryState.FOUND if rest else HistoryState.NO_COMMITS
    return DayCommitHistory(state, rest, history.uncommitted)


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def calendar_range(counts: dict[date, int]) -> tuple[date, date]:
    """First Sunday on or before the first commit date, last Saturday on or after the last."""
    first, last = min(counts), max(counts)
    # date.weekday(): Monday is 0, Sunday is 6; the calendar's rows run Sunday to Saturday.
    start = first - timedelta(days=(first.weekday() + 1) % 7)
    end = last + timedelta(days=(5 - last.weekday()) % 7)
    return start, end


def level(commits: int) -> int:
    """The colour level, 0 to 4, of a day with ``commits`` commits."""
    return sum(commits >= floor for floor in LEVEL_FLOORS)


def render_heatmap(history: DayCommitHistory) -> str:
    """The SVG calendar of ``history``; an empty grid and a caption saying why if it has none."""
    counts = history.counts
    if counts:
        start, end = calendar_range(counts)
        weeks = ((end - start).days + 1) // 7
        total = sum(counts.values())
        first, last = min(counts).isoformat(), max(counts).isoformat()
        caption = (
            f"{_plural(total, 'commit')} on {first}"
            if first == last
            else f"{_plural(total, 'commit')} on {_plural(len(counts), 'day')}, {first} to {last}"
        )
    else:
        weeks = EMPTY_WEEKS
        caption = EMPTY_CAPTIONS.get(history.state, EMPTY_CAPTIONS[HistoryState.NO_COMMITS])
    grid_bottom = TOP + 7 * STEP
    width = max(LEFT + weeks * STEP + 10, MIN_WIDTH)
    height = grid_bottom + 44

    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="hm-title hm-desc">',
        f'<title id="hm-title">{escape(TITLE)}</title>',
        f'<desc id="hm-desc">{escape(caption)}</desc>',
        f"<style>{STYLE}</style>",
    ]
    lines += [_text(0, TOP + row * STEP + CELL - 1, name) for row, name in WEEKDAY_LABELS]
    lines += _month_labels(start, weeks) if counts else []
    lines.append('<g class="hm-days">')
    lines += _cells(start, end, counts) if counts else _blank_cells(weeks)
    lines.append("</g>")
    lines.append(_text(LEFT, grid_bottom + 14, caption))
    lines.append('<g class="hm-legend">')
    lines += _legend(LEFT, grid_bottom + 24)
    lines.append("</g>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _blank_cells(weeks: int) -> list[str]:
    return [
        f'<rect class="hm-blank" x="{LEFT + week * STEP + 0.5}" y="{TOP + row * STEP + 0.5}" '
        f'width="{CELL - 1}" height="{CELL - 1}" rx="2"/>'
        for week in range(weeks)
        for row in range(7)
    ]


def _cells(start: date, end: date, counts: dict[date, int]) -> list[str]:
    cells = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        commits = counts.get(day, 0)
        x, y = LEFT + (offset // 7) * STEP, TOP + (offset % 7) * STEP
        cells.append(
            f'<rect class="hm-l{level(commits)}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
            f'rx="2"><title>{day.isoformat()}: {_plural(commits, "commit")}</title></rect>'
        )
    return cells


def _month_labels(start: date, weeks: int) -> list[str]:
    labels: list[tuple[int, str]] = []
    for week in range(weeks):
        sunday = start + timedelta(days=week * 7)
        first_of_month = next(
            (day for day in (sunday + timedelta(days=row) for row in range(7)) if day.day == 1),
            None,
        )
        if week == 0 or first_of_month:
            # Labels closer than three columns would overprint; the later month wins.
            if labels and week - labels[-1][0] < 3:
                labels.pop()
            labels.append((week, MONTHS[(first_of_month or sunday).month - 1]))
    return [_text(LEFT + week * STEP, TOP - 6, name) for week, name in labels]


def _legend(x: int, y: int) -> list[str]:
    parts = [_text(x, y + CELL - 1, "Less")]
    x += 28
    for index, label in enumerate(LEGEND_LABELS):
        parts.append(
            f'<rect class="hm-l{index}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2">'
            f"<title>{escape(label)}</title></rect>"
        )
        x += STEP
    parts.append(_text(x + 2, y + CELL - 1, "More"))
    return parts


def _text(x: float, y: float, content: str) -> str:
    position = f"x={quoteattr(str(x))} y={quoteattr(str(y))}"
    return f'<text class="hm-text" {position}>{escape(content)}</text>'


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
