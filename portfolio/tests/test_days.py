"""portfolio.days: the plan, the status rules and the front matter of day READMEs."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.days import (
    CAPSTONES,
    DAY_COUNT,
    PLAN_PATH,
    FrontMatterError,
    PlanError,
    collect_days,
    day_status,
    load_plan,
    parse_front_matter,
    read_day_readme,
)
from portfolio.tests.builders import front_matter


def test_plan_lists_the_45_days_in_order():
    plan = load_plan()
    assert [day.number for day in plan.days] == list(range(1, DAY_COUNT + 1))


def test_every_planned_day_has_a_title_topics_a_known_capstone_and_an_exercise():
    for day in load_plan().days:
        assert day.title and day.topics and day.exercise, f"day {day.number} is incomplete: {day}"
        assert day.capstone in CAPSTONES, f"day {day.number}: unknown capstone {day.capstone!r}"


def test_plan_phases_cover_every_day_once_in_order():
    phases = load_plan().phases
    covered = [number for phase in phases for number in range(phase.first, phase.last + 1)]
    assert covered == list(range(1, DAY_COUNT + 1)), [(p.first, p.last) for p in phases]


def test_a_plan_with_a_missing_day_is_an_error_naming_the_file(tmp_path: Path):
    text = PLAN_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "syllabus.yaml"
    broken.write_text(text.replace("  - day: 45\n", "  - day: 46\n"), encoding="utf-8")
    with pytest.raises(PlanError, match=r"syllabus\.yaml: day entry 45: day is 46"):
        load_plan(broken)


def test_a_day_without_a_folder_is_planned(repo: Path):
    assert day_status(repo, 5) == "planned"


def test_a_file_named_like_a_day_folder_does_not_make_the_day_started(repo: Path):
    (repo / "day05").write_text("not a folder", encoding="utf-8")
    assert day_status(repo, 5) == "planned"


@pytest.mark.parametrize("test_module", ["test_exercise.py", "tests/test_exercise.py"])
def test_a_day_with_readme_main_and_a_test_module_is_done(repo: Path, add_day, test_module: str):
    add_day(5, test=test_module)
    assert day_status(repo, 5) == "done"


@pytest.mark.parametrize(
    "missing",
    [{"readme": None}, {"main": False}, {"test": None}, {"test": "exercise_test.py"}],
    ids=["no README", "no __main__", "no test module", "test module misnamed"],
)
def test_a_day_folder_missing_a_required_file_is_in_progress(repo: Path, add_day, missing: dict):
    add_day(5, **missing)
    assert day_status(repo, 5) == "in progress"


def test_front_matter_gives_its_fields_and_the_body_after_it():
    text = front_matter(7, "Relationships", ["one-to-many", "N+1"], "blog_api") + "# Day 07\n"
    front, body = parse_front_matter(text, "day07/README.md")
    assert (front.day, front.title, front.topics, front.capstone) == (
        7,
        "Relationships",
        ("one-to-many", "N+1"),
        "blog_api",
    )
    assert body == "# Day 07\n"


@pytest.mark.parametrize("written", ["08", "'08'", "8"])
def test_front_matter_reads_day_eight_however_it_is_written(written: str):
    # YAML reads 07 as octal 7 but 08 as a string; both mean the folder's day.
    text = f"---\nday: {written}\ntitle: T\ntopics: [a]\ncapstone: none\n---\n"
    front, _ = parse_front_matter(text, "day08/README.md")
    assert front.day == 8, f"day: {written} gave {front.day!r}"


def test_front_matter_accepts_a_number_as_a_topic():
    text = "---\nday: 20\ntitle: Limits\ntopics: [sliding window, 429]\ncapstone: none\n---\n"
    front, _ = parse_front_matter(text, "day20/README.md")
    assert front.topics == ("sliding window", "429")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Day 07\n", "no front matter; start the file with a '---' line"),
        ("---\nday: 7\ntitle: T\n", "front matter is not closed"),
        ("---\nday: 7\ntitle: [unclosed\n---\n", "front matter is not valid YAML (line"),
        ("---\n- just\n- a list\n---\n", "front matter must be 'key: value' lines"),
        ("---\nday: 7\ntitle: T\n---\n", "front matter is missing topics, capstone"),
        ("---\nday: 7\ntitle: T\ntopics: a, b\ncapstone: none\n---\n", "'topics' must be a list"),
        ("---\nday: 7\ntitle: T\ntopics: []\ncapstone: none\n---\n", "'topics' must be a list"),
        ("---\nday: 7\ntitle: ''\ntopics: [a]\ncapstone: none\n---\n", "'title' must be non-empty"),
        ("---\nday: 7\ntitle: T\ntopics: [a]\ncapstone: blog\n---\n", "'capstone' must be one of"),
        ("---\nday: 46\ntitle: T\ntopics: [a]\ncapstone: none\n---\n", "'day' must be a whole"),
        ("---\nday: seven\ntitle: T\ntopics: [a]\ncapstone: none\n---\n", "'day' must be a whole"),
    ],
    ids=[
        "none",
        "unclosed",
        "bad YAML",
        "not a mapping",
        "missing fields",
        "topics not a list",
        "no topics",
        "empty title",
        "unknown capstone",
        "day out of range",
        "day not a number",
    ],
)
def test_malformed_front_matter_is_an_error_naming_the_file(text: str, expected: str):
    with pytest.raises(FrontMatterError) as caught:
        parse_front_matter(text, "day07/README.md")
    message = str(caught.value)
    assert message.startswith("day07/README.md: "), message
    assert expected in message, f"expected {expected!r} in {message!r}"
    assert "\n" not in message, f"the error should be one line: {message!r}"


def test_a_readme_whose_day_differs_from_its_folder_is_an_error(repo: Path, add_day):
    add_day(7, readme=front_matter(8))
    with pytest.raises(FrontMatterError, match=r"day07/README\.md: .*says day 8.*folder is day07"):
        read_day_readme(repo, 7)


def test_front_matter_title_topics_and_capstone_win_over_the_plan(repo: Path, add_day):
    add_day(4, readme=front_matter(4, "My own title", ["my topic"], "none"))
    day = collect_days(repo)[3]
    planned = load_plan().days[3]
    assert (day.title, day.topics, day.capstone) == ("My own title", ("my topic",), "none")
    assert (planned.title, planned.capstone) != ("My own title", "none")


def test_a_day_folder_without_a_readme_keeps_the_planned_title(repo: Path, add_day):
    add_day(4, readme=None)
    day = collect_days(repo)[3]
    assert (day.title, day.status, day.has_folder, day.has_readme) == (
        load_plan().days[3].title,
        "in progress",
        True,
        False,
    )


def test_collect_days_reports_every_day_with_its_status(repo: Path, add_day):
    add_day(1)
    add_day(2, main=False)
    statuses = [day.status for day in collect_days(repo)]
    assert statuses[:3] == ["done", "in progress", "planned"]
    assert len(statuses) == DAY_COUNT
