"""Practice mode's progress on this machine, as ``make check-dayNN`` records it.

``make check-dayNN`` writes ``practice/.progress.json`` under the repository root::

    {"version": 1, "days": {"day05": {"checked_at": "2026-12-02T21:30:00Z", "passed": 2,
     "total": 3, "tasks": [{"number": 1, "title": "count the words", "status": "passed"}]}}}

:func:`read_progress` turns it into :class:`Progress` for the ``/practice`` page. No file yet,
or one the page cannot read, is a :class:`Progress` with a note saying so, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError

#: Where the file lives, relative to the repository root.
PROGRESS_PATH = Path("practice") / ".progress.json"
FIRST_STEP = "make practice-day01"

Status = Literal["passed", "failing", "todo"]


class _Task(BaseModel):
    model_config = ConfigDict(extra="ignore")

    number: int = Field(ge=1)
    title: str
    status: Status


class _Day(BaseModel):
    model_config = ConfigDict(extra="ignore")

    checked_at: datetime
    passed: NonNegativeInt
    total: NonNegativeInt
    tasks: list[_Task]


class _File(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: Literal[1]
    days: dict[str, _Day]


@dataclass(frozen=True)
class PracticeTask:
    """One task of a day, as the last check left it."""

    number: int
    title: str
    status: Status


@dataclass(frozen=True)
class DayProgress:
    """One day's last check: how many of its tasks pass, and each task's status."""

    day: str
    checked_at: datetime
    passed: int
    total: int
    tasks: tuple[PracticeTask, ...]

    @property
    def percent(self) -> int:
        """The share of tasks that pass, 0 to 100 (0 for a day without tasks)."""
        return round(100 * self.passed / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def checked(self) -> str:
        """``2026-12-02 21:30 UTC``."""
        return self.checked_at.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Progress:
    """Every day checked so far (in day order), or a note saying why there is nothing to show."""

    days: tuple[DayProgress, ...] = ()
    note: str | None = None
    broken: bool = field(default=False)

    @property
    def passed(self) -> int:
        return sum(day.passed for day in self.days)

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)


def read_progress(path: Path) -> Progress:
    """The progress recorded in ``path``: missing means no practice yet, malformed says why."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress(note=f"No practice yet: run {FIRST_STEP}.")
    except OSError as error:
        return _broken(path, error.strerror or str(error))
    except UnicodeDecodeError:
        return _broken(path, "not UTF-8 text")
    try:
        document = _File.model_validate(json.loads(text))
    except ValueError as error:  # json.JSONDecodeError and pydantic's ValidationError alike
        return _broken(path, _reason(error))
    days = tuple(
        DayProgress(
            day=name,
            checked_at=entry.checked_at,
            passed=entry.passed,
            total=entry.total,
            tasks=tuple(
                PracticeTask(task.number, task.title, task.status)
                for task in sorted(entry.tasks, key=lambda task: task.number)
            ),
        )
        for name, entry in sorted(document.days.items())
    )
    if not days:
        return Progress(note=f"No day checked yet: run {FIRST_STEP}, then make check-day01.")
    return Progress(days=days)


def _broken(path: Path, reason: str) -> Progress:
    return Progress(
        note=(
            f"{path.name} could not be read ({reason}). Run make check-dayNN again to rewrite"
            " it, or delete it to start over."
        ),
        broken=True,
    )


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        return f"{where}: {first['msg']}"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at line {error.lineno}"
    return str(error)
