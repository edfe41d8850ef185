"""Practice mode: markers, stubs, the practice folder, and checks of a learner's copy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest

from portfolio import practice
from portfolio.practice import PracticeError, find_tasks, holds_stub, stubbed

MODULE = '''\
"""Sums."""


def total(values: list[int]) -> int:
    """The sum of the values."""
    # practice 1: add the values up
    # hint: start at 0 and add each value;
    # hint: or call sum().
    result = 0
    for value in values:
        result += value
    return result
    # end practice 1


def largest_pair(values: list[int]) -> int:
    """The largest sum of two neighbours."""
    if len(values) < 2:
        raise ValueError("need two values")
    # practice 2: the best neighbouring pair
    # hint: zip(values, values[1:]) gives the pairs.
    return max(a + b for a, b in zip(values, values[1:]))
    # end practice 2
'''

TESTS = """\
import pytest

from day07.sums import largest_pair, total


def test_total_adds_the_values() -> None:
    assert total([1, 2, 3]) == 6


def test_largest_pair_finds_the_best_neighbours() -> None:
    assert largest_pair([1, 5, 2, 4]) == 7


def test_largest_pair_refuses_one_value() -> None:
    with pytest.raises(ValueError, match="two values"):
        largest_pair([1])
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A tiny repository: one day with two tasks and its tests, and pytest settings."""
    root = tmp_path / "repo"
    day = root / "day07"
    day.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        dedent(
            """\
            [tool.pytest.ini_options]
            addopts = "--import-mode=importlib -p no:cacheprovider"
            pythonpath = ["."]
            markers = ["slow: takes a while"]
            """
        )
    )
    (root / "notes.txt").write_text("a file beside the days\n")
    (day / "__init__.py").write_text("")
    (day / "__main__.py").write_text("print('day 7')\n")
    (day / "sums.py").write_text(MODULE)
    (day / "test_sums.py").write_text(TESTS)
    return root


def solve(copy: Path, number: int, code: str) -> None:
    """Write a learner's answer in place of task ``number``'s stub."""
    lines = copy.read_text().splitlines(keepends=True)
    marker = f"task {number} ("
    index = next(
        i for i, line in enumerate(lines) if "NotImplementedError" in line and marker in line
    )
    lines[index] = code + "\n"
    copy.write_text("".join(lines))


def test_find_tasks_reads_number_title_hint_and_body() -> None:
    first, second = find_tasks(MODULE, "sums.py")
    assert (first.number, first.title, first.line) == (1, "add the values up", 6)
    assert first.hint == "start at 0 and add each value; or call sum()."
    assert first.body == (9, 12) and first.indent == "    "
    assert (second.number, second.body) == (2, (22, 22))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# practice 1: x\n# hint: h\nx = 1\n# end practice 1\n", "inside a function"),
        ("def f():\n    # practice 1: x\n    return 1\n    # end practice 1\n", "hint"),
        ("def f():\n    # practice 1: x\n    # hint: h\n    return 1\n", "never ends"),
        ("def f():\n    # practice 1: x\n    # hint: h\n    # end practice 1\n", "no code"),
        (
            "def f():\n    # practice 1: x\n    # hint: h\n    return 1\n    # end practice 2\n",
            "expected '    # end practice 1'",
        ),
        (
            "def f():\n    # practice 1: x\n    # hint: h\n    # practice 2: y\n",
            "still open",
        ),
        ("def f():\n    # end practice 1\n", "out of place"),
        (
            "def f():\n    if x:\n        # practice 1: x\n        # hint: h\n    return 1\n"
            "        # end practice 1\n",
            "indented at least",
        ),
    ],
)
def test_a_malformed_marker_is_an_error_naming_the_line(source: str, message: str) -> None:
    with pytest.raises(PracticeError, match=message) as error:
        find_tasks(source, "mod.py")
    assert str(error.value).startswith("mod.py:")


def test_tasks_must_be_numbered_from_one_without_gaps(repo: Path) -> None:
    module = repo / "day07" / "sums.py"
    module.write_text(MODULE.replace("practice 2", "practice 3"))
    with pytest.raises(PracticeError, match=r"numbered 1 to 2 once each, found \[1, 3\]"):
        practice.day_tasks(repo / "day07")


def test_the_stub_keeps_the_comments_and_raises_with_the_hint() -> None:
    tasks = find_tasks(MODULE, "sums.py")
    stub = stubbed(MODULE, tasks, "day07")
    compile(stub, "sums.py", "exec")
    assert "result += value" not in stub and "for a, b in zip" not in stub
    assert "    # practice 1: add the values up\n    # hint: start at 0" in stub
    assert "raise NotImplementedError('day07 task 2 (the best neighbouring pair)" in stub
    assert 'raise ValueError("need two values")' in stub  # validation outside a region stays
    copied = find_tasks(stub, "sums.py")
    assert all(holds_stub(stub, task, "day07") for task in copied)
    assert not any(holds_stub(MODULE, task, "day07") for task in tasks)


def test_start_copies_the_day_stubbed_and_links_the_rest(repo: Path) -> None:
    tasks = practice.start("day07", repo)

    workspace = repo / "practice"
    assert [task.number for task in tasks] == [1, 2]
    assert "NotImplementedError" in (workspace / "day07" / "sums.py").read_text()
    assert "NotImplementedError" not in (repo / "day07" / "sums.py").read_text()
    assert (workspace / "day07" / "test_sums.py").read_text() == TESTS
    assert (workspace / "notes.txt").is_symlink()
    assert (workspace / "notes.txt").read_text() == "a file beside the days\n"
    assert "pythonpath =\n    .\n" in (workspace / "pytest.ini").read_text()


def test_start_keeps_a_learners_work_unless_forced(repo: Path) -> None:
    practice.start("day07", repo)
    copy = repo / "practice" / "day07" / "sums.py"
    solve(copy, 1, "    return sum(values)")

    with pytest.raises(PracticeError, match="holds your work already"):
        practice.start("day07", repo)
    assert "return sum(values)" in copy.read_text()

    practice.start("day07", repo, force=True)
    assert "return sum(values)" not in copy.read_text()


def test_a_day_without_markers_has_nothing_to_practise(repo: Path) -> None:
    (repo / "day07" / "sums.py").write_text("def f() -> int:\n    return 1\n")
    with pytest.raises(PracticeError, match="marks no practice tasks"):
        practice.start("day07", repo)


def test_check_without_a_copy_says_how_to_make_one(repo: Path) -> None:
    with pytest.raises(PracticeError, match="make practice-day07 first"):
        practice.check("day07", repo)


@pytest.mark.slow
def test_check_follows_a_learner_from_stubs_to_done(repo: Path) -> None:
    practice.start("day07", repo)
    copy = repo / "practice" / "day07" / "sums.py"

    fresh = practice.check("day07", repo)
    assert [item.status for item in fresh.tasks] == ["todo", "todo"]
    assert "next: task 1, add the values up" in practice.render(fresh)

    solve(copy, 1, "    return sum(values)")
    solve(copy, 2, "    return max(values)")  # wrong: not a pair
    halfway = practice.check("day07", repo)
    assert [item.status for item in halfway.tasks] == ["passed", "failing"]
    report = practice.render(halfway)
    assert "day07: 1 of 2 tasks pass" in report
    assert "next: task 2, the best neighbouring pair" in report
    assert (
        "first failing test: day07/test_sums.py::test_largest_pair_finds_the_best_neighbours"
        in report
    )
    assert "assert 5 == 7" in report
    assert not halfway.complete

    solve_again = copy.read_text().replace(
        "    return max(values)\n", "    return max(a + b for a, b in zip(values, values[1:]))\n"
    )
    copy.write_text(solve_again)
    done = practice.check("day07", repo)
    assert [item.status for item in done.tasks] == ["passed", "passed"] and done.complete
    assert "all 2 tasks of day07 pass" in practice.render(done)


@pytest.mark.slow
def test_a_copy_that_does_not_import_is_reported_not_hidden(repo: Path) -> None:
    practice.start("day07", repo)
    copy = repo / "practice" / "day07" / "sums.py"
    solve(copy, 1, "    return sum(values")  # a syntax error

    result = practice.check("day07", repo)
    assert result.collect_errors and not result.complete
    assert "SyntaxError" in practice.render(result)


@pytest.mark.slow
def test_prove_finds_a_task_no_test_reaches(repo: Path) -> None:
    tests = repo / "day07" / "test_sums.py"
    tests.write_text(TESTS.replace("def test_total_adds_the_values", "def _total_unused"))

    ((_, problems),) = practice.prove(["day07"], repo).values()
    assert problems == ["task 1 (add the values up): no test fails on its stub"]


@pytest.mark.slow
def test_prove_counts_a_stub_whose_error_a_caller_turned_into_a_wrong_answer(repo: Path) -> None:
    # Like an app's error handler answering 500: the test fails on its assertion, and the stub's
    # NotImplementedError is neither that error nor its cause.
    module = repo / "day07" / "sums.py"
    module.write_text(
        MODULE
        + dedent(
            """

            def total_or_none(values: list[int]) -> int | None:
                try:
                    return total(values)
                except Exception:
                    return None
            """
        )
    )
    tests = repo / "day07" / "test_sums.py"
    tests.write_text(
        TESTS.replace("import largest_pair, total", "import largest_pair, total_or_none").replace(
            "assert total([1, 2, 3]) == 6", "assert total_or_none([1, 2, 3]) == 6"
        )
    )
    # A test before it takes the trace away, as hypothesis does after tracing its own runs.
    (repo / "day07" / "test_a_first.py").write_text(
        "import sys\n\n\ndef test_dropping_the_trace() -> None:\n    sys.settrace(None)\n"
    )

    ((result, problems),) = practice.prove(["day07"], repo).values()
    assert problems == []
    (first, _) = result.tasks
    assert [test.error for test in first.tests] == ["AssertionError: assert None == 6"]


def add_day_importing_day07(repo: Path) -> None:
    """day08: a task of its own, built on day07's total (which day07's proof stubs)."""
    day = repo / "day08"
    day.mkdir()
    (day / "__init__.py").write_text("")
    (day / "__main__.py").write_text("print('day 8')\n")
    (day / "mean.py").write_text(
        dedent(
            """\
            from day07.sums import total


            def mean(values: list[int]) -> float:
                # practice 1: the mean of the values
                # hint: the total over the count.
                return total(values) / len(values)
                # end practice 1
            """
        )
    )
    (day / "test_mean.py").write_text(
        "from day08.mean import mean\n\n\n"
        "def test_mean() -> None:\n    assert mean([1, 2]) == 1.5\n"
    )


def test_days_that_import_one_another_are_proved_apart(repo: Path) -> None:
    add_day_importing_day07(repo)
    (repo / "day09").mkdir()
    (repo / "day09" / "plain.py").write_text("import json\nimport day07  # noqa\n")

    assert practice.imported_days(repo / "day08") == {"day07"}
    assert practice.independent_batches(["day07", "day08"], repo) == [["day07"], ["day08"]]
    assert practice.independent_batches(["day08", "day09", "day07"], repo) == [
        ["day08", "day09"],
        ["day07"],
    ]


@pytest.mark.slow
def test_prove_runs_a_day_against_the_real_code_of_a_day_it_imports(repo: Path) -> None:
    add_day_importing_day07(repo)

    proofs = practice.prove(["day07", "day08"], repo)
    assert {day: problems for day, (_, problems) in proofs.items()} == {"day07": [], "day08": []}
    ((task,),) = [proofs["day08"][0].tasks]
    assert [test.outcome for test in task.tests] == ["failed"]


def test_progress_is_recorded_in_the_shape_the_portfolio_reads(repo: Path) -> None:
    task = find_tasks(MODULE, "sums.py")[0]
    result = practice.Check("day07", [practice.TaskResult(task, "passed", ())])
    workspace = repo / "practice"
    workspace.mkdir()
    (workspace / practice.PROGRESS_FILE).write_text('{"version": 1, "days": {"day01": {}}}')

    path = practice.record_progress(result, workspace, datetime(2026, 12, 2, 21, 30, tzinfo=UTC))

    document = json.loads(path.read_text())
    assert document["version"] == 1 and list(document["days"]) == ["day01", "day07"]
    assert document["days"]["day07"] == {
        "checked_at": "2026-12-02T21:30:00Z",
        "passed": 1,
        "total": 1,
        "tasks": [{"number": 1, "title": "add the values up", "status": "passed"}],
    }


def test_a_malformed_progress_file_is_started_afresh(repo: Path) -> None:
    workspace = repo / "practice"
    workspace.mkdir()
    (workspace / practice.PROGRESS_FILE).write_text("{not json")
    result = practice.Check("day07", [])
    document = json.loads(practice.record_progress(result, workspace).read_text())
    assert list(document["days"]) == ["day07"]


@pytest.mark.parametrize("value", ["day5", "05", "5", "day05"])
def test_day_names_are_normalised(value: str) -> None:
    assert practice.day_name(value) == "day05"


@pytest.mark.parametrize("value", ["day46", "day00", "five", ""])
def test_a_day_outside_the_range_is_refused(value: str) -> None:
    with pytest.raises(PracticeError, match="day01 to day45"):
        practice.day_name(value)


def test_the_command_line_refuses_an_unknown_day(capsys: pytest.CaptureFixture[str]) -> None:
    assert practice.main(["start", "day99"]) == 2
    assert "no such day: 'day99'" in capsys.readouterr().err


@pytest.mark.slow
def test_prove_skips_a_days_tests_once_each_stub_has_failed_one(repo: Path) -> None:
    ((result, problems),) = practice.prove(["day07"], repo).values()

    assert problems == []
    outcomes = {test.nodeid.rpartition("::")[2]: test.outcome for test in result.others}
    assert outcomes == {"test_largest_pair_refuses_one_value": "skipped"}
