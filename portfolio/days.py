"""The 45 days as data: the plan in syllabus.yaml, overlaid with what the day folders hold.

A day is ``done`` when its folder has a README.md, a __main__.py and at least one test module;
``in progress`` when the folder exists without all three; ``planned`` otherwise. A day README's
front matter (``day``, ``title``, ``topics``, ``capstone``) wins over the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

PLAN_PATH = Path(__file__).with_name("syllabus.yaml")
REPO_ROOT = Path(__file__).resolve().parent.parent
DAY_COUNT = 45
CAPSTONES = ("blog_api", "todo_api", "notes_ai", "repo CI", "none")
FRONT_MATTER_FIELDS = ("day", "title", "topics", "capstone")
PLAN_FIELDS = (*FRONT_MATTER_FIELDS, "exercise")

Status = Literal["done", "in progress", "planned"]

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


class PlanError(ValueError):
    """syllabus.yaml is malformed. The message names the file and what to fix."""


class FrontMatterError(ValueError):
    """A day README's front matter is missing or malformed. The message names the file."""


@dataclass(frozen=True)
class Phase:
    """A stretch of days with one theme, e.g. days 4–10, the Blog API."""

    title: str
    first: int
    last: int


@dataclass(frozen=True)
class PlannedDay:
    """One day as the plan describes it."""

    number: int
    title: str
    topics: tuple[str, ...]
    capstone: str
    exercise: str


@dataclass(frozen=True)
class Plan:
    """The whole syllabus: its phases and its 45 days, in order."""

    phases: tuple[Phase, ...]
    days: tuple[PlannedDay, ...]


@dataclass(frozen=True)
class FrontMatter:
    """The fields at the top of a day README."""

    day: int
    title: str
    topics: tuple[str, ...]
    capstone: str


@dataclass(frozen=True)
class Day:
    """One day as it stands in the repository."""

    number: int
    title: str
    topics: tuple[str, ...]
    capstone: str
    exercise: str
    status: Status
    has_folder: bool
    has_readme: bool

    @property
    def folder(self) -> str:
        """The folder name, ``day07`` for day 7."""
        return day_folder(self.number)


def day_folder(number: int) -> str:
    """The folder name of day ``number``: ``day07``."""
    return f"day{number:02d}"


def load_plan(path: Path = PLAN_PATH) -> Plan:
    """Read and validate the syllabus; raise :class:`PlanError` naming the file otherwise."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: not valid YAML ({_yaml_problem(exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise PlanError(f"{path}: expected a mapping with a 'days' list")
    days = tuple(_planned_day(path, index, entry) for index, entry in enumerate(data["days"], 1))
    if len(days) != DAY_COUNT:
        raise PlanError(f"{path}: expected {DAY_COUNT} days, found {len(days)}")
    phases = tuple(_phase(path, entry) for entry in data.get("phases") or [])
    covered = sorted(number for phase in phases for number in range(phase.first, phase.last + 1))
    if covered != list(range(1, DAY_COUNT + 1)):
        raise PlanError(f"{path}: the phases must cover days 1–{DAY_COUNT} once each, in order")
    return Plan(phases=phases, days=days)


def _planned_day(path: Path, expected: int, entry: Any) -> PlannedDay:
    where = f"{path}: day entry {expected}"
    if not isinstance(entry, dict):
        raise PlanError(f"{where}: expected a mapping, got {entry!r}")
    missing = [
        key for key in ("day", "title", "topics", "capstone", "exercise") if key not in entry
    ]
    if missing:
        raise PlanError(f"{where}: missing {', '.join(missing)}")
    if entry["day"] != expected:
        raise PlanError(f"{where}: day is {entry['day']!r}; days must run 1–{DAY_COUNT} in order")
    try:
        title = _text(entry["title"], "title")
        topics = _topics(entry["topics"])
        capstone = _capstone(entry["capstone"])
        exercise = _text(entry["exercise"], "exercise")
    except ValueError as exc:
        raise PlanError(f"{where}: {exc}") from None
    return PlannedDay(expected, title, topics, capstone, exercise)


def _phase(path: Path, entry: Any) -> Phase:
    span = entry.get("days") if isinstance(entry, dict) else None
    if (
        not isinstance(span, list)
        or len(span) != 2
        or not all(isinstance(number, int) for number in span)
        or not isinstance(entry.get("title"), str)
    ):
        raise PlanError(f"{path}: each phase needs a title and days: [first, last], got {entry!r}")
    return Phase(title=entry["title"], first=span[0], last=span[1])


def parse_front_matter(text: str, source: str) -> tuple[FrontMatter, str]:
    """Split a day README into its front matter and the Markdown body after it.

    ``source`` names the file in errors (``day07/README.md``). Raises
    :class:`FrontMatterError` when the block is missing, unclosed, not YAML, or a field is wrong.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise FrontMatterError(
            f"{source}: no front matter; start the file with a '---' line, then "
            f"{', '.join(FRONT_MATTER_FIELDS)}, then another '---' line"
        )
    closing = _FENCE.search(text, 4)
    if closing is None:
        raise FrontMatterError(f"{source}: front matter is not closed; end it with a '---' line")
    block, body = text[4 : closing.start()], text[closing.end() :].lstrip("\n")
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise FrontMatterError(
            f"{source}: front matter is not valid YAML ({_yaml_problem(exc, offset=1)})"
        ) from None
    if not isinstance(data, dict):
        raise FrontMatterError(f"{source}: front matter must be 'key: value' lines, got {data!r}")
    missing = [key for key in FRONT_MATTER_FIELDS if key not in data]
    if missing:
        raise FrontMatterError(f"{source}: front matter is missing {', '.join(missing)}")
    try:
        front = FrontMatter(
            day=_day_number(data["day"]),
            title=_text(data["title"], "title"),
            topics=_topics(data["topics"]),
            capstone=_capstone(data["capstone"]),
        )
    except ValueError as exc:
        raise FrontMatterError(f"{source}: front matter {exc}") from None
    return front, body


