"""Every written day's lesson has the same shape, and every day can be practised.

A lesson's sections come in one order (Goal · What I built · Run it · Test it · Try it · Key
takeaways · Further reading), and its Try it section says how to start and check the day in
practice mode and gives two to four numbered tasks, each with a hint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portfolio import practice
from portfolio.days import REPO_ROOT

SECTIONS = [
    "Goal",
    "What I built",
    "Run it",
    "Test it",
    "Try it",
    "Key takeaways",
    "Further reading",
]
WRITTEN_DAYS = [
    folder.name
    for folder in sorted(REPO_ROOT.glob("day[0-9][0-9]"))
    if (folder / "__main__.py").is_file()
]
_FENCED = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_TASK = re.compile(r"^(\d+)\. ", re.MULTILINE)


def sections(readme: Path) -> dict[str, str]:
    """The README's ``##`` sections by heading, in order, outside code fences."""
    text = _FENCED.sub("", readme.read_text(encoding="utf-8"))
    parts = re.split(r"^## (.+?)[ \t]*$", text, flags=re.MULTILINE)
    return {heading: body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_day_of_the_log_is_written() -> None:
    missing = sorted({f"day{number:02d}" for number in range(1, 46)} - set(WRITTEN_DAYS))
    assert missing == []


@pytest.mark.parametrize("day", WRITTEN_DAYS)
def test_the_day_marks_practice_tasks(day: str) -> None:
    tasks = practice.day_tasks(REPO_ROOT / day)
    assert 2 <= len(tasks) <= 4, f"{day} has {len(tasks)} practice tasks"


@pytest.mark.parametrize("day", WRITTEN_DAYS)
def test_the_lesson_has_its_sections_in_order(day: str) -> None:
    assert list(sections(REPO_ROOT / day / "README.md")) == SECTIONS


@pytest.mark.parametrize("day", WRITTEN_DAYS)
def test_try_it_names_the_commands_and_numbers_its_tasks_with_hints(day: str) -> None:
    try_it = sections(REPO_ROOT / day / "README.md").get("Try it", "")
    assert f"make practice-{day}" in try_it and f"make check-{day}" in try_it
    numbers = [int(number) for number in _TASK.findall(try_it)]
    assert numbers == list(range(1, len(numbers) + 1)) and 2 <= len(numbers) <= 4, numbers
    tasks = _TASK.split(try_it)[2::2]
    assert all("*Hint:*" in task for task in tasks), [task[:60] for task in tasks]
