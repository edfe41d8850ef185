"""portfolio.progress: practice mode's progress file, read for the /practice page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portfolio.progress import read_progress


def progress_file(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / ".progress.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return path


def day(passed: int = 2, total: int = 3, **extra: Any) -> dict[str, Any]:
    statuses = ["passed"] * passed + ["failing"] + ["todo"] * (total - passed - 1)
    return {
        "checked_at": "2026-12-02T21:30:00Z",
        "passed": passed,
        "total": total,
        "tasks": [
            {"number": n, "title": f"task {n}", "status": status}
            for n, status in enumerate(statuses[:total], start=1)
        ],
        **extra,
    }


def test_a_missing_file_says_how_to_start(tmp_path: Path):
    progress = read_progress(tmp_path / "absent.json")
    assert progress.days == () and not progress.broken
    assert progress.note == "No practice yet: run make practice-day01."


def test_each_checked_day_is_read_with_its_tasks(tmp_path: Path):
    path = progress_file(tmp_path, {"version": 1, "days": {"day05": day(2, 3)}})
    (day05,) = read_progress(path).days
    assert (day05.day, day05.passed, day05.total, day05.percent) == ("day05", 2, 3, 67)
    assert day05.checked_at == datetime(2026, 12, 2, 21, 30, tzinfo=UTC)
    assert [(t.number, t.title, t.status) for t in day05.tasks] == [
        (1, "task 1", "passed"),
        (2, "task 2", "passed"),
        (3, "task 3", "failing"),
    ]


def test_days_come_in_day_order_and_tasks_in_number_order(tmp_path: Path):
    late = day(1, 2)
    late["tasks"].reverse()
    document = {"version": 1, "days": {"day12": late, "day03": day(0, 1)}}
    progress = read_progress(progress_file(tmp_path, document))
    assert [d.day for d in progress.days] == ["day03", "day12"]
    assert [t.number for t in progress.days[1].tasks] == [1, 2]


def test_totals_add_up_across_days(tmp_path: Path):
    document = {"version": 1, "days": {"day01": day(3, 3), "day02": day(1, 4)}}
    progress = read_progress(progress_file(tmp_path, document))
    assert (progress.passed, progress.total) == (4, 7)
    assert [d.complete for d in progress.days] == [True, False]


def test_unknown_extra_fields_are_ignored(tmp_path: Path):
    document = {"version": 1, "days": {"day01": day(1, 2, duration_s=3.5)}, "tool": "x"}
    assert read_progress(progress_file(tmp_path, document)).note is None


def test_an_empty_days_map_says_no_day_is_checked_yet(tmp_path: Path):
    progress = read_progress(progress_file(tmp_path, {"version": 1, "days": {}}))
    assert progress.note is not None and progress.note.startswith("No day checked yet")
    assert not progress.broken


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("{not json", "not JSON"),
        ([1, 2], "the top level"),
        ({"version": 2, "days": {}}, "version"),
        ({"version": 1, "days": {"day01": {**day(), "checked_at": "yesterday"}}}, "checked_at"),
        ({"version": 1, "days": {"day01": {**day(), "passed": -1}}}, "passed"),
        (
            {"version": 1, "days": {"day01": day() | {"tasks": [{"number": 1, "title": "t",
                                                                  "status": "skipped"}]}}},
            "status",
        ),
    ],
)  # fmt: skip
def test_a_malformed_file_is_a_note_naming_the_problem(tmp_path: Path, document, reason):
    progress = read_progress(progress_file(tmp_path, document))
    assert progress.broken and progress.days == ()
    assert progress.note is not None
    assert ".progress.json could not be read" in progress.note and reason in progress.note


def test_a_file_that_is_not_utf8_is_a_note(tmp_path: Path):
    path = tmp_path / ".progress.json"
    path.write_bytes(b"\xff\xfe{")
    assert read_progress(path).broken