def read_day_readme(root: Path, number: int) -> tuple[FrontMatter, str]:
    """Parse ``dayNN/README.md`` under ``root``; its ``day`` must match the folder."""
    folder = day_folder(number)
    source = f"{folder}/README.md"
    front, body = parse_front_matter((root / source).read_text(encoding="utf-8"), source)
    if front.day != number:
        raise FrontMatterError(
            f"{source}: front matter says day {front.day}, but the folder is {folder}"
        )
    return front, body


def day_status(root: Path, number: int) -> Status:
    """``done``, ``in progress`` or ``planned``, from the files in ``dayNN/`` under ``root``."""
    folder = root / day_folder(number)
    if not folder.is_dir():
        return "planned"
    has_tests = any(
        path.is_file() for path in [*folder.glob("test_*.py"), *folder.glob("tests/test_*.py")]
    )
    complete = (folder / "README.md").is_file() and (folder / "__main__.py").is_file()
    return "done" if complete and has_tests else "in progress"


def collect_days(root: Path = REPO_ROOT, plan: Plan | None = None) -> list[Day]:
    """All 45 days in order: the plan, overlaid with each existing day folder under ``root``."""
    plan = plan or load_plan()
    days = []
    for planned in plan.days:
        folder = root / day_folder(planned.number)
        has_readme = (folder / "README.md").is_file()
        title, topics, capstone = planned.title, planned.topics, planned.capstone
        if has_readme:
            front, _ = read_day_readme(root, planned.number)
            title, topics, capstone = front.title, front.topics, front.capstone
        days.append(
            Day(
                number=planned.number,
                title=title,
                topics=topics,
                capstone=capstone,
                exercise=planned.exercise,
                status=day_status(root, planned.number),
                has_folder=folder.is_dir(),
                has_readme=has_readme,
            )
        )
    return days


def _day_number(value: Any) -> int:
    # YAML reads `day: 07` as 7 but `day: 08` as the string "08" (not valid octal).
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= DAY_COUNT:
        raise ValueError(f"'day' must be a whole number from 1 to {DAY_COUNT}, got {value!r}")
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{field}' must be non-empty text, got {value!r}")
    return value.strip()


def _topics(value: Any) -> tuple[str, ...]:
    # A bare number is a fine topic (`[HTTP, 429]`); YAML hands it over as an int.
    items = value if isinstance(value, list) else []
    topics = tuple(
        str(item).strip() for item in items if isinstance(item, str | int) and str(item).strip()
    )
    if not topics or len(topics) != len(items) or any(isinstance(i, bool) for i in items):
        raise ValueError(f"'topics' must be a list like [routes, JSON errors], got {value!r}")
    return topics


def _capstone(value: Any) -> str:
    if value not in CAPSTONES:
        raise ValueError(f"'capstone' must be one of {', '.join(CAPSTONES)}; got {value!r}")
    return value


def _yaml_problem(exc: yaml.YAMLError, offset: int = 0) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    # The mark counts lines inside the parsed text; `offset` maps it back to the file's lines.
    return f"line {mark.line + 1 + offset}: {problem}" if mark else problem
